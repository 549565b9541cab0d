package service_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/payment/paymenttest"
	"github.com/paybridge/paybridge/internal/service"
)

// TestModel drives the service with random sequences of buyer actions,
// provider behaviours (faults included: errors of each class, lost answers,
// crashes right after the provider acted), restarts (a new Service over the
// same store), refunds, webhooks and sweeps, and checks after every step
// that the books can be trusted against the fakes' ledgers of the money:
//
//   - no payment is paid in paybridge without money at the provider, and
//     never for another amount;
//   - paybridge never records more refunded than the provider refunded;
//   - the provider never charged twice nor refunded more than it charged;
//   - a refund never meets the provider's guard (a stale cancelable amount).
//
// Then faults stop, time runs past every window, and the sweep must have
// settled everything: nothing approving, no pending refund, and paybridge's
// paid and refunded totals equal the provider's, payment by payment.
//
// CI runs the fixed seeds below (150 steps each, 60 with -race or -short).
// PAYBRIDGE_MODEL_SEEDS=N runs N seeds from PAYBRIDGE_MODEL_SEED (default
// 1); a failure names its seed to replay.
func TestModel(t *testing.T) {
	first, n := uint64(1), 3
	if v := os.Getenv("PAYBRIDGE_MODEL_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("PAYBRIDGE_MODEL_SEED: %v", err)
		}
		first, n = s, 1
	}
	if v := os.Getenv("PAYBRIDGE_MODEL_SEEDS"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 {
			t.Fatalf("PAYBRIDGE_MODEL_SEEDS must be a positive number: %q", v)
		}
		n = k
	}
	steps := 150
	if testing.Short() || raceBuild {
		steps = 60
	}
	for seed := first; seed < first+uint64(n); seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			runModel(t, seed, steps)
		})
	}
}

type model struct {
	t   *testing.T
	e   *env
	rnd *rand.Rand
	ids []string
	log []string // the steps taken, shown on failure
	// outside holds the payments an operator refunded at the provider:
	// paybridge learns of it from the provider's webhook, and a refund
	// before that meets the provider's guard, as it should.
	outside map[string]bool
}

