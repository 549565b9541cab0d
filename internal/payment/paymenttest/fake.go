// Package paymenttest holds a scripted fake payment.Provider for tests of
// the service and of anything else that drives providers. The fake keeps a
// small ledger of what happened to the money at the "provider" (authorised,
// charged, refunded), so a test can assert on the money and not only on
// what paybridge recorded; and every call can be scripted per test: an
// answer, an error of each class, a delay, a call that acts but whose
// answer is lost, or a crash of the caller right after the provider acted.
//
// It behaves like the real providers where paybridge depends on it: an
// approving fake (KakaoPay, Toss) charges only on Approve and refuses a
// second approve, a verifying fake (PortOne) charges when the buyer pays in
// the window and Approve only reads; Cancel honours the cancelable-amount
// guard and the idempotency key.
package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// Op names a provider call.
type Op string

// The provider calls.
const (
	OpReady   Op = "ready"
	OpApprove Op = "approve"
	OpLookup  Op = "lookup"
	OpCancel  Op = "cancel"
)

// Step scripts one call. The zero Step lets the call behave normally.
type Step struct {
	// Err is returned instead of acting (unless Lost or Crash is set).
	// Use Declined, Invalid or Upstream for the three classes.
	Err error
	// Lost makes the call act, then return an EUPSTREAM error: the provider
	// did it but the answer never arrived.
	Lost bool
	// Crash makes the call act, then end the calling goroutine
	// (runtime.Goexit), as a kill -9 of paybridge right after the provider
	// acted would. Run the caller in a goroutine (see Go).
	Crash bool
	// Delay waits before the call acts (or until ctx is done: then the
	// call does nothing and returns EUPSTREAM, like a timeout).
	Delay time.Duration
	// Answer replaces the answer of a call that succeeded (after acting).
	Answer *payment.ProviderPayment
	// Edit changes the answer of a call that succeeded (after acting).
	Edit func(*payment.ProviderPayment)
	// Async makes a Cancel accepted but not carried out (PortOne V2
	// REQUESTED): nothing is refunded until Settle is called.
	Async bool
	// Hook runs when the call starts, before anything else (to interleave
	// concurrent actors).
	Hook func()
}

// Declined, Invalid and Upstream are errors of each class, carrying a
// provider error as adapters do.
func Declined(code string) error {
	return payment.Wrap(payment.EDECLINED, &payment.ProviderError{Provider: "fake", HTTPStatus: 400, Code: code, Message: "declined"},
		"the provider declined (%s)", code)
}

// Invalid is an EINVALID error: the provider refused the request itself.
func Invalid(code string, status int) error {
	return payment.Wrap(payment.EINVALID, &payment.ProviderError{Provider: "fake", HTTPStatus: status, Code: code, Message: "invalid"},
		"the provider refused the request (%s)", code)
}

// Upstream is an EUPSTREAM error: the outcome is unknown.
func Upstream(status int) error {
	return payment.Wrap(payment.EUPSTREAM, &payment.ProviderError{Provider: "fake", HTTPStatus: status, Code: strconv.Itoa(status), Message: "upstream"},
		"the provider failed (HTTP %d); the outcome is unknown", status)
}

// Account is the provider's record of one payment: what happened to the
// money.
type Account struct {
	OrderID    string // paybridge's payment id, the order id at the provider
	TID        string // the provider's id
	Amount     int64  // the amount the window was opened with (a buyer may edit it)
	TaxFree    int64  // the tax-free part the window was opened with
	Authorized bool   // the buyer authenticated (approving providers)
	Charged    bool   // money moved
	Quit       bool   // the buyer gave up
	Failed     bool   // the provider failed it
	Canceled   int64  // refunded so far
	CanceledTF int64  // tax-free part of Canceled
	Pending    int64  // accepted refunds not carried out (Async)
	Approves   int    // approve calls that charged
	Refunds    int    // refunds carried out
	Expired    bool   // the window closed before a charge
	keys       map[string]*payment.ProviderPayment
	async      []asyncRefund
}

type asyncRefund struct{ amount, taxFree int64 }

// Provider is the scripted fake. Its zero value is not usable: call New.
type Provider struct {
	name      string
	finishing payment.Finishing

	mu       sync.Mutex
	script   map[Op][]Step
	accounts map[string]*Account // by order id
	byTID    map[string]*Account
	calls    []Op
	cancels  []payment.CancelRequest
	seq      int
}

