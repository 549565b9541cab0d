package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// MaxIdempotencyKeyLength is the longest Idempotency-Key accepted, Stripe's.
const MaxIdempotencyKeyLength = 255

// IdempotencyConfig tunes idempotency keys.
type IdempotencyConfig struct {
	// Retention is how long a response is kept and replayed (default 24h,
	// Stripe's): a key older than that counts as unknown, and the sweep
	// reaps it.
	Retention time.Duration
	// Lock is how long a request holds its key before another instance may
	// take the key over, presuming it died (default 2 minutes; paybridge
	// derives it from the provider timeout, see app). It should outlast any
	// request, provider calls included. A request outliving it cannot act
	// twice: what it created is recorded under the key and is resumed, not
	// redone, by the taker, and once taken over it can record, finish or
	// abort nothing (the lock token changed).
	Lock time.Duration
}

func (c *IdempotencyConfig) setDefaults() {
	if c.Retention <= 0 {
		c.Retention = 24 * time.Hour
	}
	if c.Lock <= 0 {
		c.Lock = 2 * time.Minute
	}
}

// Idempotency gives POST endpoints Stripe's idempotency keys: a request
// with an Idempotency-Key header runs once per merchant and key, and every
// retry gets the first response (status, Content-Type, body, byte for byte,
// 5xx included) with Idempotent-Replayed: true. The same key with another
// request is refused (422 idempotency_key_reused); a retry while the first
// request still runs gets 409 idempotency_in_progress and does nothing. A
// request rejected before it did anything (400, 404, 413, 415) stores
// nothing, so the key can be used for the corrected request.
//
// Across crashes: the payment or refund a request creates is recorded under
// its key in the same transaction that creates it (IdempotencyClaim), so a
// retry that takes over the key of a request that died finishes that
// payment or refund (looking it up at the provider if need be) and answers
// with its result; it never calls the provider to do it again.
type Idempotency struct {
	store payment.IdempotencyStore
	log   *slog.Logger
	cfg   IdempotencyConfig
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// NewIdempotency returns the middleware, keeping keys in store.
func NewIdempotency(store payment.IdempotencyStore, log *slog.Logger, cfg IdempotencyConfig) *Idempotency {
	cfg.setDefaults()
	return &Idempotency{store: store, log: log, cfg: cfg, Now: time.Now}
}

// Idempotent wraps a POST handler of the merchant API with idempotency keys
// (see Idempotency). It must run after authenticate: keys are per merchant.
func (a *API) Idempotent(next http.HandlerFunc) http.HandlerFunc {
	st, ok := a.svc.IdempotencyKeys()
	if !ok {
		panic("httpapi: the store does not keep idempotency keys")
	}
	return NewIdempotency(st, a.log, a.idem).Wrap(next)
}

// abortStatuses are the answers of requests rejected before anything was
// done: nothing is stored, and the key may be used again.
var abortStatuses = map[int]bool{
	http.StatusBadRequest:            true,
	http.StatusNotFound:              true,
	http.StatusRequestEntityTooLarge: true,
	http.StatusUnsupportedMediaType:  true,
}

// Wrap returns next behind idempotency keys.
func (m *Idempotency) Wrap(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		keys := r.Header.Values("Idempotency-Key")
		if len(keys) == 0 {
			next(w, r)
			return
		}
		key := keys[0]
		if err := checkIdempotencyKey(keys); err != nil {
			WriteError(w, r, m.log, err)
			return
		}
		ctx := r.Context()
		merchantID := MerchantID(ctx)
		if merchantID == "" {
			WriteError(w, r, m.log, payment.Errorf(payment.EINTERNAL, "idempotency keys need an authenticated merchant"))
			return
		}
		// Read the body once, for the fingerprint, and hand it on. One byte
		// over the limit is enough for the handler to answer 413, which
		// stores nothing anyway, so such a request skips the key.
		body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
		if err != nil {
			WriteError(w, r, m.log, payment.Errorf(payment.EINVALID, "the request body could not be read"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) > MaxBodyBytes {
			next(w, r)
			return
		}
		// Keys are per merchant, and a merchant has test and live keys: a
		// live request never gets a test request's answer (nor the
		// reverse), it is refused as a reused key instead.
		live, _ := payment.LivemodeFrom(ctx)
		fp := fingerprint(r, body, live)

		rec, began, err := m.store.BeginIdempotent(ctx, merchantID, key, fp, m.Now(), m.cfg.Lock, m.cfg.Retention)
		if err != nil {
			WriteError(w, r, m.log, err)
			return
		}
		if !began {
			m.answerExisting(w, r, rec, fp)
			return
		}

		// The key is ours. The handler gets our hold on it, so that what it
		// creates is recorded under the key in the same transaction; when an
		// earlier holder died after creating something, ResourceID names it
		// and the handler finishes that instead of starting again.
		claim := &payment.IdempotencyClaim{MerchantID: merchantID, Key: key, Token: rec.Token, ResourceID: rec.ResourceID}
		if claim.Resuming() {
			m.log.Info("idempotency key taken over from a request that did not finish; resuming its work",
				"merchant_id", merchantID, "resource_id", claim.ResourceID, "request_id", RequestID(ctx))
		}
		r = r.WithContext(context.WithValue(ctx, idempotencyClaimKey, claim))

		// Whatever happens to the request now, the key must be finished or
		// aborted even if the caller has gone away.
		bg := context.WithoutCancel(ctx)
		cw := &captureWriter{ResponseWriter: w}
		done := false
		defer func() {
			if !done {
				// The handler panicked: nothing to replay. If it had created
				// something, the key stays started and a retry resumes it
				// once the lock runs out.
				m.abort(bg, r, merchantID, key, rec.Token)
			}
		}()
		next(cw, r)
		done = true

		status := cw.status
		if status == 0 {
			status = http.StatusOK // what net/http sends for a handler that wrote nothing
		}
		if abortStatuses[status] && m.abort(bg, r, merchantID, key, rec.Token) {
			return
		}
		// The response has been sent. If it cannot be stored, the key stays
		// started: retries get 409 until the lock runs out, then resume what
		// this request recorded under the key (or run again if it recorded
		// nothing, which means it changed nothing).
		if err := m.store.FinishIdempotent(bg, merchantID, key, rec.Token, status, cw.Header().Get("Content-Type"), cw.body.Bytes(), m.Now()); err != nil {
			m.log.Error("idempotency key finish failed", "merchant_id", merchantID, "request_id", RequestID(ctx),
				"status", status, "error", err)
		}
	}
}

// idempotencyClaimKey carries the request's *payment.IdempotencyClaim.
const idempotencyClaimKey contextKey = iota + 200

// IdempotencyClaimFrom returns the running request's hold on its
// Idempotency-Key, or nil when it was sent without one. Handlers that
// create payments or refunds pass it to the service.
func IdempotencyClaimFrom(ctx context.Context) *payment.IdempotencyClaim {
	c, _ := ctx.Value(idempotencyClaimKey).(*payment.IdempotencyClaim)
	return c
}

// abort forgets the key of a request that did nothing, and reports whether
// it did; a key under which the request recorded a resource is kept.
func (m *Idempotency) abort(ctx context.Context, r *http.Request, merchantID, key, token string) bool {
	aborted, err := m.store.AbortIdempotent(ctx, merchantID, key, token)
	if err != nil {
		m.log.Error("idempotency key abort failed", "merchant_id", merchantID, "request_id", RequestID(r.Context()), "error", err)
		return true // nothing more can be done with the key
	}
	return aborted
}

// answerExisting answers a request whose key is already known.
func (m *Idempotency) answerExisting(w http.ResponseWriter, r *http.Request, rec *payment.IdempotentRecord, fp string) {
	switch {
	case rec.Fingerprint != fp:
		// 422 is written here rather than through statusOf: the code is
		// this middleware's alone.
		WriteJSON(w, http.StatusUnprocessableEntity, errorBody{Error: errorDetail{Code: payment.EKEYREUSED,
			Message: "this Idempotency-Key was already used with a different request: use a new key"}})
	case rec.Status != payment.IdempotencyFinished:
		w.Header().Set("Retry-After", "1")
		WriteJSON(w, http.StatusConflict, errorBody{Error: errorDetail{Code: payment.EINPROGRESS,
			Message: "a request with this Idempotency-Key is still in progress: retry later"}})
	default:
		h := w.Header()
		if rec.ResponseContentType != "" {
			h.Set("Content-Type", rec.ResponseContentType)
		}
		h.Set("Cache-Control", "no-store")
		h.Set("Idempotent-Replayed", "true")
		w.WriteHeader(rec.ResponseStatus)
		_, _ = w.Write(rec.ResponseBody)
	}
}

// checkIdempotencyKey accepts one key of 1 to 255 printable ASCII characters.
func checkIdempotencyKey(keys []string) error {
	if len(keys) != 1 {
		return payment.Errorf(payment.EINVALID, "send one Idempotency-Key header")
	}
	key := keys[0]
	if key == "" || len(key) > MaxIdempotencyKeyLength {
		return payment.Errorf(payment.EINVALID, "Idempotency-Key must be 1 to %d characters", MaxIdempotencyKeyLength)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return payment.Errorf(payment.EINVALID, "Idempotency-Key must be printable ASCII")
		}
	}
	return nil
}

// fingerprint identifies a request: SHA-256 over method, path, query and
// the raw body, each length-prefixed so no two requests share an encoding,
// and for a live key's request a fifth part, "livemode". The mode is a part
// of its own, never mixed into another: a test request then hashes exactly
// four parts and a live one five, so no body a test key sends can give a
// live request's fingerprint and be answered with its stored response (an
// earlier version prefixed the live body with "livemode\x00", inside the
// body's part, which a test body of that prefix plus the live body
// matched). Test requests keep the four-part fingerprint they always had.
func fingerprint(r *http.Request, body []byte, live bool) string {
	h := sha256.New()
	parts := [][]byte{[]byte(r.Method), []byte(r.URL.Path), []byte(r.URL.RawQuery), body}
	if live {
		parts = append(parts, []byte("livemode"))
	}
	for _, part := range parts {
		h.Write([]byte(strconv.Itoa(len(part)) + ":"))
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// captureWriter writes the response through and keeps a copy, to store.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *captureWriter) WriteHeader(code int) {
	if c.status == 0 && code >= 200 {
		c.status = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *captureWriter) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