func runModel(t *testing.T, seed uint64, steps int) {
	e := newEnv(t)
	m := &model{t: t, e: e, outside: map[string]bool{}, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	defer func() {
		if t.Failed() {
			t.Logf("seed %d; steps:\n%s", seed, joinLines(m.log))
		}
	}()
	for i := 0; i < steps && !t.Failed(); i++ {
		m.step()
		m.check(false)
	}
	if t.Failed() {
		return
	}
	m.quiesce()
	m.check(true)
}

func joinLines(l []string) string {
	s := ""
	for i, v := range l {
		s += fmt.Sprintf("%3d %s\n", i, v)
	}
	return s
}

func (m *model) note(format string, args ...any) { m.log = append(m.log, fmt.Sprintf(format, args...)) }

func (m *model) pick() (string, bool) {
	if len(m.ids) == 0 {
		return "", false
	}
	return m.ids[m.rnd.IntN(len(m.ids))], true
}

// fault scripts a random fault on the next call of a random op.
func (m *model) fault() {
	f := m.e.appr
	if m.rnd.IntN(2) == 0 {
		f = m.e.ver
	}
	op := []paymenttest.Op{paymenttest.OpApprove, paymenttest.OpLookup, paymenttest.OpCancel}[m.rnd.IntN(3)]
	var st paymenttest.Step
	var what string
	switch m.rnd.IntN(6) {
	case 0:
		st, what = paymenttest.Step{Err: paymenttest.Upstream(503)}, "503"
	case 1:
		st, what = paymenttest.Step{Lost: true}, "lost"
	case 2:
		st, what = paymenttest.Step{Err: paymenttest.Invalid("-1", 403)}, "403"
	case 3:
		st, what = paymenttest.Step{Err: paymenttest.Declined("-780")}, "declined"
	case 4:
		st, what = paymenttest.Step{Crash: true}, "crash"
	case 5:
		if op == paymenttest.OpCancel && f == m.e.ver {
			st, what = paymenttest.Step{Async: true}, "async"
		} else {
			st, what = paymenttest.Step{Delay: time.Millisecond}, "delay"
		}
	}
	f.On(op, st)
	m.note("fault %s %s %s", f.Name(), op, what)
}

// run calls fn as paybridge would, restarting the service if a scripted
// crash ended it.
func (m *model) run(what string, fn func()) {
	if !paymenttest.Go(fn) {
		m.note("  crashed during %s; restart", what)
		m.e.restart()
	}
}

func (m *model) step() {
	e := m.e
	// The approving provider's windows close with the payment's.
	now := e.clock.Now()
	for _, id := range m.ids {
		if p := e.get(id); !p.ExpiresAt.IsZero() && now.After(p.ExpiresAt) {
			e.appr.Expire(id)
		}
	}
	switch r := m.rnd.IntN(100); {
	case r < 12 || len(m.ids) == 0:
		prov := approver
		if m.rnd.IntN(2) == 0 {
			prov = verifier
		}
		amount := int64(1000 * (1 + m.rnd.IntN(10)))
		taxFree := int64(0)
		if m.rnd.IntN(3) == 0 {
			taxFree = amount / 4
		}
		m.run("create", func() {
			m.e.seq++
			p, err := e.svc.CreatePayment(e.ctx, payment.DefaultMerchantID, service.CreateInput{
				Provider: prov, OrderID: fmt.Sprintf("order-%d", m.e.seq), OrderName: "Tea", CustomerID: "buyer-1",
				Amount: amount, Quantity: 1, TaxFreeAmount: taxFree,
			})
			if err == nil {
				m.ids = append(m.ids, p.ID)
				m.note("create %s %s %d/%d", p.ID, prov, amount, taxFree)
			}
		})
	case r < 30:
		id, _ := m.pick()
		p := e.get(id)
		if p.Provider == verifier {
			amount, taxFree := int64(-1), int64(-1)
			switch m.rnd.IntN(20) {
			case 0:
				amount = p.Amount - 1
			case 1:
				taxFree = p.Amount / 2
			}
			e.ver.Pay(id, amount, taxFree)
			m.note("buyer pays %s (amount %d, tax-free %d)", id, amount, taxFree)
		} else {
			e.appr.Authorize(id)
			m.note("buyer authenticates %s", id)
		}
	case r < 45:
		id, _ := m.pick()
		p := e.get(id)
		m.note("buyer returns %s", id)
		m.run("return", func() { e.svc.Return(e.ctx, id, service.ReturnApprove, e.fake(p.Provider).ReturnQuery(id)) })
	case r < 50:
		id, _ := m.pick()
		p := e.get(id)
		if m.rnd.IntN(2) == 0 {
			e.fake(p.Provider).Quit(id)
		}
		m.note("buyer leaves %s", id)
		m.run("cancel return", func() { e.svc.Return(e.ctx, id, service.ReturnCancel, nil) })
	case r < 62:
		m.fault()
	case r < 72:
		id, _ := m.pick()
		amount := int64(0)
		if p := e.get(id); m.rnd.IntN(2) == 0 && p.CancelableAmount() > 1 {
			amount = 1 + m.rnd.Int64N(p.CancelableAmount()-1)
		}
		m.note("refund %s %d", id, amount)
		m.run("refund", func() {
			_, _, err := e.refund(id, amount)
			if pe := payment.AsProviderError(err); pe != nil && !m.outside[id] && (pe.Code == "CHECKSUM" || pe.Code == "TAX_FREE" || pe.Code == "OVER_CANCEL") {
				m.t.Errorf("refund of %s met the provider's guard: %v", id, err)
			}
		})
	case r < 75:
		id, _ := m.pick()
		if a := e.ver.Account(id); a != nil && a.Charged && a.Amount-a.Canceled-a.Pending > 0 {
			e.ver.RefundOutside(id, 1, 0)
			m.outside[id] = true
			m.note("operator refunds 1 won of %s outside", id)
			if m.rnd.IntN(2) == 0 {
				m.note("webhook %s", id)
				m.run("sync", func() { e.svc.Sync(e.ctx, id) })
			}
		}
	case r < 78:
		id, _ := m.pick()
		ok := m.rnd.IntN(3) > 0
		if e.ver.Settle(id, ok) {
			m.note("provider settles an async refund of %s: %v", id, ok)
		}
	case r < 83:
		id, _ := m.pick()
		m.note("webhook %s", id)
		m.run("sync", func() { e.svc.Sync(e.ctx, id) })
	case r < 86:
		m.note("restart")
		e.restart()
	default:
		d := time.Duration(m.rnd.IntN(240)) * time.Second
		e.clock.Advance(d)
		m.note("sweep after %s", d)
		m.run("sweep", func() { e.svc.Sweep(e.ctx) })
	}
}

// quiesce stops faults, lets the provider finish accepted refunds, and
// runs time past every window with sweeps.
func (m *model) quiesce() {
	e := m.e
	e.appr.Reset()
	e.ver.Reset()
	for _, id := range m.ids {
		for e.ver.Settle(id, true) {
		}
	}
	defer func() {
		// The provider's webhooks for outside refunds arrive in the end.
		for id := range m.outside {
			if _, err := e.svc.Sync(e.ctx, id); err != nil {
				m.t.Errorf("sync %s: %v", id, err)
			}
		}
	}()
	for range 30 {
		e.clock.Advance(10 * time.Minute)
		for _, id := range m.ids {
			if p := e.get(id); now(e).After(p.ExpiresAt) {
				e.appr.Expire(id)
			}
		}
		if _, err := e.svc.Sweep(e.ctx); err != nil {
			m.t.Fatalf("sweep: %v", err)
		}
	}
}

func now(e *env) time.Time { return e.clock.Now() }

// check asserts the invariants; final adds those that hold once everything
// has settled.
func (m *model) check(final bool) {
	e := m.e
	var pbNet, provNet int64
	for _, id := range m.ids {
		p := e.get(id)
		a := e.fake(p.Provider).Account(id)
		if a == nil {
			m.t.Errorf("%s: the provider never heard of it", id)
			continue
		}
		if p.Status.Settled() && (!a.Charged || a.Amount != p.Amount) {
			m.t.Errorf("%s is %s in paybridge without that money at the provider: %+v", id, p.Status, a)
		}
		if p.CanceledAmount > a.Canceled {
			m.t.Errorf("%s: paybridge records %d refunded, the provider %d", id, p.CanceledAmount, a.Canceled)
		}
		if a.Approves > 1 || a.Canceled+a.Pending > a.Amount {
			m.t.Errorf("%s: charged %d times, refunded %d+%d of %d", id, a.Approves, a.Canceled, a.Pending, a.Amount)
		}
		if !final {
			continue
		}
		if p.Status == payment.StatusApproving || p.Status == payment.StatusReady || p.Status == payment.StatusCreated {
			m.t.Errorf("%s is still %s after every window", id, p.Status)
		}
		for _, c := range e.cancellations(id) {
			if c.Status == payment.CancellationPending {
				m.t.Errorf("%s: refund %s still pending", id, c.ID)
			}
		}
		if p.Status.Settled() {
			pbNet += p.Amount - p.CanceledAmount
			if p.CanceledAmount != a.Canceled {
				m.t.Errorf("%s: paybridge refunded %d, the provider %d", id, p.CanceledAmount, a.Canceled)
			}
		} else if a.Charged && a.Canceled != a.Amount {
			m.t.Errorf("%s is %s (%s) but the provider keeps %d won of it", id, p.Status, p.FailureCode, a.Amount-a.Canceled)
		}
		if a.Charged {
			provNet += a.Amount - a.Canceled
		}
	}
	if final && pbNet != provNet {
		m.t.Errorf("paybridge holds %d won net, the provider %d", pbNet, provNet)
	}
}