// New returns a fake named name. verifies makes it a verifying provider
// (PortOne-like, whose window outlives paybridge's expiry); otherwise it
// approves (KakaoPay-like).
func New(name string, verifies bool) *Provider {
	return &Provider{
		name:      name,
		finishing: payment.Finishing{Verifies: verifies, WindowOutlivesExpiry: verifies},
		script:    map[Op][]Step{},
		accounts:  map[string]*Account{},
		byTID:     map[string]*Account{},
	}
}

// Name implements payment.Provider.
func (f *Provider) Name() string { return f.name }

// Finishing implements payment.Provider.
func (f *Provider) Finishing() payment.Finishing { return f.finishing }

// On queues steps for the next calls of op, in order.
func (f *Provider) On(op Op, steps ...Step) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script[op] = append(f.script[op], steps...)
}

// Reset drops every queued step.
func (f *Provider) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = map[Op][]Step{}
}

// Calls returns how many times op was called.
func (f *Provider) Calls(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == op {
			n++
		}
	}
	return n
}

// Account returns a copy of the provider's record of a payment (nil if
// the provider never heard of it).
func (f *Provider) Account(orderID string) *Account {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.accounts[orderID]
	if a == nil {
		return nil
	}
	c := *a
	c.keys, c.async = nil, nil
	return &c
}

// Accounts returns copies of every account.
func (f *Provider) Accounts() []*Account {
	f.mu.Lock()
	ids := make([]string, 0, len(f.accounts))
	for id := range f.accounts {
		ids = append(ids, id)
	}
	f.mu.Unlock()
	out := make([]*Account, 0, len(ids))
	for _, id := range ids {
		out = append(out, f.Account(id))
	}
	return out
}

// next pops the step for op and records the call.
func (f *Provider) next(op Op) Step {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
	q := f.script[op]
	if len(q) == 0 {
		return Step{}
	}
	f.script[op] = q[1:]
	return q[0]
}

// run plays step around act (which runs under the lock).
func (f *Provider) run(ctx context.Context, op Op, act func(Step) (*payment.ProviderPayment, error)) (*payment.ProviderPayment, error) {
	st := f.next(op)
	if st.Hook != nil {
		st.Hook()
	}
	if st.Delay > 0 {
		select {
		case <-time.After(st.Delay):
		case <-ctx.Done():
			return nil, payment.Wrap(payment.EUPSTREAM, ctx.Err(), "the provider did not answer in time")
		}
	}
	if st.Err != nil && !st.Lost && !st.Crash {
		return nil, st.Err
	}
	f.mu.Lock()
	res, err := act(st)
	f.mu.Unlock()
	switch {
	case st.Crash:
		runtime.Goexit()
	case st.Lost:
		return nil, payment.Wrap(payment.EUPSTREAM, errors.New("connection reset"), "the answer to %s was lost", op)
	}
	if err != nil {
		return nil, err
	}
	if st.Answer != nil {
		c := *st.Answer
		res = &c
	}
	if st.Edit != nil {
		st.Edit(res)
	}
	return res, nil
}

// Ready implements payment.Provider: it opens the provider's record.
func (f *Provider) Ready(ctx context.Context, p *payment.Payment, urls payment.ReturnURLs) (*payment.ReadyResult, error) {
	_, err := f.run(ctx, OpReady, func(Step) (*payment.ProviderPayment, error) {
		f.seq++
		a := &Account{OrderID: p.ID, TID: fmt.Sprintf("T%s-%d", f.name, f.seq), Amount: p.Amount, TaxFree: p.TaxFreeAmount}
		f.accounts[p.ID] = a
		f.byTID[a.TID] = a
		return &payment.ProviderPayment{}, nil
	})
	if err != nil {
		return nil, err
	}
	rr := &payment.ReadyResult{RedirectPC: "https://fake.example/pay/" + p.ID, CreatedAt: time.Time{}}
	if !f.finishing.Verifies {
		rr.TID = f.Account(p.ID).TID
	}
	return rr, nil
}

// Authorize is the buyer authenticating in an approving provider's window
// (KakaoPay's password, Toss's card step): no money moves yet.
func (f *Provider) Authorize(orderID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.accounts[orderID]; a != nil && !a.Quit && !a.Failed && !a.Expired {
		a.Authorized = true
	}
}

// Pay is the buyer paying in a verifying provider's window: the money
// moves. amount and taxFree may differ from the order (a tampered window);
// pass -1 to keep the order's.
func (f *Provider) Pay(orderID string, amount, taxFree int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.accounts[orderID]
	if a == nil || a.Charged || a.Quit || a.Failed {
		return
	}
	if amount >= 0 {
		a.Amount = amount
	}
	if taxFree >= 0 {
		a.TaxFree = taxFree
	}
	a.Authorized, a.Charged = true, true
}

