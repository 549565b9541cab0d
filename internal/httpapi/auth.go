package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

const merchantKey contextKey = iota + 100

// MerchantID returns the merchant authenticated for the request.
func MerchantID(ctx context.Context) string {
	id, _ := ctx.Value(merchantKey).(string)
	return id
}

// HashKey is how API keys are stored: the hex SHA-256 of the whole key. Keys
// are 190 bits of randomness, so a fast hash is enough (no password stretching).
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// NewAPIKey returns a new secret key and its stored record. live selects
// the "sk_live_" prefix (real providers) over "sk_test_" (sandbox).
func NewAPIKey(merchantID, name string, live bool, now time.Time) (string, *payment.APIKey) {
	prefix := payment.KeyPrefixTest
	if live {
		prefix = payment.KeyPrefixLive
	}
	key := prefix + payment.RandomToken(32)
	return key, &payment.APIKey{
		ID:         payment.NewID("key", now),
		MerchantID: merchantID,
		Name:       name,
		Prefix:     key[:len(prefix)+4],
		Hash:       HashKey(key),
	}
}

// authenticate resolves "Authorization: Bearer <key>" to a merchant.
func (a *API) authenticate(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="paybridge"`)
			WriteError(w, r, a.log, payment.Errorf(payment.EUNAUTHORIZED, "an API key is required: Authorization: Bearer <key>"))
			return
		}
		k, err := a.svc.FindAPIKey(r.Context(), HashKey(strings.TrimSpace(key)))
		if err != nil {
			if payment.ErrorCode(err) == payment.ENOTFOUND {
				err = payment.Errorf(payment.EUNAUTHORIZED, "the API key is not valid")
			}
			WriteError(w, r, a.log, err)
			return
		}
		// The limit is checked before anything else runs (idempotency
		// included), so a 429 can always be retried with the same key.
		if ok, wait := a.limiter.allow(k.ID); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
			WriteError(w, r, a.log, payment.Errorf(payment.ERATELIMITED, "too many requests with this key: retry after %d s", retryAfterSeconds(wait)))
			return
		}
		ctx := payment.WithLivemode(context.WithValue(r.Context(), merchantKey, k.MerchantID), k.Livemode())
		next(w, r.WithContext(ctx))
	}
}
