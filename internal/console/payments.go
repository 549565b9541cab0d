package console

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider/registry"
	"github.com/paybridge/paybridge/internal/store"
)

// Page size of the payment list, and the most rows one CSV export holds.
const (
	listPageSize = 50
	maxCSVRows   = 10000
)

// providerName is a provider's display name (its registration's Title),
// or its id for one the registry does not know.
func providerName(id string) string {
	if r, ok := registry.Lookup(id); ok {
		return r.Title
	}
	return id
}

// The two modes of a payment, as the list's and the dashboard's mode
// parameter names them: live moves real money, test does not.
const (
	modeLive = "live"
	modeTest = "test"
)

// providerOrder is the registry's offer order.
var providerOrder = registry.Names()

// listFilter is the payment list's form, as typed.
type listFilter struct {
	Q, Status, Provider, Mode, Merchant, From, To, AmountMin, AmountMax string
}

type option struct {
	Value, Label string
	Selected     bool
}

type paymentsView struct {
	F          listFilter
	Payments   []*payment.Payment
	NextURL    string
	FirstURL   string
	CSVURL     string
	Statuses   []option
	Providers  []option
	Modes      []option
	Merchants  []option // empty for an operator limited to one merchant
	Error      string
	MaxCSVRows int
}

// parseFilter turns the list's query into a store query. Dates are days in
// KST; "to" is inclusive.
func (c *Console) parseFilter(rc *reqCtx, q url.Values) (listFilter, store.ConsoleQuery, error) {
	f := listFilter{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Provider: q.Get("provider"), Mode: q.Get("mode"),
		Merchant: q.Get("merchant"), From: q.Get("from"), To: q.Get("to"),
		AmountMin: strings.TrimSpace(q.Get("amount_min")), AmountMax: strings.TrimSpace(q.Get("amount_max"))}
	sq := store.ConsoleQuery{Text: truncate(f.Q, 200), Limit: listPageSize}
	if f.Status != "" {
		st := payment.Status(f.Status)
		if !st.Valid() {
			return f, sq, payment.Errorf(payment.EINVALID, "unknown status")
		}
		sq.Statuses = []payment.Status{st}
	}
	if f.Provider != "" {
		if _, ok := registry.Lookup(f.Provider); !ok {
			return f, sq, payment.Errorf(payment.EINVALID, "unknown provider")
		}
		sq.Provider = f.Provider
	}
	switch f.Mode {
	case "":
	case modeLive, modeTest:
		live := f.Mode == modeLive
		sq.Livemode = &live
	default:
		return f, sq, payment.Errorf(payment.EINVALID, "mode must be live or test")
	}
	sq.MerchantID = f.Merchant
	if scope := rc.merchantScope(); scope != "" {
		sq.MerchantID = scope
	}
	if f.From != "" {
		d, err := time.ParseInLocation(time.DateOnly, f.From, kst)
		if err != nil {
			return f, sq, payment.Errorf(payment.EINVALID, "from must be a date")
		}
		sq.CreatedGTE = d
	}
	if f.To != "" {
		d, err := time.ParseInLocation(time.DateOnly, f.To, kst)
		if err != nil {
			return f, sq, payment.Errorf(payment.EINVALID, "to must be a date")
		}
		sq.CreatedLT = d.AddDate(0, 0, 1)
	}
	for _, a := range []struct {
		s   string
		dst *int64
	}{{f.AmountMin, &sq.AmountMin}, {f.AmountMax, &sq.AmountMax}} {
		if a.s == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(a.s, ",", ""), 10, 64)
		if err != nil || n < 0 {
			return f, sq, payment.Errorf(payment.EINVALID, "amounts must be whole numbers of won")
		}
		*a.dst = n
	}
	if after := q.Get("after"); after != "" {
		at, id, ok := strings.Cut(after, ".")
		us, err := strconv.ParseInt(at, 10, 64)
		if !ok || err != nil || id == "" {
			return f, sq, payment.Errorf(payment.EINVALID, "bad page cursor")
		}
		sq.AfterCreated, sq.AfterID = time.UnixMicro(us), id
	}
	return f, sq, nil
}

func (f listFilter) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Q, "status": f.Status, "provider": f.Provider, "mode": f.Mode, "merchant": f.Merchant,
		"from": f.From, "to": f.To, "amount_min": f.AmountMin, "amount_max": f.AmountMax} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

