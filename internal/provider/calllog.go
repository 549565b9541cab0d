package provider

import (
	"context"
	"log/slog"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// CallLog is what an adapter logs of one provider call: one debug line
// with the outcome, never a request or response body, which would carry
// buyer data (and, echoed back, credentials).
type CallLog struct {
	Provider  string // payment.Provider… name; the message is "<Provider> call"
	Op        string // the provider's operation
	PaymentID string
	Status    int   // HTTP status; 0 when no answer arrived
	Extra     []any // adapter-specific attributes, after op (KakaoPay's generation)
}

// LogCall writes l as one debug line, with the error's application code
// and, for an answer the provider refused, the provider's own code.
func LogCall(ctx context.Context, log *slog.Logger, l CallLog, start time.Time, err error) {
	if !log.Enabled(ctx, slog.LevelDebug) {
		return // the attributes below are built for nothing otherwise, on every call
	}
	attrs := append([]any{"provider", l.Provider, "op", l.Op}, l.Extra...)
	attrs = append(attrs, "payment_id", l.PaymentID, "http_status", l.Status, "duration_ms", time.Since(start).Milliseconds())
	if err != nil {
		attrs = append(attrs, "error_code", payment.ErrorCode(err))
		if pe := payment.AsProviderError(err); pe != nil {
			attrs = append(attrs, "provider_code", pe.Code)
		}
	}
	log.DebugContext(ctx, l.Provider+" call", attrs...)
}
