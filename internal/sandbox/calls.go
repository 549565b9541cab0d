package sandbox

import (
	"net/http"
	"strings"
	"sync"
)

// Calls counts a sandbox's API calls by operation and by the ids (payment
// keys, order ids) they name, so that tests and GET /__sandbox/stats can
// tell how often a client asked, for instance, whether a lookup was
// retried. It has its own lock, so a sandbox may count while holding its
// state lock. The zero value is ready to use.
type Calls struct {
	mu   sync.Mutex
	n    map[string]int
	byID map[string]map[string]int
}

// Count records one call of op and, once each, every non-empty id it
// names.
func (c *Calls) Count(op string, ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[op]++
	c.countIDsLocked(op, ids)
}

// CountIDs records ids for a call of op already counted, for a sandbox
// that learns the ids only after reading the body.
func (c *Calls) CountIDs(op string, ids ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.countIDsLocked(op, ids)
}

func (c *Calls) countIDsLocked(op string, ids []string) {
	if c.byID == nil {
		c.byID = map[string]map[string]int{}
	}
	m := c.byID[op]
	if m == nil {
		m = map[string]int{}
		c.byID[op] = m
	}
	for i, id := range ids {
		if id != "" && !containsBefore(ids, i) {
			m[id]++
		}
	}
}

// containsBefore reports whether ids[i] is also among ids[:i], so that a
// call naming one id twice counts once for it.
func containsBefore(ids []string, i int) bool {
	for _, id := range ids[:i] {
		if id == ids[i] {
			return true
		}
	}
	return false
}

// Of is the number of calls of op.
func (c *Calls) Of(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

// For is the number of calls of op that named id.
func (c *Calls) For(op, id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID[op][id]
}

// Snapshot copies the counts of ops: calls per op (zero included) and
// calls per id per op (an empty map for an op without ids).
func (c *Calls) Snapshot(ops ...string) (calls map[string]int, byID map[string]map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	calls, byID = map[string]int{}, map[string]map[string]int{}
	for _, op := range ops {
		calls[op] = c.n[op]
		ids := map[string]int{}
		for id, n := range c.byID[op] {
			ids[id] = n
		}
		byID[op] = ids
	}
	return calls, byID
}

// ServeStats is the GET /__sandbox/stats control endpoint every sandbox
// offers: body builds the sandbox's own answer (its key names are part of
// its documented control API) and write sends it the way the sandbox
// sends all its JSON.
func ServeStats(w http.ResponseWriter, r *http.Request, body func() any, write func(http.ResponseWriter, int, any)) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		write(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
		return
	}
	write(w, http.StatusOK, body())
}

// BaseURL is where a browser reaches a sandbox's handler root: publicURL
// when configured, otherwise the request's own scheme and host under the
// X-Forwarded-Prefix a proxy that mounts the sandbox sends.
func BaseURL(r *http.Request, publicURL string) string {
	if publicURL != "" {
		return publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := strings.TrimRight(r.Header.Get("X-Forwarded-Prefix"), "/")
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	return scheme + "://" + r.Host + prefix
}
