package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/internal/payment"
)

var _ payment.IdempotencyStore = (*Store)(nil)

const idempotentColumns = `merchant_id, idem_key, fingerprint, status, response_status, response_body,
	response_content_type, locked_until, created_at, finished_at, lock_token, resource_id`

// scanIdempotent reads a key's record and opens its sealed replay.
func (s *Store) scanIdempotent(row interface{ Scan(...any) error }) (*payment.IdempotentRecord, error) {
	var (
		r                       payment.IdempotentRecord
		body                    string
		status, locked, created int64
		finished                sql.NullInt64
	)
	if err := row.Scan(&r.MerchantID, &r.Key, &r.Fingerprint, &r.Status, &status, &body,
		&r.ResponseContentType, &locked, &created, &finished, &r.Token, &r.ResourceID); err != nil {
		return nil, err
	}
	r.ResponseStatus = int(status)
	body, err := s.open(body, idempotencyAAD(r.MerchantID, r.Key))
	if err != nil {
		return nil, fmt.Errorf("idempotency key replay: %w", err)
	}
	r.ResponseBody = []byte(body)
	r.LockedUntil, r.CreatedAt, r.FinishedAt = fromMicros(locked), fromMicros(created), fromNullMicros(finished)
	return &r, nil
}

// BeginIdempotent implements payment.IdempotencyStore. Each step is one
// statement that is atomic on its own: the INSERT … ON CONFLICT DO NOTHING
// lets exactly one of concurrent first requests in (on PostgreSQL the others
// wait for its commit, then do nothing), and the takeover is an UPDATE whose
// WHERE is re-checked on the locked row, so of two instances taking over a
// stale key only the first matches. On SQLite the single writer serializes
// the whole transaction anyway. Every begin draws a new lock token. A
// takeover of a key whose request died keeps the resource that request
// recorded (the caller resumes it); a key past retention counts as unknown
// and starts afresh.
func (s *Store) BeginIdempotent(ctx context.Context, merchantID, key, fingerprint string, now time.Time, lock, retention time.Duration) (*payment.IdempotentRecord, bool, error) {
	now = now.UTC().Truncate(time.Microsecond)
	until := now.Add(lock)
	expired := int64(math.MinInt64) // retention <= 0: never
	if retention > 0 {
		expired = micros(now.Add(-retention))
	}
	var (
		rec   *payment.IdempotentRecord
		began bool
	)
	token := payment.NewID("lck", now)
	// Each statement is atomic by itself (above): on PostgreSQL they commit
	// alone, without BEGIN and COMMIT (writeAlone).
	err := s.writeAlone(ctx, func(tx stmtRunner) error {
		// A row can vanish between the statements (its request aborted, or
		// the reaper took it); then the key is unknown again: start over.
		for range 3 {
			res, err := tx.ExecContext(ctx, s.q(`INSERT INTO idempotency_keys
				(merchant_id, idem_key, fingerprint, status, locked_until, created_at, lock_token)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (merchant_id, idem_key) DO NOTHING`),
				merchantID, key, fingerprint, payment.IdempotencyStarted, micros(until), micros(now), token)
			if err != nil {
				return fmt.Errorf("insert idempotency key: merchant_id=%s: %w", merchantID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("insert idempotency key: %w", err)
			} else if n == 1 {
				rec = &payment.IdempotentRecord{MerchantID: merchantID, Key: key, Fingerprint: fingerprint,
					Status: payment.IdempotencyStarted, LockedUntil: until, CreatedAt: now, Token: token}
				began = true
				return nil
			}
			// The key exists. Take it over if it has expired (it counts as
			// unknown), or if its request died holding it: same request,
			// lock run out.
			rec, err = s.scanIdempotent(tx.QueryRowContext(ctx, s.q(`UPDATE idempotency_keys
				SET fingerprint = ?, status = ?, response_status = 0, response_body = '', response_content_type = '',
					locked_until = ?, created_at = ?, finished_at = NULL, lock_token = ?,
					resource_id = CASE WHEN created_at <= ? THEN '' ELSE resource_id END
				WHERE merchant_id = ? AND idem_key = ?
					AND (created_at <= ? OR (status = ? AND locked_until <= ? AND fingerprint = ?))
				RETURNING `+idempotentColumns),
				fingerprint, payment.IdempotencyStarted, micros(until), micros(now), token, expired,
				merchantID, key, expired, payment.IdempotencyStarted, micros(now), fingerprint))
			if err == nil {
				began = true
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("take over idempotency key: merchant_id=%s: %w", merchantID, err)
			}
			rec, err = s.scanIdempotent(tx.QueryRowContext(ctx, s.q(`SELECT `+idempotentColumns+`
				FROM idempotency_keys WHERE merchant_id = ? AND idem_key = ?`), merchantID, key))
			if err == nil {
				began = false
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("find idempotency key: merchant_id=%s: %w", merchantID, err)
			}
		}
		return fmt.Errorf("begin idempotency key: merchant_id=%s: the key kept appearing and disappearing", merchantID)
	})
	if err != nil {
		return nil, false, err
	}
	return rec, began, nil
}

// FinishIdempotent implements payment.IdempotencyStore. The body is kept
// as text (the API answers JSON); bytes that are not UTF-8, or a NUL, which
// PostgreSQL's TEXT cannot hold, are refused rather than altered.
func (s *Store) FinishIdempotent(ctx context.Context, merchantID, key, token string, status int, contentType string, body []byte, now time.Time) error {
	if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
		return payment.Errorf(payment.EINVALID, "the response body is not text and cannot be kept for replay")
	}
	now = now.UTC().Truncate(time.Microsecond)
	return s.writeAlone(ctx, func(tx stmtRunner) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE idempotency_keys
			SET status = ?, response_status = ?, response_body = ?, response_content_type = ?, finished_at = ?, locked_until = ?
			WHERE merchant_id = ? AND idem_key = ? AND status = ? AND lock_token = ?`),
			payment.IdempotencyFinished, status, s.seal(string(body), idempotencyAAD(merchantID, key)), contentType, micros(now), micros(now),
			merchantID, key, payment.IdempotencyStarted, token)
		if err != nil {
			return fmt.Errorf("finish idempotency key: merchant_id=%s: %w", merchantID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("finish idempotency key: %w", err)
		} else if n == 0 {
			return payment.Errorf(payment.ECONFLICT, "the idempotency key is not held by this request (finished, or taken over)")
		}
		return nil
	})
}

// AbortIdempotent implements payment.IdempotencyStore.
func (s *Store) AbortIdempotent(ctx context.Context, merchantID, key, token string) (bool, error) {
	var aborted bool
	err := s.writeAlone(ctx, func(tx stmtRunner) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM idempotency_keys
			WHERE merchant_id = ? AND idem_key = ? AND status = ? AND lock_token = ? AND resource_id = ''`),
			merchantID, key, payment.IdempotencyStarted, token)
		if err != nil {
			return fmt.Errorf("abort idempotency key: merchant_id=%s: %w", merchantID, err)
		}
		n, err := res.RowsAffected()
		aborted = n == 1
		return err
	})
	return aborted, err
}

