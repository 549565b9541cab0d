package portone

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/sandbox"
)

// windowQuery is the buyer window's query: the parameters of the browser
// SDK's PortOne.requestPayment that the sandbox uses.
type windowQuery struct {
	storeID     string
	paymentID   string
	orderName   string
	totalAmount int64
	currency    string
	payMethod   string
	customerID  string
	redirectURL string
}

// The failure code PortOne's window returns with; the sandbox uses it for
// every failure and refusal.
const failureCodePG = "FAILURE_TYPE_PG"

// Failure reasons the window records and returns.
const (
	reasonUserCancel = "사용자가 결제를 취소했습니다"
	reasonDeclined   = "카드사에서 결제를 거절했습니다 (sandbox)"
	reasonMismatch   = "사전 등록된 결제 금액과 요청 금액이 다릅니다"
)

// parseWindow reads the window's query. fatal is set when the buyer cannot
// even be sent back (no paymentId or redirectUrl); refusal when the window
// refuses the payment and sends the buyer back with a failure.
func parseWindow(q url.Values) (wq windowQuery, fatal, refusal string) {
	wq = windowQuery{
		storeID:     q.Get("storeId"),
		paymentID:   q.Get("paymentId"),
		orderName:   q.Get("orderName"),
		currency:    q.Get("currency"),
		payMethod:   q.Get("payMethod"),
		customerID:  q.Get("customerId"),
		redirectURL: q.Get("redirectUrl"),
	}
	if wq.paymentID == "" {
		return wq, "paymentId is missing.", ""
	}
	if u, err := url.Parse(wq.redirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return wq, "redirectUrl must be an absolute http(s) URL.", ""
	}
	n, err := strconv.ParseInt(q.Get("totalAmount"), 10, 64)
	switch {
	case wq.orderName == "":
		return wq, "", "orderName is missing"
	case err != nil || n <= 0:
		return wq, "", "totalAmount must be a positive integer"
	case wq.currency != "KRW":
		return wq, "", "the sandbox settles KRW only"
	case payMethods[wq.payMethod] == "":
		return wq, "", "payMethod must be CARD or EASY_PAY"
	}
	wq.totalAmount = n
	return wq, "", ""
}

// checkoutView is what the window shows.
type checkoutView struct {
	sandbox.Chrome
	PaymentID string
	OrderName string
	Total     string
	PayMethod string
	Message   string // a refusal or a finished payment
	Actions   bool   // approve / cancel / fail buttons
	Return    bool   // the refusal's "return to the shop" button
}

// checkoutPage is plain HTML with no script: it must work in any browser and
// in tests that only follow forms and redirects. The forms post to the
// page's own URL, whose query carries the parameters. It speaks Korean, as
// PortOne's window does, or English (see i18n.FromRequest); refusals of
// malformed parameters are for developers and stay English.
var checkoutPage = sandbox.NewPage("checkout", "background:#fc6b2d;color:#fff;padding:.6em;font-weight:bold;text-align:center",
	`{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .OrderName}}<table>
<tr><th>{{.M.order}}</th><td>{{.OrderName}}</td></tr>
<tr><th>{{.M.amount}}</th><td>{{.Total}}</td></tr>
<tr><th>{{.M.method}}</th><td>{{index .M .PayMethod}}</td></tr>
<tr><th>{{.M.payment_id}}</th><td><code>{{.PaymentID}}</code></td></tr>
</table>{{end}}
{{if .Actions}}<form method="post">
{{template "actions" .}}</form>{{end}}
{{if .Return}}<form method="post">
<button type="submit" name="action" value="return">{{.M.return}}</button>
</form>{{end}}
`, text)

// text is the window's wording.
var text = i18n.Catalog{
	i18n.Korean: {
		"title": "포트원 샌드박스", "banner": "포트원 샌드박스 — 실제 돈은 오가지 않습니다",
		"method": "결제 수단", "payment_id": "결제 ID (paymentId)",
		"CARD": "카드", "EASY_PAY": "간편결제",
		"refused": "결제창이 이 결제를 거절했습니다: %s.", "paid": "이미 결제가 완료되었습니다.",
	},
	i18n.English: {
		"title": "PortOne SANDBOX", "banner": "PortOne SANDBOX — no real money",
		"method": "Method", "payment_id": "Payment ID",
		"CARD": "Card", "EASY_PAY": "Easy pay",
		"refused": "The payment window refused this payment: %s.", "paid": "This payment is already paid.",
	},
}

