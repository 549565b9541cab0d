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
