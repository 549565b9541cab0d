package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/paybridge/paybridge/internal/secretbox"
)

// SecretBox seals secrets before they are written and opens them when read
// (a *secretbox.Box).
type SecretBox interface {
	Seal(plain, aad string) string
	Open(sealed, aad string) (string, error)
}

// SetSecretBox makes the store keep webhook endpoint secrets and
// idempotency replays sealed; call it before the store is used. Without a
// box they are stored as given (tests of the store alone).
func (s *Store) SetSecretBox(b SecretBox) { s.box = b }

func endpointAAD(id string) string { return "webhook_endpoint:" + id }

func idempotencyAAD(merchantID, key string) string { return "idempotency:" + merchantID + "\x00" + key }

// seal seals v when the store has a box.
func (s *Store) seal(v, aad string) string {
	if s.box == nil || v == "" {
		return v
	}
	return s.box.Seal(v, aad)
}

// open opens a sealed value; a value written before sealing began is
// returned as it is (SealStoredSecrets seals those at start-up).
func (s *Store) open(v, aad string) (string, error) {
	if !secretbox.Sealed(v) {
		return v, nil
	}
	if s.box == nil {
		return "", fmt.Errorf("a secret in the database is encrypted but no PAYBRIDGE_SECRET_KEY is configured")
	}
	return s.box.Open(v, aad)
}

// SealStoredSecrets seals every webhook endpoint secret and idempotency
// replay still stored in plain text (rows written before encryption at rest,
// or by a paybridge without a key), in one transaction, and returns how many
// values it sealed. paybridge runs it at every start; it does nothing once
// all rows are sealed.
func (s *Store) SealStoredSecrets(ctx context.Context) (int, error) {
	if s.box == nil {
		return 0, fmt.Errorf("seal stored secrets: no secret key")
	}
	n := 0
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		n = 0
		type row struct{ id, secret, prev string }
		endpoints, err := queryAll(ctx, tx, "seal endpoint secrets", func(sc scanner) (r row, err error) {
			err = sc.Scan(&r.id, &r.secret, &r.prev)
			return r, err
		}, `SELECT id, secret, previous_secret FROM webhook_endpoints`)
		if err != nil {
			return err
		}
		for _, r := range endpoints {
			if (r.secret == "" || secretbox.Sealed(r.secret)) && (r.prev == "" || secretbox.Sealed(r.prev)) {
				continue // nothing plain to seal
			}
			sealIfPlain := func(v string) string {
				if v == "" || secretbox.Sealed(v) {
					return v
				}
				n++
				return s.box.Seal(v, endpointAAD(r.id))
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_endpoints SET secret = ?, previous_secret = ? WHERE id = ?`),
				sealIfPlain(r.secret), sealIfPlain(r.prev), r.id); err != nil {
				return fmt.Errorf("seal endpoint secret: id=%s: %w", r.id, err)
			}
		}

		type idem struct{ merchant, key, body string }
		replays, err := queryAll(ctx, tx, "seal idempotency replays", func(sc scanner) (r idem, err error) {
			err = sc.Scan(&r.merchant, &r.key, &r.body)
			return r, err
		}, s.q(`SELECT merchant_id, idem_key, response_body FROM idempotency_keys
			WHERE response_body <> '' AND response_body NOT LIKE ?`), secretbox.Prefix+"%")
		if err != nil {
			return err
		}
		for _, r := range replays {
			if strings.HasPrefix(r.body, secretbox.Prefix) {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE idempotency_keys SET response_body = ? WHERE merchant_id = ? AND idem_key = ?`),
				s.box.Seal(r.body, idempotencyAAD(r.merchant, r.key)), r.merchant, r.key); err != nil {
				return fmt.Errorf("seal idempotency replay: merchant_id=%s: %w", r.merchant, err)
			}
			n++
		}
		return nil
	})
	if err == nil && n > 0 && s.dialect.name == "sqlite" {
		// Move the sealed pages from the WAL into the database file at once,
		// overwriting the pages that held the plain values.
		if _, cerr := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); cerr != nil {
			return n, fmt.Errorf("seal stored secrets: checkpoint: %w", cerr)
		}
	}
	return n, err
}
