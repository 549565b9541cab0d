package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

func TestStore_Operators(t *testing.T) { forEachStore(t, testStoreOperators) }

func testStoreOperators(t *testing.T, ctx context.Context, s *store.Store) {
	op := &payment.Operator{ID: "op_1", Email: "a@example.com", PasswordHash: "$argon2id$x", Role: payment.RoleAdmin}
	if err := s.CreateOperator(ctx, op); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateOperator(ctx, &payment.Operator{ID: "op_2", Email: "a@example.com", PasswordHash: "h", Role: payment.RoleViewer}); payment.ErrorCode(err) != payment.ECONFLICT {
		t.Fatalf("duplicate email: %v", err)
	}
	lock := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
	for i := 1; i <= 3; i++ {
		o, err := s.RecordLoginFailure(ctx, "op_1", 3, lock)
		if err != nil {
			t.Fatal(err)
		}
		if o.FailedLogins != i || (i < 3) != o.LockedUntil.IsZero() {
			t.Fatalf("after %d failures: count %d, locked until %v", i, o.FailedLogins, o.LockedUntil)
		}
	}
	if o, _ := s.FindOperatorByEmail(ctx, "a@example.com"); !o.LockedUntil.Equal(lock) {
		t.Fatalf("locked until %v, want %v", o.LockedUntil, lock)
	}
	if err := s.ResetLoginFailures(ctx, "op_1"); err != nil {
		t.Fatal(err)
	}
	if o, _ := s.FindOperatorByID(ctx, "op_1"); o.FailedLogins != 0 || !o.LockedUntil.IsZero() {
		t.Fatalf("not reset: %+v", o)
	}

	now := time.Now().UTC().Truncate(time.Microsecond)
	se := &payment.OperatorSession{Hash: "h1", OperatorID: "op_1", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateOperatorSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	got, o, err := s.FindOperatorSession(ctx, "h1")
	if err != nil || o.ID != "op_1" || !got.ExpiresAt.Equal(se.ExpiresAt) {
		t.Fatalf("session = %+v %+v %v", got, o, err)
	}
	if err := s.TouchOperatorSession(ctx, "h1", now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n, err := s.ReapOperatorSessions(ctx, now, now.Add(-time.Hour)); err != nil || n != 1 {
		t.Fatalf("reaped %d, %v; want the idle session", n, err)
	}
	if err := s.CreateOperatorSession(ctx, se); err != nil {
		t.Fatal(err)
	}
	if err := s.SetOperatorDisabled(ctx, "op_1", true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.FindOperatorSession(ctx, "h1"); payment.ErrorCode(err) != payment.ENOTFOUND {
		t.Fatalf("disabling kept the session: %v", err)
	}

	for i, a := range []string{"sign_in", "refund", "refund"} {
		m := "mer_default"
		if i == 0 {
			m = ""
		}
		if err := s.InsertAudit(ctx, &payment.AuditEntry{OperatorID: "op_1", Action: a, MerchantID: m, Target: "pay_x"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // ids order by millisecond
	}
	all, err := s.FindAudit(ctx, payment.AuditFilter{})
	if err != nil || len(all) != 3 || all[0].Action != "refund" || all[2].Action != "sign_in" {
		t.Fatalf("audit = %v, %v", all, err)
	}
	scoped, _ := s.FindAudit(ctx, payment.AuditFilter{MerchantID: "mer_default", BeforeID: all[0].ID})
	if len(scoped) != 1 || scoped[0].ID != all[1].ID {
		t.Fatalf("scoped, before %s: %v", all[0].ID, scoped)
	}
}

func TestStore_ConsoleQueries(t *testing.T) { forEachStore(t, testStoreConsoleQueries) }

func testStoreConsoleQueries(t *testing.T, ctx context.Context, s *store.Store) {
	if err := s.CreateMerchant(ctx, &payment.Merchant{ID: "mer_b", Name: "B"}); err != nil {
		t.Fatal(err)
	}
	mk := func(merchant, order, name, provider string, amount int64, live bool) *payment.Payment {
		p := &payment.Payment{ID: payment.NewID("pay", time.Now()), MerchantID: merchant, Provider: provider, Channel: "api",
			OrderID: order, OrderName: name, CustomerID: "cust-" + order, Quantity: 1, Amount: amount, Currency: "KRW",
			ExpiresAt: time.Now().Add(time.Hour), Livemode: live}
		if err := s.CreatePayment(ctx, p); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond)
		return p
	}
	p1 := mk("mer_default", "o-1", "Americano 50%_off", "kakaopay", 4500, false)
	p2 := mk("mer_default", "o-2", "Latte", "toss", 9000, false)
	p3 := mk("mer_b", "o-3", "LATTE big", "kakaopay", 20000, true) // real money
	live, test := true, false
	tid := "T123"
	if _, err := s.TransitionPayment(ctx, p2.ID, payment.StatusCreated, payment.StatusReady, payment.Update{ProviderTID: &tid}, payment.Event{Reason: "ready"}); err != nil {
		t.Fatal(err)
	}
	ids := func(q store.ConsoleQuery) []string {
		t.Helper()
		ps, _, err := s.ConsolePayments(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.OrderID)
		}
		return out
	}
	for _, c := range []struct {
		name string
		q    store.ConsoleQuery
		want string
	}{
		{"all merchants, newest first", store.ConsoleQuery{}, "o-3 o-2 o-1"},
		{"one merchant", store.ConsoleQuery{MerchantID: "mer_default"}, "o-2 o-1"},
		{"order name, any case", store.ConsoleQuery{Text: "latte"}, "o-3 o-2"},
		{"LIKE wildcards are literal", store.ConsoleQuery{Text: "50%_"}, "o-1"},
		{"a typed % is no wildcard", store.ConsoleQuery{Text: "o%1"}, ""},
		{"provider's id, exactly", store.ConsoleQuery{Text: "T123"}, "o-2"},
		{"payment id", store.ConsoleQuery{Text: p1.ID}, "o-1"},
		{"customer id", store.ConsoleQuery{Text: "cust-o-3"}, "o-3"},
		{"status", store.ConsoleQuery{Statuses: []payment.Status{payment.StatusReady}}, "o-2"},
		{"provider", store.ConsoleQuery{Provider: "kakaopay"}, "o-3 o-1"},
		{"amount range", store.ConsoleQuery{AmountMin: 5000, AmountMax: 10000}, "o-2"},
		{"after a cursor", store.ConsoleQuery{AfterCreated: p3.CreatedAt, AfterID: p3.ID}, "o-2 o-1"},
		{"created range", store.ConsoleQuery{CreatedGTE: p2.CreatedAt, CreatedLT: p3.CreatedAt}, "o-2"},
		{"live only", store.ConsoleQuery{Livemode: &live}, "o-3"},
		{"test only", store.ConsoleQuery{Livemode: &test}, "o-2 o-1"},
	} {
		got := ""
		for i, id := range ids(c.q) {
			if i > 0 {
				got += " "
			}
			got += id
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	ps, more, err := s.ConsolePayments(ctx, store.ConsoleQuery{Limit: 2})
	if err != nil || len(ps) != 2 || !more {
		t.Fatalf("limit 2: %d rows, more %v, %v", len(ps), more, err)
	}

	// Dashboard figures: p3 paid today.
	approved := time.Now()
	if _, err := s.TransitionPayment(ctx, p3.ID, payment.StatusCreated, payment.StatusReady, payment.Update{}, payment.Event{Reason: "ready"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionPayment(ctx, p3.ID, payment.StatusReady, payment.StatusApproving, payment.Update{}, payment.Event{Reason: "approving"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TransitionPayment(ctx, p3.ID, payment.StatusApproving, payment.StatusPaid, payment.Update{ApprovedAt: &approved}, payment.Event{Reason: "paid"}); err != nil {
		t.Fatal(err)
	}
	st, err := s.ConsoleStats(ctx, "", time.Now().Add(-24*time.Hour), 9*3600)
	if err != nil {
		t.Fatal(err)
	}
	today := (time.Now().Unix() + 9*3600) / 86400
	if len(st.Paid) != 1 || st.Paid[0].Day != today || st.Paid[0].Provider != "kakaopay" || st.Paid[0].Count != 1 || st.Paid[0].Amount != 20000 || !st.Paid[0].Livemode {
		t.Fatalf("paid = %+v (today is day %d), want p3's live 20,000", st.Paid, today)
	}
	// Created: two test payments and one live, never added together.
	if len(st.Created) != 2 || st.Created[0].Livemode || st.Created[0].Count != 2 || !st.Created[1].Livemode || st.Created[1].Count != 1 {
		t.Fatalf("created = %+v, want 2 test then 1 live", st.Created)
	}
	if st, _ := s.ConsoleStats(ctx, "mer_default", time.Now().Add(-24*time.Hour), 9*3600); len(st.Paid) != 0 || st.Created[0].Count != 2 {
		t.Fatalf("one merchant: %+v", st)
	}
	if _, err := s.TransitionPayment(ctx, p2.ID, payment.StatusReady, payment.StatusApproving, payment.Update{}, payment.Event{Reason: "approving"}); err != nil {
		t.Fatal(err)
	}
	att, err := s.ConsoleAttention(ctx, "", time.Now().Add(-time.Minute), 10)
	if err != nil || len(att.StuckApproving) != 0 || att.DeadDeliveries != 0 || att.PendingRefunds != 0 {
		t.Fatalf("attention, nothing stuck yet = %+v, %v", att, err)
	}
	att, err = s.ConsoleAttention(ctx, "", time.Now().Add(time.Minute), 10)
	if err != nil || len(att.StuckApproving) != 1 || att.StuckApproving[0].ID != p2.ID {
		t.Fatalf("attention, approving past the window = %+v, %v", att, err)
	}
	if att, _ := s.ConsoleAttention(ctx, "mer_b", time.Now().Add(time.Minute), 10); len(att.StuckApproving) != 0 {
		t.Fatalf("another merchant's stuck payment listed: %+v", att)
	}
	reason := "refund_required"
	if _, err := s.TransitionPayment(ctx, p2.ID, payment.StatusApproving, payment.StatusFailed, payment.Update{FailureCode: &reason}, payment.Event{Reason: "mismatch"}); err != nil {
		t.Fatal(err)
	}
	if att, _ := s.ConsoleAttention(ctx, "", time.Now().Add(time.Minute), 10); len(att.RefundRequired) != 1 || len(att.StuckApproving) != 0 {
		t.Fatalf("attention, refund required = %+v", att)
	}
}
