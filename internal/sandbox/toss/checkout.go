package toss

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/sandbox"
)

// checkoutView is what the buyer window (and the receipt page) shows.
type checkoutView struct {
	sandbox.Chrome
	OrderID   string
	OrderName string
	Amount    string
	Message   string // set on error, "finished" and receipt pages
}

// checkoutPage is plain HTML with no script: it must work in any browser
// and in tests that only follow forms and redirects. The form has no
// action, so it posts to the window's own URL, query (the SDK parameters)
// included. It speaks Korean, as Toss's window does, or English (see
// i18n.FromRequest); the messages about malformed SDK parameters are for
// developers and stay English.
var checkoutPage = sandbox.NewPage("checkout", "background:#3182f6;color:#fff;padding:.6em;font-weight:bold;text-align:center",
	`{{if .Message}}<p>{{.Message}}</p>{{end}}
{{if .OrderID}}<table>
<tr><th>{{.M.order}}</th><td>{{.OrderName}}</td></tr>
<tr><th>{{.M.amount}}</th><td>{{.Amount}}</td></tr>
<tr><th>{{.M.order_id}}</th><td><code>{{.OrderID}}</code></td></tr>
<tr><th>{{.M.card}}</th><td>{{.M.test_card}}</td></tr>
</table>
{{if not .Message}}<form method="post">
{{template "actions" .}}</form>{{end}}{{end}}
`, text)

// text is the window's wording.
var text = i18n.Catalog{
	i18n.Korean: {
		"title": "토스페이먼츠 샌드박스", "banner": "토스페이먼츠 샌드박스 — 실제 돈은 오가지 않습니다",
		"order_id": "주문번호 (orderId)", "card": "카드",
		"test_card": "테스트 카드 (신용, 일시불)", "receipt": "영수증: %s, 환불되지 않은 금액 %s", "no_receipt": "영수증을 찾을 수 없습니다.",
	},
	i18n.English: {
		"title": "Toss Payments SANDBOX", "banner": "Toss Payments SANDBOX — no real money",
		"order_id": "Order ID", "card": "Card",
		"test_card": "Test card (credit, single payment)", "receipt": "Receipt: %s, %s not refunded.", "no_receipt": "No such receipt.",
	},
}

