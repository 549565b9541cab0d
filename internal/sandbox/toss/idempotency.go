package toss

import (
	"crypto/sha256"
	"net/http"
	"time"
)

// Idempotency-Key handling (docs/providers.md §4.2): a key is valid for 15 days
// from its first use, and a repeated request with it returns the first
// result instead of executing again. The scope is the key together with the
// API key, the path and the method, as Toss's community answers describe it.
//
// Where Toss is silent the sandbox decides: every answer the operation gave
// (2xx and 4xx alike) is stored and replayed byte for byte, status
// included; an injected "error" fault is not an answer of the operation and
// is not stored; the same key with a different body is refused with 422
// IDEMPOTENCY_KEY_REUSED rather than replayed.

// replayTTL is how long a key is remembered.
const replayTTL = 15 * 24 * time.Hour

// maxIdempotencyKey is Toss's limit on the header.
const maxIdempotencyKey = 300

// replayScope identifies one idempotent request.
type replayScope struct {
	apiKey, method, path, key string
}

// replay is the stored first answer of a scope.
type replay struct {
	bodyHash [32]byte // of the canonical request body
	status   int
	body     []byte
	at       time.Time
}

// replayScopeOf reads the Idempotency-Key header. GETs are idempotent by
// nature and ignore it.
func replayScopeOf(r *http.Request, apiKey string) (replayScope, bool, *apiError) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" || r.Method == http.MethodGet {
		return replayScope{}, false, nil
	}
	if len(key) > maxIdempotencyKey {
		return replayScope{}, false, errInvalid("Idempotency-Key must be at most %d characters", maxIdempotencyKey)
	}
	return replayScope{apiKey: apiKey, method: r.Method, path: r.URL.Path, key: key}, true, nil
}

// replayLocked returns the stored answer of scope and whether body matches
// the first request's. It returns nil when there is none or it has expired.
func (s *Sandbox) replayLocked(scope replayScope, body []byte) (*replay, bool) {
	rp := s.replays[scope]
	if rp == nil {
		return nil, false
	}
	if !s.now().Before(rp.at.Add(replayTTL)) {
		delete(s.replays, scope)
		return nil, false
	}
	return rp, rp.bodyHash == sha256.Sum256(body)
}

func (s *Sandbox) storeReplayLocked(scope replayScope, body []byte, status int, answer []byte) {
	s.replays[scope] = &replay{bodyHash: sha256.Sum256(body), status: status, body: answer, at: s.now()}
}
