package console

import (
	"container/list"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
)

// Cookies of the console, all scoped to /console.
const (
	sessionCookie = "pb_console"
	loginCookie   = "pb_console_login" // the sign-in form's CSRF token
)

// touchEvery spaces out the writes that record a session's activity.
const touchEvery = time.Minute

var errNoSession = errors.New("console: no valid session")

// hashToken is how a session token is stored: its hex SHA-256. The token is
// 250 random bits, so no stretching is needed.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// csrfToken derives the anti-forgery token from the session token: only a
// page that was served to the session's holder can know it, and nothing
// needs storing.
func csrfToken(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("paybridge console csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func validCSRF(sessionToken, got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(csrfToken(sessionToken)), []byte(got)) == 1
}

// sameOrigin refuses a POST whose Origin (or, without one, Referer) names
// another site: a second wall behind the CSRF token and SameSite=Lax. This
// site is the request's host, or the public URL's (a proxy in front may
// pass its own Host).
func (c *Console) sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" {
		return true // no header: old clients and scripts; the token decides
	}
	u, err := url.Parse(src)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, r.Host) || (c.publicHost != "" && strings.EqualFold(u.Host, c.publicHost))
}

func newNonce() string {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// clientAddr is the address the request came from, as the audit log
// records it: the connection's, or, with PAYBRIDGE_CLIENT_IP_HEADER set,
// the client's address the trusted proxy reports (the API's rule).
func (c *Console) clientAddr(r *http.Request) string {
	return httpapi.ClientAddr(r, c.opts.ClientIPHeader)
}

// limitKey is what the sign-in limit counts under: the API's per-client
// key (behind a proxy, the client's address; an IPv6 address's /64).
func (c *Console) limitKey(r *http.Request) string {
	return httpapi.ClientIP(r, c.opts.ClientIPHeader)
}

// session returns the request's live session and its operator. Expired
// sessions (idle or absolute) and disabled operators end here.
func (c *Console) session(r *http.Request) (*payment.OperatorSession, *payment.Operator, string, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil || ck.Value == "" || len(ck.Value) > 128 {
		return nil, nil, "", errNoSession
	}
	hash := hashToken(ck.Value)
	se, op, err := c.st.FindOperatorSession(r.Context(), hash)
	if payment.ErrorCode(err) == payment.ENOTFOUND {
		return nil, nil, "", errNoSession
	}
	if err != nil {
		return nil, nil, "", err
	}
	now := c.now()
	if !now.Before(se.ExpiresAt) || now.Sub(se.LastSeenAt) >= c.opts.IdleTimeout || !op.DisabledAt.IsZero() {
		if err := c.st.DeleteOperatorSession(r.Context(), hash); err != nil {
			c.log.Error("console: delete expired session", "error", err)
		}
		return nil, nil, "", errNoSession
	}
	return se, op, ck.Value, nil
}

// touch records activity, at most once a minute per session, and now and
// then reaps sessions that ended.
func (c *Console) touch(ctx context.Context, se *payment.OperatorSession) {
	now := c.now()
	if now.Sub(se.LastSeenAt) >= touchEvery {
		if err := c.st.TouchOperatorSession(ctx, se.Hash, now); err != nil {
			c.log.Error("console: touch session", "error", err)
		}
	}
	c.reapMu.Lock()
	due := now.Sub(c.lastReap) >= time.Hour
	if due {
		c.lastReap = now
	}
	c.reapMu.Unlock()
	if due {
		if n, err := c.st.ReapOperatorSessions(ctx, now, now.Add(-c.opts.IdleTimeout)); err != nil {
			c.log.Error("console: reap sessions", "error", err)
		} else if n > 0 {
			c.log.Info("console: reaped ended sessions", "count", n)
		}
	}
}

func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	ck := &http.Cookie{Name: name, Value: value, Path: "/console", HttpOnly: true, Secure: c.secure,
		SameSite: http.SameSiteLaxMode}
	if maxAge < 0 {
		ck.MaxAge = -1
	} else if maxAge > 0 {
		ck.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, ck)
}

// loginURL is the sign-in page, coming back to next afterwards.
func loginURL(next string) string {
	if next == "" || !safeNext(next) {
		return "/console/login"
	}
	return "/console/login?" + url.Values{"next": {next}}.Encode()
}