// customerKeyPattern is Toss's customerKey: 2 to 300 of [A-Za-z0-9-_=.,@].
var customerKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_=.,@-]{2,300}$`)

// Messages of the fail URL, in Toss's wording.
const (
	msgCanceled  = "사용자에 의해 결제가 취소되었습니다."
	msgRejected  = "결제 승인이 거절되었습니다."
	msgMinimum   = "신용카드는 결제금액이 100원 이상부터 결제가 가능합니다."
	msgDuplicate = "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요."
)

// minCardAmount is Toss's minimum card payment (BELOW_MINIMUM_AMOUNT).
const minCardAmount = 100

// checkoutRequest is the window's query: the parameters of the SDK's
// requestPayment.
type checkoutRequest struct {
	clientKey, orderID, orderName, customerKey string
	amount, taxFree                            int64
	successURL, failURL                        string
}

// parseCheckout checks the query the way Toss's SDK checks its arguments;
// the SDK refuses to open the window (no redirect) when they are wrong, so
// the sandbox answers 400 with the reason.
func parseCheckout(q url.Values) (checkoutRequest, string) {
	c := checkoutRequest{
		clientKey: q.Get("clientKey"), orderID: q.Get("orderId"), orderName: q.Get("orderName"),
		customerKey: q.Get("customerKey"), successURL: q.Get("successUrl"), failURL: q.Get("failUrl"),
	}
	var err error
	c.amount, err = strconv.ParseInt(q.Get("amount"), 10, 64)
	switch {
	case !strings.HasPrefix(c.clientKey, "test_ck_") && !strings.HasPrefix(c.clientKey, "test_gck_"):
		return c, "clientKey must be a test client key (test_ck_… or test_gck_…)."
	case !orderIDPattern.MatchString(c.orderID):
		return c, "orderId must be 6-64 characters of A-Z a-z 0-9 _ -."
	case c.orderName == "" || utf8.RuneCountInString(c.orderName) > 100:
		return c, "orderName is required and at most 100 characters."
	case err != nil || c.amount < 1 || c.amount > maxAmount:
		return c, "amount must be a whole number of won, at least 1."
	case c.customerKey != "" && !customerKeyPattern.MatchString(c.customerKey):
		return c, "customerKey must be 2-300 characters of A-Z a-z 0-9 - _ = . , @."
	case !absoluteURL(c.successURL) || !absoluteURL(c.failURL):
		return c, "successUrl and failUrl must be absolute http(s) URLs."
	}
	if m := q.Get("method"); m != "" && m != "CARD" && m != methodCard {
		return c, "The sandbox emulates card payments only: method must be CARD."
	}
	if tf := q.Get("taxFreeAmount"); tf != "" {
		c.taxFree, err = strconv.ParseInt(tf, 10, 64)
		if err != nil || c.taxFree < 0 || c.taxFree > c.amount {
			return c, "taxFreeAmount must be a whole number between 0 and amount."
		}
	}
	return c, ""
}

func absoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// serveCheckout is the buyer's side of Toss: GET shows the order, POST
// carries the buyer's choice and sends the browser back the way Toss does.
func (s *Sandbox) serveCheckout(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, HEAD, POST")
		renderPage(w, r, http.StatusMethodNotAllowed, checkoutView{Message: checkoutPage.Msg(r, "method_na")})
		return
	}
	c, problem := parseCheckout(r.URL.Query())
	if problem != "" {
		renderPage(w, r, http.StatusBadRequest, checkoutView{Message: problem})
		return
	}
	if r.Method != http.MethodPost {
		renderPage(w, r, http.StatusOK, checkoutView{OrderID: c.orderID, OrderName: c.orderName, Amount: i18n.Won(c.amount)})
		return
	}
	if err := sandbox.ReadForm(w, r); err != nil {
		renderPage(w, r, http.StatusBadRequest, checkoutView{Message: checkoutPage.Msg(r, "bad_form")})
		return
	}
	var next string
	switch act := r.PostForm.Get("action"); act {
	case "approve":
		next = s.authenticate(r, c)
	case "cancel":
		next = sandbox.WithQuery(c.failURL, url.Values{"code": {"PAY_PROCESS_CANCELED"}, "message": {msgCanceled}, "orderId": {c.orderID}})
	case "fail":
		next = sandbox.WithQuery(c.failURL, url.Values{"code": {"REJECT_CARD_COMPANY"}, "message": {msgRejected}, "orderId": {c.orderID}})
	default:
		renderPage(w, r, http.StatusBadRequest, checkoutView{Message: checkoutPage.Msg(r, "bad_action")})
		return
	}
	s.log.Info("toss sandbox: buyer acted", "order_id", c.orderID, "action", r.PostForm.Get("action"))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// authenticate records the buyer's approval as an IN_PROGRESS payment with
// a new paymentKey and returns the success URL to send the buyer to: the
// server must confirm it within the confirm window.
func (s *Sandbox) authenticate(r *http.Request, c checkoutRequest) string {
	if c.amount < minCardAmount {
		return sandbox.WithQuery(c.failURL, url.Values{"code": {"BELOW_MINIMUM_AMOUNT"}, "message": {msgMinimum}, "orderId": {c.orderID}})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.approvedForOrderLocked(c.orderID) != nil {
		return sandbox.WithQuery(c.failURL, url.Values{"code": {"DUPLICATED_ORDER_ID"}, "message": {msgDuplicate}, "orderId": {c.orderID}})
	}
	p := &payment{
		paymentKey:      s.newPaymentKeyLocked(),
		orderID:         c.orderID,
		orderName:       c.orderName,
		amount:          c.amount,
		taxFree:         c.taxFree,
		checkoutURL:     s.baseURL(r) + "/checkout?" + r.URL.RawQuery,
		status:          statusInProgress,
		authenticatedAt: s.now(),
	}
	s.payments[p.paymentKey] = p
	s.byOrder[p.orderID] = append(s.byOrder[p.orderID], p.paymentKey)
	return sandbox.WithQuery(c.successURL, url.Values{
		"paymentKey":  {p.paymentKey},
		"orderId":     {p.orderID},
		"amount":      {strconv.FormatInt(p.amount, 10)},
		"paymentType": {"NORMAL"},
	})
}

// serveReceipt is the page receipt.url points to.
func (s *Sandbox) serveReceipt(w http.ResponseWriter, r *http.Request, key string) {
	s.mu.Lock()
	p := s.payments[key]
	var v checkoutView
	if p != nil && p.approved() {
		v = checkoutView{OrderID: p.orderID, OrderName: p.orderName, Amount: i18n.Won(p.amount),
			Message: fmt.Sprintf(checkoutPage.Msg(r, "receipt"), p.status, i18n.Won(p.balance))}
	}
	s.mu.Unlock()
	if v.OrderID == "" {
		renderPage(w, r, http.StatusNotFound, checkoutView{Message: checkoutPage.Msg(r, "no_receipt")})
		return
	}
	renderPage(w, r, http.StatusOK, v)
}

func renderPage(w http.ResponseWriter, r *http.Request, status int, v checkoutView) {
	checkoutPage.Render(w, r, status, &v)
}
