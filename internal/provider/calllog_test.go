package provider

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/testutil"
)

func TestLogCall(t *testing.T) {
	var buf testutil.LogBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	refused := &payment.ProviderError{Provider: payment.ProviderKakaoPay, HTTPStatus: 400, Code: "-780"}
	err := payment.Wrap(payment.EDECLINED, refused, "declined")
	LogCall(context.Background(), log, CallLog{Provider: payment.ProviderKakaoPay, Op: "approve", PaymentID: "pay_1",
		Status: 400, Extra: []any{"generation", "current"}}, time.Now(), err)
	LogCall(context.Background(), log, CallLog{Provider: payment.ProviderToss, Op: "confirm", PaymentID: "pay_2"}, time.Now(), nil)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("logged %d lines, want 2: %s", len(lines), buf.String())
	}
	want := `msg="kakaopay call" provider=kakaopay op=approve generation=current payment_id=pay_1 http_status=400 duration_ms=`
	if !strings.Contains(lines[0], want) || !strings.Contains(lines[0], "error_code="+payment.EDECLINED) || !strings.Contains(lines[0], "provider_code=-780") {
		t.Errorf("refused call logged as %s; want %s… with the codes", lines[0], want)
	}
	if !strings.Contains(lines[1], `msg="toss call" provider=toss op=confirm payment_id=pay_2 http_status=0`) || strings.Contains(lines[1], "error_code") {
		t.Errorf("successful call logged as %s", lines[1])
	}
}