// safeNext accepts only a path inside the console: never another site.
func safeNext(next string) bool {
	return strings.HasPrefix(next, "/console") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") &&
		!strings.HasPrefix(next, "/console/login") && !strings.HasPrefix(next, "/console/logout")
}

type loginView struct {
	Email, Next, Token, Error string
}

func (c *Console) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	rc := &reqCtx{Lang: i18n.FromRequest(w, r), Nonce: newNonce()}
	if _, _, _, err := c.session(r); err == nil {
		http.Redirect(w, r, "/console", http.StatusSeeOther)
		return
	}
	c.renderLogin(w, r, rc, http.StatusOK, loginView{Next: r.URL.Query().Get("next")})
}

func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, v loginView) {
	v.Token = payment.RandomToken(32)
	c.setCookie(w, loginCookie, v.Token, time.Hour)
	if !safeNext(v.Next) {
		v.Next = ""
	}
	c.render(w, r, rc, status, "login", "Sign in", v)
}

// handleLogin signs an operator in. Each address may try LoginRate times
// per LoginWindow; MaxFailures wrong passwords in a row lock the operator
// for LockFor. An unknown email, a wrong password and a locked or disabled
// operator all get the same answer, after the same work.
func (c *Console) handleLogin(w http.ResponseWriter, r *http.Request) {
	rc := &reqCtx{Lang: i18n.FromRequest(w, r), Nonce: newNonce()}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		c.renderError(w, r, rc, http.StatusBadRequest, "The form could not be read.")
		return
	}
	email := normalizeEmail(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	next := r.PostFormValue("next")
	ck, err := r.Cookie(loginCookie)
	if err != nil || !c.sameOrigin(r) || r.PostFormValue("csrf") == "" ||
		subtle.ConstantTimeCompare([]byte(ck.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		c.renderLogin(w, r, rc, http.StatusForbidden, loginView{Email: email, Next: next,
			Error: "This form has expired. Try again."})
		return
	}
	if v := c.limiter.allow(c.limitKey(r), c.now()); v != allowed {
		if v == throttledFirst {
			// Once per address and window: past its limit a stranger must
			// not make paybridge commit a row per request.
			c.audit(r.Context(), r, nil, auditableEmail(email), "", "sign_in_throttled", "",
				"too many sign-in attempts from "+c.limitKey(r)+"; more in this window are refused without an entry")
		}
		w.Header().Set("Retry-After", "60")
		c.renderLogin(w, r, rc, http.StatusTooManyRequests, loginView{Email: email, Next: next,
			Error: "Too many sign-in attempts. Wait a few minutes and try again."})
		return
	}
	op, err := c.st.FindOperatorByEmail(r.Context(), email)
	if err != nil && payment.ErrorCode(err) != payment.ENOTFOUND {
		c.log.Error("console sign-in: find operator", "error", err)
		c.renderError(w, r, rc, http.StatusInternalServerError, "Something went wrong. Try again.")
		return
	}
	hash := dummyHash()
	if op != nil {
		hash = op.PasswordHash
	}
	select {
	case c.hashing <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	ok, verr := VerifyPassword(hash, password)
	<-c.hashing
	if verr != nil {
		c.log.Error("console sign-in: stored hash unreadable", "operator_id", idOf(op), "error", verr)
	}
	now := c.now()
	fail := func(why string) {
		c.audit(r.Context(), r, op, auditableEmail(email), merchantOf(op), "sign_in_failed", idOf(op), why)
		c.renderLogin(w, r, rc, http.StatusUnauthorized, loginView{Email: email, Next: next,
			Error: "The email or password is wrong, or the account is locked. After 5 failures in a row an account is locked for 15 minutes."})
	}
	switch {
	case op == nil:
		fail("unknown email")
		return
	case !op.DisabledAt.IsZero():
		fail("operator disabled")
		return
	case now.Before(op.LockedUntil):
		fail("operator locked until " + op.LockedUntil.In(kst).Format(time.DateTime) + " KST")
		return
	case !ok:
		nop, err := c.st.RecordLoginFailure(r.Context(), op.ID, c.opts.MaxFailures, now.Add(c.opts.LockFor))
		if err != nil {
			c.log.Error("console sign-in: record failure", "error", err)
		} else if now.Before(nop.LockedUntil) {
			c.audit(r.Context(), r, op, email, op.MerchantID, "operator_locked", op.ID, "locked after repeated wrong passwords")
		}
		fail("wrong password")
		return
	}
	if err := c.st.ResetLoginFailures(r.Context(), op.ID); err != nil {
		c.log.Error("console sign-in: reset failures", "error", err)
	}
	token := payment.RandomToken(43)
	se := &payment.OperatorSession{Hash: hashToken(token), OperatorID: op.ID, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(c.opts.SessionLifetime)}
	if err := c.st.CreateOperatorSession(r.Context(), se); err != nil {
		c.log.Error("console sign-in: create session", "error", err)
		c.renderError(w, r, rc, http.StatusInternalServerError, "Something went wrong. Try again.")
		return
	}
	c.setCookie(w, sessionCookie, token, c.opts.SessionLifetime)
	c.setCookie(w, loginCookie, "", -1)
	c.audit(r.Context(), r, op, email, op.MerchantID, "sign_in", op.ID, "")
	c.log.Info("console sign-in", "operator_id", op.ID, "role", op.Role)
	if !safeNext(next) {
		next = "/console"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) handleLogout(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if err := c.st.DeleteOperatorSession(r.Context(), rc.Session.Hash); err != nil {
		c.log.Error("console sign-out: delete session", "error", err)
	}
	c.setCookie(w, sessionCookie, "", -1)
	c.audit(r.Context(), r, rc.Op, "", rc.Op.MerchantID, "sign_out", rc.Op.ID, "")
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// auditableEmail is what the audit log keeps of a typed email: the address,
// or nothing when it is not one (a password typed into the wrong field
// must not land in the log).
func auditableEmail(email string) string {
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return "(not an email address)"
	}
	return email
}

func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func idOf(op *payment.Operator) string {
	if op == nil {
		return ""
	}
	return op.ID
}

func merchantOf(op *payment.Operator) string {
	if op == nil {
		return ""
	}
	return op.MerchantID
}

// loginLimiter counts sign-in attempts per client key (an address, an
// IPv6 /64) in fixed windows. It lives in memory: each instance limits on
// its own, and the per-operator lock-out in the database holds across
// instances.
//
// Its entries are kept in a list ordered by window start, oldest first, so
// each call drops the windows that ended from the front (every entry is
// dropped once: no call scans the map), and at most max entries are kept:
// past that the oldest window is forgotten, so a flood of addresses costs
// memory that is bounded, never a scan under the mutex.
type loginLimiter struct {
	mu     sync.Mutex
	rate   int
	window time.Duration
	max    int
	seen   map[string]*list.Element // of *attempts
	order  *list.List               // *attempts, oldest window first
}

type attempts struct {
	key      string
	start    time.Time
	n        int
	reported bool // the window's first refusal was audited
}

// verdict is what the limiter says of one attempt.
type verdict int

const (
	allowed        verdict = iota
	throttledFirst         // the first refusal of the key's window: worth an audit entry
	throttled              // refused again in the same window
)

// maxLimiterEntries bounds the limiter's memory (about 100 bytes each).
const maxLimiterEntries = 10000

func newLoginLimiter(rate int, window time.Duration, max int) *loginLimiter {
	return &loginLimiter{rate: rate, window: window, max: max, seen: map[string]*list.Element{}, order: list.New()}
}

func (l *loginLimiter) allow(key string, now time.Time) verdict {
	l.mu.Lock()
	defer l.mu.Unlock()
	for e := l.order.Front(); e != nil && now.Sub(e.Value.(*attempts).start) >= l.window; e = l.order.Front() {
		l.drop(e)
	}
	e := l.seen[key]
	if e == nil {
		for l.order.Len() >= l.max {
			l.drop(l.order.Front())
		}
		e = l.order.PushBack(&attempts{key: key, start: now})
		l.seen[key] = e
	}
	a := e.Value.(*attempts)
	a.n++
	switch {
	case a.n <= l.rate:
		return allowed
	case !a.reported:
		a.reported = true
		return throttledFirst
	}
	return throttled
}

func (l *loginLimiter) drop(e *list.Element) {
	delete(l.seen, e.Value.(*attempts).key)
	l.order.Remove(e)
}

// size is how many keys the limiter holds.
func (l *loginLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}