// recordIdempotentResource notes, inside the transaction that creates it,
// the resource a request created under its Idempotency-Key. The update is
// fenced by the lock token: a request whose key was taken over by a retry
// changes nothing, and its whole transaction is rolled back.
func (s *Store) recordIdempotentResource(ctx context.Context, tx *sql.Tx, c *payment.IdempotencyClaim, resourceID string) error {
	if c == nil {
		return nil
	}
	res, err := tx.ExecContext(ctx, s.q(`UPDATE idempotency_keys SET resource_id = ?
		WHERE merchant_id = ? AND idem_key = ? AND status = ? AND lock_token = ? AND resource_id = ''`),
		resourceID, c.MerchantID, c.Key, payment.IdempotencyStarted, c.Token)
	if err != nil {
		return fmt.Errorf("record idempotency resource: merchant_id=%s: %w", c.MerchantID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("record idempotency resource: %w", err)
	} else if n == 0 {
		return payment.Errorf(payment.EINPROGRESS,
			"a retry with this Idempotency-Key took the request over (its lock ran out): nothing was done here")
	}
	return nil
}

// ReapIdempotent implements payment.IdempotencyStore. On PostgreSQL the
// choice skips rows another instance is reaping or beginning right now.
func (s *Store) ReapIdempotent(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		limit = 1000
	}
	var n int64
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM idempotency_keys WHERE (merchant_id, idem_key) IN (
			SELECT merchant_id, idem_key FROM idempotency_keys
			WHERE created_at < ? AND (status = ? OR locked_until < ?)`+
			fmt.Sprintf(" ORDER BY created_at LIMIT %d", limit)+s.dialect.skipLocked+`)`),
			micros(before), payment.IdempotencyFinished, micros(before))
		if err != nil {
			return fmt.Errorf("reap idempotency keys: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