// serveCheckout is PortOne's payment window: GET shows it (and makes the
// paymentId a READY payment), POST carries out the buyer's choice and sends
// the browser back to redirectUrl the way PortOne does.
func (s *Sandbox) serveCheckout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD, POST")
		renderCheckout(w, r, http.StatusMethodNotAllowed, checkoutView{Message: checkoutPage.Msg(r, "method_na")})
		return
	}
	action := ""
	if r.Method == http.MethodPost {
		if err := sandbox.ReadForm(w, r); err != nil {
			renderCheckout(w, r, http.StatusBadRequest, checkoutView{Message: checkoutPage.Msg(r, "bad_form")})
			return
		}
		action = r.PostForm.Get("action")
	}
	wq, fatal, refusal := parseWindow(r.URL.Query())
	if fatal != "" {
		renderCheckout(w, r, http.StatusBadRequest, checkoutView{Message: fatal})
		return
	}
	view := checkoutView{
		PaymentID: wq.paymentID, OrderName: wq.orderName,
		Total: i18n.Won(wq.totalAmount), PayMethod: wq.payMethod,
	}

	s.mu.Lock()
	p := s.payments[wq.paymentID]
	if refusal == "" {
		refusal = s.refusalLocked(p, wq)
	}
	switch {
	case refusal != "":
		s.mu.Unlock()
		if action == "return" {
			http.Redirect(w, r, returnURL(wq.redirectURL, wq.paymentID, "", failureCodePG, refusal), http.StatusSeeOther)
			return
		}
		view.Message, view.Return = fmt.Sprintf(checkoutPage.Msg(r, "refused"), refusal), true
		renderCheckout(w, r, http.StatusBadRequest, view)
		return
	case p != nil && p.paid():
		s.mu.Unlock()
		// Paying twice from the window (back button, double submit) must
		// not be possible.
		view.Message = checkoutPage.Msg(r, "paid")
		renderCheckout(w, r, http.StatusConflict, view)
		return
	}
	p = s.openLocked(r, p, wq)
	if r.Method != http.MethodPost {
		s.mu.Unlock()
		view.Actions = true
		renderCheckout(w, r, http.StatusOK, view)
		return
	}
	next, events, ok := s.actLocked(r, p, wq, action)
	s.mu.Unlock()
	if !ok {
		view.Message, view.Actions = checkoutPage.Msg(r, "bad_action"), true
		renderCheckout(w, r, http.StatusBadRequest, view)
		return
	}
	s.notify(events)
	s.log.Info("portone sandbox: buyer acted", "payment_id", wq.paymentID, "action", action)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// refusalLocked is why the window refuses wq for p, or "".
func (s *Sandbox) refusalLocked(p *payment, wq windowQuery) string {
	if _, ok := s.storeFor(wq.storeID); !ok || (p != nil && wq.storeID != "" && wq.storeID != p.storeID) {
		return "the storeId is not this store's"
	}
	if p != nil && p.registered && !p.paid() && wq.totalAmount != p.regTotal {
		// The point of pre-registration: a tampered amount never reaches
		// the PG.
		return reasonMismatch
	}
	return ""
}

// openLocked makes the paymentId a READY payment for wq: a new one, a new
// attempt of a FAILED one (PortOne lets a paymentId be tried until it is
// paid), or the READY one refreshed.
func (s *Sandbox) openLocked(r *http.Request, p *payment, wq windowQuery) *payment {
	now := s.now()
	if p == nil {
		store, _ := s.storeFor(wq.storeID)
		p = &payment{id: wq.paymentID, storeID: store}
		s.payments[wq.paymentID] = p
	}
	if p.status != statusReady {
		p.transactionID = newUUID()
		p.requestedAt = now
		p.failure, p.failedAt = nil, time.Time{}
		p.setStatus(statusReady, now)
	}
	p.orderName, p.customerID, p.payMethod = wq.orderName, wq.customerID, wq.payMethod
	p.total, p.taxFree = wq.totalAmount, 0
	if p.registered {
		p.taxFree = p.regTaxFree
	}
	p.vat = defaultVAT(p.total - p.taxFree)
	p.origin = requestOrigin(r)
	p.receiptURL = s.baseURL(r) + "/receipts/" + url.PathEscape(p.id)
	return p
}

// actLocked carries out the buyer's action on the READY payment p and
// returns where to send the browser.
func (s *Sandbox) actLocked(r *http.Request, p *payment, wq windowQuery, action string) (string, []event, bool) {
	now := s.now()
	switch action {
	case "approve":
		p.setStatus(statusPaid, now)
		p.paidAt = now
		seq := s.nextSeqLocked()
		p.pgTxID = fmt.Sprintf("sandbox-pg-%06d", seq)
		p.approvalNumber = fmt.Sprintf("%08d", seq)
		ev := s.eventLocked(p, eventPaid, "")
		return returnURL(wq.redirectURL, p.id, p.transactionID, "", ""), []event{ev}, true
	case "cancel", "fail":
		reason := reasonUserCancel
		f := &failure{reason: reason, pgCode: "PAY_PROCESS_CANCELED", pgMessage: reason}
		if action == "fail" {
			reason = reasonDeclined
			f = &failure{reason: reason, pgCode: "SANDBOX_DECLINED", pgMessage: reason}
		}
		p.setStatus(statusFailed, now)
		p.failedAt, p.failure = now, f
		ev := s.eventLocked(p, eventFailed, "")
		return returnURL(wq.redirectURL, p.id, p.transactionID, failureCodePG, reason), []event{ev}, true
	}
	return "", nil, false
}

// returnURL is redirectUrl with PortOne's redirect parameters appended:
// paymentId, transactionType and txId, and code and message on failure.
// redirectUrl's own query is kept byte for byte.
func returnURL(redirectURL, paymentID, txID, code, message string) string {
	u, err := url.Parse(redirectURL) // checked by parseWindow
	if err != nil {
		return redirectURL
	}
	add := url.Values{"paymentId": {paymentID}, "transactionType": {"PAYMENT"}}
	if txID != "" {
		add.Set("txId", txID)
	}
	if code != "" {
		add.Set("code", code)
		add.Set("message", message)
	}
	if u.RawQuery == "" {
		u.RawQuery = add.Encode()
	} else {
		u.RawQuery += "&" + add.Encode()
	}
	return u.String()
}

// requestOrigin is PaymentOrigin for the browser that opened the window.
func requestOrigin(r *http.Request) origin {
	o := origin{platformType: "PC", ipAddress: r.RemoteAddr, userAgent: r.UserAgent()}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		o.ipAddress = host
	}
	if o.ipAddress == "" {
		o.ipAddress = "127.0.0.1"
	}
	if strings.Contains(o.userAgent, "Mobi") {
		o.platformType = "MOBILE"
	}
	if len(o.userAgent) > 200 {
		o.userAgent = o.userAgent[:200]
	}
	return o
}

func renderCheckout(w http.ResponseWriter, r *http.Request, status int, v checkoutView) {
	checkoutPage.Render(w, r, status, &v)
}
