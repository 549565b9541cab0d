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
	CreatedAt   time.Time
	FinishedAt  time.Time // zero while started
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
	// FinishIdempotent stores the response of a started key; from then on
	// it is replayed. A key that is no longer started (it was finished by a
	// request that took it over) keeps its first response: ECONFLICT.
	FinishIdempotent(ctx context.Context, merchantID, key string, status int, contentType string, body []byte, now time.Time) error
	// AbortIdempotent forgets a started key: its request was rejected
	// before it did anything, so the key may be used again. A finished key
	// is left alone.
	AbortIdempotent(ctx context.Context, merchantID, key string) error
	// ReapIdempotent deletes up to limit keys created before before:
	// finished ones, and started ones whose lock ran out before before too
	// (their request died and was never retried). It returns how many.
	ReapIdempotent(ctx context.Context, before time.Time, limit int) (int, error)
}
