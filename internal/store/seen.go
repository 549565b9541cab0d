package store

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// applied is the payment that an update matching seen's version left in
// the row: seen as stored (see stored), with upd applied the way
// paymentUpdate writes it, stamped now, one version on. It saves the
// read-back of the row, which on SQLite's single writer cost more than the
// update itself (45 columns through database/sql).
func applied(seen *payment.Payment, to *payment.Status, upd payment.Update, now time.Time) *payment.Payment {
	p := stored(seen)
	p.UpdatedAt = fromMicros(micros(now))
	p.Version++
	if to != nil {
		p.Status = *to
	}
	for _, c := range textUpdates(&upd, p) {
		if c.v != nil {
			*c.dst = *c.v
		}
	}
	if upd.ExpiresAt != nil {
		p.ExpiresAt = fromMicros(micros(*upd.ExpiresAt))
	}
	if upd.ApprovedAt != nil {
		p.ApprovedAt = fromNullMicros(nullMicros(*upd.ApprovedAt))
	}
	if upd.CanceledAt != nil {
		p.CanceledAt = fromNullMicros(nullMicros(*upd.CanceledAt))
	}
	if upd.CanceledAmount != nil {
		p.CanceledAmount = *upd.CanceledAmount
	}
	if upd.CanceledTaxFreeAmount != nil {
		p.CanceledTaxFreeAmount = *upd.CanceledTaxFreeAmount
	}
	if upd.FinishAttempts != nil {
		p.FinishAttempts = *upd.FinishAttempts
	}
	if upd.RefundAttempts != nil {
		p.RefundAttempts = *upd.RefundAttempts
	}
	if upd.RetryAt != nil {
		p.RetryAt = fromRetryMicros(retryMicros(*upd.RetryAt))
	}
	if upd.ProviderAnswer != nil {
		p.ProviderLastAnswer = answerBytes(string(upd.ProviderAnswer.Body))
		p.ProviderLastAnswerAt = fromNullMicros(nullMicros(upd.ProviderAnswer.At))
	}
	return p
}

// committed is what a write returns: the payment with a nil error, the
// payment as it is with a conflict, and nothing with any other error. A
// payment built or read inside a transaction that then rolled back was
// never stored, and its version number is used again by the next change:
// handed back later as Update.Seen, it would pass the version check.
func committed(p *payment.Payment, err error) (*payment.Payment, error) {
	if err != nil && payment.ErrorCode(err) != payment.ECONFLICT {
		return nil, err
	}
	return p, err
}

// stored is a copy of p as scanPayment reads it back from its row: times
// in UTC to the microsecond, an empty answer as nil, nothing that is not
// stored (Idempotency). The copy shares nothing the caller could change.
func stored(p *payment.Payment) *payment.Payment {
	c := *p
	c.Idempotency = nil
	c.ExpiresAt = fromMicros(micros(p.ExpiresAt))
	c.CreatedAt = fromMicros(micros(p.CreatedAt))
	c.UpdatedAt = fromMicros(micros(p.UpdatedAt))
	c.ApprovedAt = fromNullMicros(nullMicros(p.ApprovedAt))
	c.CanceledAt = fromNullMicros(nullMicros(p.CanceledAt))
	c.RetryAt = fromRetryMicros(retryMicros(p.RetryAt))
	c.ProviderLastAnswer = answerBytes(string(p.ProviderLastAnswer))
	c.ProviderLastAnswerAt = fromNullMicros(nullMicros(p.ProviderLastAnswerAt))
	return &c
}

// fromRetryMicros reads retry_at back: 0 is the zero time (due at once).
func fromRetryMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return fromMicros(v)
}

// answerBytes reads provider_last_answer back: empty is nil.
func answerBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

// checkSeenRows turns checkSeen's read-back on: in every test binary, but
// not while it runs benchmarks (-test.bench), which measure what
// production runs.
var checkSeenRows = testing.Testing()

// benchmarking reports whether this test binary was asked to run
// benchmarks (read once, after the testing package parsed its flags).
var benchmarking = sync.OnceValue(func() bool {
	f := flag.Lookup("test.bench")
	return f != nil && f.Value.String() != ""
})

// checkSeen returns p, the payment built by applied. In a test binary it
// first reads the row back and refuses a difference, so that every test
// that moves a payment also checks applied against the database, and a
// caller that handed in a payment it had changed (not what the store
// returned) is found.
func (s *Store) checkSeen(ctx context.Context, tx *sql.Tx, p *payment.Payment) (*payment.Payment, error) {
	if !checkSeenRows || benchmarking() {
		return p, nil
	}
	row, err := scanPayment(tx.QueryRowContext(ctx, s.q(`SELECT `+paymentColumns+` FROM payments WHERE id = ?`), p.ID))
	if err != nil {
		return nil, fmt.Errorf("update payment: check seen: id=%s: %w", p.ID, err)
	}
	if !reflect.DeepEqual(row, p) {
		return nil, fmt.Errorf("update payment: id=%s: the payment built from Update.Seen differs from the row in %v", p.ID, diffFields(row, p))
	}
	return p, nil
}

// diffFields names the fields in which two payments differ (names only:
// values may be a buyer's token).
func diffFields(a, b *payment.Payment) []string {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	var names []string
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			names = append(names, va.Type().Field(i).Name)
		}
	}
	return names
}
