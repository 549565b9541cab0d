package payment

import (
	"context"
	"time"
)

// Error codes of idempotency keys.
const (
	// EKEYREUSED: the Idempotency-Key was first used with a different
	// request (method, path or body) (422).
	EKEYREUSED = "idempotency_key_reused"
	// EINPROGRESS: the first request with this Idempotency-Key is still
	// running; nothing was done, retry later (409).
	EINPROGRESS = "idempotency_in_progress"
)

// Statuses of an idempotency key.
const (
	// IdempotencyStarted: the first request holds the key and is running.
	IdempotencyStarted = "started"
	// IdempotencyFinished: the response is stored and is replayed to retries.
	IdempotencyFinished = "finished"
)

// IdempotentRecord is what is kept of a merchant's request under an
// Idempotency-Key: who holds it while it runs, and then its response.
type IdempotentRecord struct {
	MerchantID string
	Key        string
	// Fingerprint identifies the request (a hash of method, path and body):
	// the same key with another request is refused, never replayed.
	Fingerprint string
	Status      string // IdempotencyStarted or IdempotencyFinished
	// The response, once finished: replayed byte for byte.
	ResponseStatus      int
	ResponseContentType string
	ResponseBody        []byte
	// LockedUntil is when a started key whose request has not finished may
	// be taken over: the instance running it is presumed dead by then.
	LockedUntil time.Time
	// Token is new on every begin and takeover: only the request holding
	// the current token may record a resource, finish or abort the key, so
	// a request whose lock ran out can no longer act under it.
	Token string
	// ResourceID is the payment or cancellation the request created, set
	// in the same transaction that created it. A request that takes the key
	// over finds it here and finishes that work instead of doing it again.
	ResourceID string
	CreatedAt  time.Time
	FinishedAt time.Time // zero while started
}

// IdempotencyStore keeps idempotency keys. Keys are scoped to a merchant.
// Every method is safe across several paybridge instances on one database.
type IdempotencyStore interface {
	// BeginIdempotent claims key for a request with fingerprint, at now,
	// for lock. It returns began=true and the new record when the key was
	// unknown, when its record is older than retention (it then counts as
	// unknown, reaped or not; retention <= 0 keeps records forever), or
	// when it is started with the same fingerprint but its lock has run out
	// (the lock is then renewed). Otherwise it returns began=false and the
	// record as it is, which the caller compares and replays. Claiming is
	// atomic: of any number of concurrent calls, on any instances, at most
	// one begins.
	BeginIdempotent(ctx context.Context, merchantID, key, fingerprint string, now time.Time, lock, retention time.Duration) (rec *IdempotentRecord, began bool, err error)
	// FinishIdempotent stores the response of a started key held with
	// token; from then on it is replayed. A key that is no longer held
	// with token (a retry took it over, or finished it) keeps its state:
	// ECONFLICT.
	FinishIdempotent(ctx context.Context, merchantID, key, token string, status int, contentType string, body []byte, now time.Time) error
	// AbortIdempotent forgets a started key held with token: its request
	// was rejected before it did anything, so the key may be used again.
	// A key under which a resource was recorded is kept (aborted=false):
	// that request did something, and its response must be kept instead.
	// A finished key is left alone.
	AbortIdempotent(ctx context.Context, merchantID, key, token string) (aborted bool, err error)
	// ReapIdempotent deletes up to limit keys created before before:
	// finished ones, and started ones whose lock ran out before before too
	// (their request died and was never retried). It returns how many.
	ReapIdempotent(ctx context.Context, before time.Time, limit int) (int, error)
}

// IdempotencyClaim is a running request's hold on its Idempotency-Key, handed
// to the use case so that what the request creates is recorded under the key
// atomically with its creation (Store.CreatePayment, CreateCancellation):
// the key's state and the business change can then never disagree, and a
// request that takes over the key of one that died finishes the work named
// by ResourceID instead of doing it a second time.
type IdempotencyClaim struct {
	MerchantID string
	Key        string
	Token      string
	// ResourceID is what an earlier holder of the key created ("" when it
	// created nothing): the payment or cancellation to resume.
	ResourceID string
}

// Resuming reports whether the request must finish an earlier holder's work
// rather than start its own.
func (c *IdempotencyClaim) Resuming() bool { return c != nil && c.ResourceID != "" }