func (c *Console) handlePayments(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	f, sq, err := c.parseFilter(rc, r.URL.Query())
	v := paymentsView{F: f, MaxCSVRows: maxCSVRows}
	v.Statuses = []option{{Value: "", Label: "Any status", Selected: f.Status == ""}}
	for _, s := range payment.Statuses {
		v.Statuses = append(v.Statuses, option{Value: string(s), Label: string(s), Selected: f.Status == string(s)})
	}
	v.Providers = []option{{Value: "", Label: "Any provider", Selected: f.Provider == ""}}
	for _, p := range providerOrder {
		v.Providers = append(v.Providers, option{Value: p, Label: providerName(p), Selected: f.Provider == p})
	}
	v.Modes = []option{{Value: "", Label: "Live and test", Selected: f.Mode == ""},
		{Value: modeLive, Label: "Live (real money)", Selected: f.Mode == modeLive},
		{Value: modeTest, Label: "Test", Selected: f.Mode == modeTest}}
	if rc.merchantScope() == "" {
		ms, merr := c.st.FindMerchants(r.Context())
		if merr != nil {
			c.fail(w, r, rc, merr)
			return
		}
		v.Merchants = []option{{Value: "", Label: "All merchants", Selected: f.Merchant == ""}}
		for _, m := range ms {
			v.Merchants = append(v.Merchants, option{Value: m.ID, Label: m.Name, Selected: f.Merchant == m.ID})
		}
	}
	if err != nil {
		v.Error = payment.ErrorMessage(err)
		c.render(w, r, rc, http.StatusBadRequest, "payments", "Payments", v)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		c.exportCSV(w, r, rc, sq)
		return
	}
	ps, more, err := c.st.ConsolePayments(r.Context(), sq)
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	v.Payments = ps
	vals := f.values()
	if more {
		last := ps[len(ps)-1]
		nv := f.values()
		nv.Set("after", strconv.FormatInt(last.CreatedAt.UnixMicro(), 10)+"."+last.ID)
		v.NextURL = "/console/payments?" + nv.Encode()
	}
	if r.URL.Query().Get("after") != "" {
		v.FirstURL = "/console/payments?" + vals.Encode()
	}
	vals.Set("format", "csv")
	v.CSVURL = "/console/payments?" + vals.Encode()
	c.render(w, r, rc, http.StatusOK, "payments", "Payments", v)
}

// exportCSV streams the filtered list, page by page, up to maxCSVRows
// rows. Cells a spreadsheet would run as a formula are defused.
func (c *Console) exportCSV(w http.ResponseWriter, r *http.Request, rc *reqCtx, sq store.ConsoleQuery) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="payments-`+c.now().In(kst).Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "merchant_id", "created_at_kst", "status", "provider", "order_id", "order_name", "customer_id",
		"amount", "tax_free_amount", "canceled_amount", "provider_id", "approved_at_kst", "failure_code", "failure_message", "livemode"})
	rows, truncated := 0, false
	sq.Limit = 500
	for rows < maxCSVRows {
		ps, more, err := c.st.ConsolePayments(r.Context(), sq)
		if err != nil {
			c.log.Error("console csv export failed mid-way", "error", err, "rows", rows)
			break
		}
		for _, p := range ps {
			if rows == maxCSVRows {
				truncated = true
				break
			}
			cw.Write(csvSafe(p.ID, p.MerchantID, kstTime(p.CreatedAt), string(p.Status), p.Provider, p.OrderID, p.OrderName,
				p.CustomerID, strconv.FormatInt(p.Amount, 10), strconv.FormatInt(p.TaxFreeAmount, 10),
				strconv.FormatInt(p.CanceledAmount, 10), p.ProviderTID, kstTime(p.ApprovedAt), p.FailureCode, p.FailureMessage,
				strconv.FormatBool(p.Livemode)))
			rows++
		}
		cw.Flush()
		if !more || len(ps) == 0 {
			break
		}
		if rows == maxCSVRows {
			truncated = true
			break
		}
		last := ps[len(ps)-1]
		sq.AfterCreated, sq.AfterID = last.CreatedAt, last.ID
	}
	if truncated {
		cw.Write([]string{"# truncated at " + strconv.Itoa(maxCSVRows) + " rows: narrow the filter"})
	}
	cw.Flush()
	c.audit(r.Context(), r, rc.Op, "", sq.MerchantID, "payments_exported", "", strconv.Itoa(rows)+" rows")
}

func kstTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(kst).Format(time.RFC3339)
}

// csvSafe prefixes cells that a spreadsheet would evaluate (=, +, -, @,
// tab, CR) with a quote, so an order name cannot run a formula.
func csvSafe(cells ...string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}

// paymentView is the payment page.
type paymentView struct {
	P             *payment.Payment
	MerchantName  string
	ProviderName  string
	ProviderIDs   []kv
	Explanation   string
	Events        []*payment.Event
	Cancellations []*payment.Cancellation
	Webhooks      []*payment.WebhookEvent
	Audit         []*payment.AuditEntry
	Refundable    int64
	RefundableTF  int64
	CanRefund     bool
	SandboxWindow bool // test mode: the payment waits in a sandbox window
	Merchant      string
	// LastAnswer is the provider's last applied answer, indented for
	// reading; html/template escapes it, so a provider's string cannot
	// become markup.
	LastAnswer string
}

type kv struct{ Key, Value string }

// findPayment returns a payment the operator may see; another merchant's
// is ENOTFOUND.
func (c *Console) findPayment(r *http.Request, rc *reqCtx, id string) (*payment.Payment, error) {
	p, err := c.st.FindPaymentByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !rc.Op.Sees(p.MerchantID) {
		return nil, payment.Errorf(payment.ENOTFOUND, "payment not found")
	}
	return p, nil
}

func (c *Console) handlePayment(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := c.findPayment(r, rc, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	ctx := r.Context()
	v := paymentView{P: p, ProviderName: providerName(p.Provider), Refundable: p.CancelableAmount(),
		RefundableTF: p.CancelableTaxFreeAmount(), Merchant: p.MerchantID}
	if m, err := c.st.FindMerchantByID(ctx, p.MerchantID); err == nil {
		v.MerchantName = m.Name
	}
	if v.Events, err = c.st.FindEvents(ctx, p.ID); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	if v.Cancellations, err = c.st.FindCancellations(ctx, p.ID); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	if v.Webhooks, err = c.st.FindWebhookEventsOfPayment(ctx, p.ID); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	if v.Audit, err = c.st.FindAudit(ctx, payment.AuditFilter{Target: p.ID, Limit: 50}); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	pending := slices.ContainsFunc(v.Cancellations, func(c *payment.Cancellation) bool { return c.Status == payment.CancellationPending })
	v.CanRefund = rc.can(payment.RoleAdmin) && v.Refundable > 0 && !pending
	v.SandboxWindow = rc.can(payment.RoleAdmin) && c.opts.Sandboxes[p.Provider] && p.Status == payment.StatusReady && p.RedirectPC != ""
	v.ProviderIDs = providerIDs(p)
	v.Explanation = explain(rc.Lang, p, v.Cancellations)
	v.LastAnswer = indentAnswer(p.ProviderLastAnswer)
	c.render(w, r, rc, http.StatusOK, "payment", p.OrderName, v)
}

// indentAnswer pretty-prints a stored provider answer; one that is not
// JSON (it always is, as the adapters keep only JSON) is shown as stored.
func indentAnswer(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// providerIDs names the provider's ids the way its own console does.
func providerIDs(p *payment.Payment) []kv {
	var out []kv
	add := func(k, v string) {
		if v != "" {
			out = append(out, kv{k, v})
		}
	}
	switch p.Provider {
	case payment.ProviderKakaoPay:
		add("tid", p.ProviderTID)
		add("cid", p.ProviderCID)
		add("aid", p.ProviderApprovalID)
		add("partner_order_id", p.ProviderOrderID)
		add("partner_user_id", p.ProviderUserID)
	case payment.ProviderIamport:
		add("imp_uid", p.ProviderTID)
		add("merchant_uid", p.ProviderOrderID)
	case payment.ProviderPortOne:
		add("paymentId", p.ProviderTID)
	case payment.ProviderToss:
		add("paymentKey", p.ProviderTID)
		add("orderId", p.ProviderOrderID)
	}
	add("method", p.ProviderMethodType)
	return out
}
