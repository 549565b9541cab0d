package payment_test

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

func TestCanTransition(t *testing.T) {
	allowed := map[[2]payment.Status]bool{}
	for _, tr := range [][2]payment.Status{
		{"created", "ready"}, {"created", "failed"},
		{"ready", "approving"}, {"ready", "aborted"}, {"ready", "failed"}, {"ready", "expired"},
		{"approving", "paid"}, {"approving", "failed"},
		{"approving", "ready"}, // a refused return while the provider still holds the payment for the buyer
		{"paid", "partially_canceled"}, {"paid", "canceled"},
		{"partially_canceled", "partially_canceled"}, {"partially_canceled", "canceled"},
	} {
		allowed[tr] = true
	}
	// Every pair is checked, so a transition added by mistake fails too.
	for _, from := range payment.Statuses {
		for _, to := range payment.Statuses {
			if got := payment.CanTransition(from, to); got != allowed[[2]payment.Status{from, to}] {
				t.Errorf("CanTransition(%s, %s) = %v", from, to, got)
			}
		}
	}
	// Money only becomes paid through approving: never straight from ready.
	if payment.CanTransition(payment.StatusReady, payment.StatusPaid) {
		t.Error("ready → paid must not be allowed")
	}
}

func TestStatus_Final(t *testing.T) {
	for _, s := range payment.Statuses {
		want := s == "canceled" || s == "aborted" || s == "failed" || s == "expired"
		if s.Final() != want {
			t.Errorf("%s.Final() = %v", s, s.Final())
		}
	}
	if payment.Status("bogus").Valid() {
		t.Error("unknown status is valid")
	}
}

func TestMulAmount(t *testing.T) {
	tests := []struct {
		a, b int64
		want int64
		ok   bool
	}{
		{4500, 2, 9000, true},
		{0, 5, 0, true},
		{math.MaxInt64, 2, 0, false},
		{math.MaxInt64/2 + 1, 2, 0, false},
		{3037000500, 3037000500, 0, false}, // just over sqrt(MaxInt64)
		{-1, 5, 0, false},
		{5, -1, 0, false},
		{math.MaxInt32, 3, 3 * math.MaxInt32, true}, // the sample's 32-bit overflow
	}
	for _, tt := range tests {
		got, ok := payment.MulAmount(tt.a, tt.b)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MulAmount(%d, %d) = %d, %v; want %d, %v", tt.a, tt.b, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := payment.AddAmount(math.MaxInt64, 1); ok {
		t.Error("AddAmount overflow not caught")
	}
}

func TestCheckAmount(t *testing.T) {
	for _, tt := range []struct {
		v  int64
		ok bool
	}{{1, true}, {payment.MaxAmount, true}, {0, false}, {-1, false}, {payment.MaxAmount + 1, false}} {
		if err := payment.CheckAmount("amount", tt.v); (err == nil) != tt.ok {
			t.Errorf("CheckAmount(%d) = %v", tt.v, err)
		} else if err != nil && payment.ErrorCode(err) != payment.EINVALID {
			t.Errorf("code = %s", payment.ErrorCode(err))
		}
	}
}

func TestNewID(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []string
	seen := map[string]bool{}
	for i := range 1000 {
		id := payment.NewID("pay", base.Add(time.Duration(i)*time.Millisecond))
		if len(id) != len("pay_")+26 || seen[id] {
			t.Fatalf("bad or duplicate id %q", id)
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("ids do not sort by creation time")
	}
}

func TestRandomToken(t *testing.T) {
	counts := map[rune]int{}
	for range 200 {
		tok := payment.RandomToken(32)
		if len(tok) != 32 {
			t.Fatalf("len = %d", len(tok))
		}
		for _, r := range tok {
			counts[r]++
		}
	}
	if len(counts) < 50 {
		t.Fatalf("only %d distinct characters in 6400: not random enough", len(counts))
	}
}

func TestErrorMessage_HidesInternal(t *testing.T) {
	if got := payment.ErrorMessage(errString("pq: password authentication failed for user admin")); got != "Internal error." {
		t.Fatalf("message = %q", got)
	}
	if got := payment.ErrorCode(payment.Wrap(payment.EUPSTREAM, errString("x"), "y")); got != payment.EUPSTREAM {
		t.Fatalf("code = %q", got)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