// Quit is the buyer giving up in the window.
func (f *Provider) Quit(orderID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.accounts[orderID]; a != nil && !a.Charged {
		a.Quit = true
	}
}

// Fail is the provider failing the payment (a card refused in the window).
func (f *Provider) Fail(orderID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.accounts[orderID]; a != nil && !a.Charged {
		a.Failed = true
	}
}

// Expire closes an approving provider's window: an authorisation not
// approved by now can no longer be.
func (f *Provider) Expire(orderID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.accounts[orderID]; a != nil && !a.Charged {
		a.Expired = true
	}
}

// Settle carries out (ok) or refuses the oldest accepted asynchronous refund.
func (f *Provider) Settle(orderID string, ok bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	a := f.accounts[orderID]
	if a == nil || len(a.async) == 0 {
		return false
	}
	r := a.async[0]
	a.async = a.async[1:]
	a.Pending -= r.amount
	if ok {
		a.Canceled += r.amount
		a.CanceledTF += r.taxFree
		a.Refunds++
	}
	return true
}

// RefundOutside refunds amount, taxFree of it tax-free, at the provider
// without paybridge (an operator in the provider's console).
func (f *Provider) RefundOutside(orderID string, amount, taxFree int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.accounts[orderID]; a != nil && a.Charged && a.Canceled+a.Pending+amount <= a.Amount && a.CanceledTF+taxFree <= a.TaxFree {
		a.Canceled += amount
		a.CanceledTF += taxFree
		a.Refunds++
	}
}

// CancelRequests returns every cancel request that reached the provider
// (scripted failures included), in order.
func (f *Provider) CancelRequests() []payment.CancelRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]payment.CancelRequest(nil), f.cancels...)
}

// ReturnQuery is the query the provider's window sends the buyer back with
// after a success, as ParseReturn reads it.
func (f *Provider) ReturnQuery(orderID string) url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := url.Values{"ok": {"1"}, "order": {orderID}, "token": {"pg-" + orderID}}
	if a := f.accounts[orderID]; a != nil {
		q.Set("tid", a.TID)
		q.Set("amount", strconv.FormatInt(a.Amount, 10))
	}
	return q
}

// CodeCanceled is the fail return's code when the buyer cancelled in the
// window (as Toss's PAY_PROCESS_CANCELED).
const CodeCanceled = "CANCELED"

// ParseReturn implements payment.Provider for ReturnQuery's parameters
// (ok, token, tid, order, amount; code and message on failure).
func (f *Provider) ParseReturn(q url.Values) payment.Return {
	ret := payment.Return{Success: q.Get("ok") == "1", Token: q.Get("token"), TID: q.Get("tid"), OrderID: q.Get("order"),
		ErrorCode: q.Get("code"), ErrorMessage: q.Get("message")}
	if n, err := strconv.ParseInt(q.Get("amount"), 10, 64); err == nil {
		ret.Amount, ret.HasAmount = n, true
	}
	ret.Canceled = !ret.Success && ret.ErrorCode == CodeCanceled
	return ret
}

// Approve implements payment.Provider. An approving fake charges an
// authorised payment once; a second approve is refused as KakaoPay's -702
// is (EUPSTREAM: it says something happened). A verifying fake reads, by
// the return's tid when it has one.
func (f *Provider) Approve(ctx context.Context, p *payment.Payment, ret payment.Return) (*payment.ProviderPayment, error) {
	return f.run(ctx, OpApprove, func(Step) (*payment.ProviderPayment, error) {
		if f.finishing.Verifies {
			a := f.accounts[p.ID]
			if ret.TID != "" {
				if a = f.byTID[ret.TID]; a == nil {
					return &payment.ProviderPayment{State: payment.ProviderPending, RawStatus: "NOT_FOUND"}, nil
				}
			}
			return f.view(a), nil
		}
		a := f.accounts[p.ID]
		switch {
		case a == nil || (p.ProviderTID != "" && p.ProviderTID != a.TID):
			return nil, Invalid("NOT_FOUND", 404)
		case a.Charged:
			return nil, Upstream(400) // -702: already approved
		case a.Expired || a.Quit || a.Failed:
			return nil, Invalid("EXPIRED", 400)
		case !a.Authorized:
			return nil, Invalid("NOT_AUTHORIZED", 400)
		case ret.Token == "" && ret.TID == "":
			return nil, Invalid("NO_TOKEN", 400)
		}
		a.Charged = true
		a.Approves++
		return f.view(a), nil
	})
}

