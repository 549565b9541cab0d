package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/paybridge/paybridge/internal/payment"
)

// CreateAPIKey implements payment.Store.
func (s *Store) CreateAPIKey(ctx context.Context, k *payment.APIKey) error {
	k.CreatedAt = s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO api_keys (id, merchant_id, name, prefix, hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`), k.ID, k.MerchantID, k.Name, k.Prefix, k.Hash, micros(k.CreatedAt))
		if err != nil {
			if s.dialect.isUniqueViolation(err) {
				return payment.Errorf(payment.ECONFLICT, "api key already exists")
			}
			return fmt.Errorf("insert api key: merchant_id=%s: %w", k.MerchantID, err)
		}
		return nil
	})
}

// FindAPIKeyByHash implements payment.Store.
func (s *Store) FindAPIKeyByHash(ctx context.Context, hash string) (*payment.APIKey, error) {
	var (
		k       payment.APIKey
		created int64
	)
	err := s.r.QueryRowContext(ctx, s.q(`SELECT id, merchant_id, name, prefix, hash, created_at FROM api_keys
		WHERE hash = ? AND revoked_at IS NULL`), hash).Scan(&k.ID, &k.MerchantID, &k.Name, &k.Prefix, &k.Hash, &created)
	if err != nil {
		return nil, notFound(err, "api key")
	}
	k.CreatedAt = fromMicros(created)
	return &k, nil
}

// FindMerchantByID implements payment.Store.
func (s *Store) FindMerchantByID(ctx context.Context, id string) (*payment.Merchant, error) {
	var (
		m       payment.Merchant
		created int64
	)
	err := s.r.QueryRowContext(ctx, s.q(`SELECT id, name, created_at FROM merchants WHERE id = ?`), id).
		Scan(&m.ID, &m.Name, &created)
	if err != nil {
		return nil, notFound(err, "merchant")
	}
	m.CreatedAt = fromMicros(created)
	return &m, nil
}

// CreateMerchant implements payment.Store.
func (s *Store) CreateMerchant(ctx context.Context, m *payment.Merchant) error {
	m.CreatedAt = s.now()
	return s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO merchants (id, name, created_at) VALUES (?, ?, ?)`),
			m.ID, m.Name, micros(m.CreatedAt))
		if err != nil {
			if s.dialect.isUniqueViolation(err) {
				return payment.Errorf(payment.ECONFLICT, "merchant %s already exists", m.ID)
			}
			return fmt.Errorf("insert merchant: %w", err)
		}
		return nil
	})
}

// FindMerchants implements payment.Store.
func (s *Store) FindMerchants(ctx context.Context) ([]*payment.Merchant, error) {
	return queryAll(ctx, s.r, "find merchants", scanMerchant, `SELECT id, name, created_at FROM merchants ORDER BY created_at, id`)
}

func scanMerchant(row scanner) (*payment.Merchant, error) {
	var (
		m       payment.Merchant
		created int64
	)
	err := row.Scan(&m.ID, &m.Name, &created)
	m.CreatedAt = fromMicros(created)
	return &m, err
}

// FindAPIKeys implements payment.Store.
func (s *Store) FindAPIKeys(ctx context.Context, merchantID string) ([]*payment.APIKey, error) {
	return queryAll(ctx, s.r, "find api keys", scanAPIKeyListing, s.q(`SELECT id, merchant_id, name, prefix, created_at, revoked_at
		FROM api_keys WHERE merchant_id = ? ORDER BY created_at, id`), merchantID)
}

// scanAPIKeyListing scans a key as FindAPIKeys lists it: without its hash.
func scanAPIKeyListing(row scanner) (*payment.APIKey, error) {
	var (
		k       payment.APIKey
		created int64
		revoked sql.NullInt64
	)
	err := row.Scan(&k.ID, &k.MerchantID, &k.Name, &k.Prefix, &created, &revoked)
	k.CreatedAt, k.RevokedAt = fromMicros(created), fromNullMicros(revoked)
	return &k, err
}

// RevokeAPIKey implements payment.Store.
func (s *Store) RevokeAPIKey(ctx context.Context, merchantID, keyID string) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE api_keys SET revoked_at = ? WHERE id = ? AND merchant_id = ? AND revoked_at IS NULL`),
			micros(s.now()), keyID, merchantID)
		if err != nil {
			return fmt.Errorf("revoke api key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return payment.Errorf(payment.ENOTFOUND, "no active key %s for merchant %s", keyID, merchantID)
		}
		return nil
	})
}