// Lookup implements payment.Provider, by ProviderTID when known, else by
// the payment's id.
func (f *Provider) Lookup(ctx context.Context, p *payment.Payment) (*payment.ProviderPayment, error) {
	return f.run(ctx, OpLookup, func(Step) (*payment.ProviderPayment, error) {
		a := f.accounts[p.ID]
		if p.ProviderTID != "" {
			a = f.byTID[p.ProviderTID]
		}
		return f.view(a), nil
	})
}

// Cancel implements payment.Provider with the providers' guards: the
// cancelable amount must be what the provider holds, the tax-free part must
// fit, and a repeated idempotency key returns the first result.
func (f *Provider) Cancel(ctx context.Context, p *payment.Payment, req payment.CancelRequest) (*payment.ProviderPayment, error) {
	var async bool
	f.mu.Lock()
	f.cancels = append(f.cancels, req)
	f.mu.Unlock()
	res, err := f.run(ctx, OpCancel, func(st Step) (*payment.ProviderPayment, error) {
		a := f.accounts[p.ID]
		if p.ProviderTID != "" {
			a = f.byTID[p.ProviderTID]
		}
		if a == nil || !a.Charged {
			return nil, Invalid("NOT_PAID", 400)
		}
		if req.IdempotencyKey != "" {
			if prev, ok := a.keys[req.IdempotencyKey]; ok {
				c := *prev
				return &c, nil
			}
		}
		balance := a.Amount - a.Canceled - a.Pending
		switch {
		case req.Amount <= 0 || req.Amount > balance:
			return nil, Invalid("OVER_CANCEL", 400)
		case req.Cancelable != balance:
			return nil, Invalid("CHECKSUM", 400)
		case req.TaxFreeAmount < 0 || req.TaxFreeAmount > req.Amount || req.TaxFreeAmount > a.TaxFree-a.CanceledTF:
			return nil, Invalid("TAX_FREE", 400)
		}
		v := f.view(a)
		if st.Async {
			a.Pending += req.Amount
			a.async = append(a.async, asyncRefund{req.Amount, req.TaxFreeAmount})
			async = true
			return v, nil
		}
		a.Canceled += req.Amount
		a.CanceledTF += req.TaxFreeAmount
		a.Refunds++
		v = f.view(a)
		if req.IdempotencyKey != "" {
			if a.keys == nil {
				a.keys = map[string]*payment.ProviderPayment{}
			}
			c := *v
			a.keys[req.IdempotencyKey] = &c
		}
		return v, nil
	})
	if err == nil && async {
		return nil, payment.Wrap(payment.EUPSTREAM, payment.ErrRefundAccepted, "the refund was accepted and is carried out later")
	}
	return res, err
}

// view is the provider's answer about a, as adapters translate it.
func (f *Provider) view(a *Account) *payment.ProviderPayment {
	if a == nil {
		return &payment.ProviderPayment{State: payment.ProviderPending, RawStatus: "NOT_FOUND"}
	}
	v := &payment.ProviderPayment{
		TID: a.TID, OrderID: a.OrderID, Amount: a.Amount, TaxFreeAmount: a.TaxFree, TaxFreeKnown: true,
		CanceledAmount: a.Canceled, CanceledTaxFreeAmount: a.CanceledTF, PendingCancelAmount: a.Pending,
	}
	switch {
	case a.Charged && a.Canceled == a.Amount:
		v.State, v.RawStatus = payment.ProviderCanceled, "CANCELED"
	case a.Charged && a.Canceled > 0:
		v.State, v.RawStatus = payment.ProviderPartiallyCanceled, "PARTIAL_CANCELED"
	case a.Charged:
		v.State, v.RawStatus = payment.ProviderPaid, "PAID"
	case a.Quit:
		v.State, v.RawStatus = payment.ProviderQuit, "QUIT"
	case a.Failed || a.Expired:
		v.State, v.RawStatus = payment.ProviderFailed, "FAILED"
	case a.Authorized:
		v.State, v.RawStatus = payment.ProviderPending, "AUTHORIZED"
	default:
		v.State, v.RawStatus = payment.ProviderPending, "READY"
	}
	if a.Charged {
		v.CancelableAmount = a.Amount - a.Canceled - a.Pending
	}
	if !f.finishing.Verifies && !a.Charged {
		// An approving provider knows the payment by its tid before the
		// charge; a verifying one only its window.
		v.Amount = a.Amount
	}
	return v
}

// Go runs fn in a goroutine and waits for it to return or to crash (a
// Crash step ends it with runtime.Goexit). It reports whether fn returned.
func Go(fn func()) (returned bool) {
	done := make(chan bool, 1)
	go func() {
		ok := false
		defer func() { done <- ok }()
		fn()
		ok = true
	}()
	return <-done
}

var _ payment.Provider = (*Provider)(nil)
