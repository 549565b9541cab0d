package kakaopay

import (
	"net/http"
	"net/url"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/sandbox"
)

// checkoutView is what the buyer page shows.
type checkoutView struct {
	sandbox.Chrome
	TID      string
	ItemName string
	Quantity int64
	Total    string
	Methods  []string // choices offered; the first is preselected
	Message  string   // key of the message of the "finished" and "not found" pages
}

// checkoutPage is plain HTML with no script: it must work in any browser and
// in tests that only follow forms and redirects. It speaks Korean, as
// KakaoPay's window does, or English (see i18n.FromRequest).
var checkoutPage = sandbox.NewPage("checkout", "background:#ffeb00;border:2px solid #3c1e1e;padding:.6em;font-weight:bold;text-align:center",
	`{{if .Message}}<p>{{index .M .Message}}</p>{{else}}
<table>
<tr><th>{{.M.item}}</th><td>{{.ItemName}}</td></tr>
<tr><th>{{.M.quantity}}</th><td>{{.Quantity}}</td></tr>
<tr><th>{{.M.amount}}</th><td>{{.Total}}</td></tr>
<tr><th>{{.M.tid}}</th><td><code>{{.TID}}</code></td></tr>
</table>
<form method="post">
<p><label>{{.M.method}} <select name="method">{{$m := .M}}{{range .Methods}}<option value="{{.}}">{{index $m .}}</option>{{end}}</select></label></p>
{{template "actions" .}}</form>{{end}}
`, text)

// text is the window's wording.
var text = i18n.Catalog{
	i18n.Korean: {
		"title": "카카오페이 샌드박스", "banner": "카카오페이 샌드박스 — 실제 돈은 오가지 않습니다",
		"item": "상품", "quantity": "수량", "tid": "결제 고유번호 (tid)",
		"method": "결제 수단", methodMoney: "카카오페이머니", methodCard: "카드",
		"approve": "결제 승인", "msg_method": "허용되지 않는 요청입니다.",
		"msg_not_found":  "결제 정보를 찾을 수 없습니다.",
		"msg_bad_form":   "요청 형식이 올바르지 않습니다.",
		"msg_bad_action": "알 수 없는 동작입니다. 승인, 취소, 실패 중에서 고르세요.",
		"msg_authorized": "결제가 인증되었습니다. 상점에서 결제를 마무리하고 있으니 이 창을 닫으셔도 됩니다.",
		"msg_complete":   "이미 완료된 결제입니다.",
		"msg_quit":       "구매자가 취소한 결제입니다.",
		"msg_failed":     "실패했거나 시간이 지난 결제입니다.",
	},
	i18n.English: {
		"title": "KakaoPay SANDBOX", "banner": "KakaoPay SANDBOX — no real money",
		"item": "Item", "quantity": "Quantity", "tid": "Payment ID (tid)",
		"method": "Pay with", methodMoney: "KakaoPay Money", methodCard: "Card",
		"msg_method":     "Method not allowed.",
		"msg_not_found":  "No such payment.",
		"msg_bad_form":   "Malformed form.",
		"msg_bad_action": "Unknown action; use approve, cancel or fail.",
		"msg_authorized": "This payment was authorised; the shop is finishing it. You may close this page.",
		"msg_complete":   "This payment is complete.",
		"msg_quit":       "This payment was cancelled by the buyer.",
		"msg_failed":     "This payment has failed or expired.",
	},
}

// serveCheckout is the buyer's side of KakaoPay: it shows the payment and
// lets the buyer approve, quit or fail it, then sends the browser back to
// the merchant's URL the way KakaoPay does.
func (s *Sandbox) serveCheckout(w http.ResponseWriter, r *http.Request, tid string) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		s.showCheckout(w, r, tid)
	case http.MethodPost:
		s.submitCheckout(w, r, tid)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		renderCheckout(w, r, http.StatusMethodNotAllowed, checkoutView{Message: "msg_method"})
	}
}

// lockCheckout takes s.mu and finds the payment the page is for, applying
// any due expiry. When there is none it answers not found, releases s.mu
// and returns nil; otherwise the caller holds s.mu.
func (s *Sandbox) lockCheckout(w http.ResponseWriter, r *http.Request, tid string) *payment {
	s.mu.Lock()
	p := s.payments[tid]
	if p == nil {
		s.mu.Unlock()
		renderCheckout(w, r, http.StatusNotFound, checkoutView{Message: "msg_not_found"})
		return nil
	}
	s.expireIfDue(p)
	return p
}

func (s *Sandbox) showCheckout(w http.ResponseWriter, r *http.Request, tid string) {
	p := s.lockCheckout(w, r, tid)
	if p == nil {
		return
	}
	if p.expired {
		failURL := p.failURL
		s.mu.Unlock()
		http.Redirect(w, r, failURL, http.StatusSeeOther)
		return
	}
	if p.status == statusReady {
		p.status = statusOpenPayment
	}
	v := checkoutView{
		TID:      p.tid,
		ItemName: p.itemName,
		Quantity: p.quantity,
		Total:    i18n.Won(p.amount.Total),
		Methods:  []string{methodMoney, methodCard},
	}
	if p.allowedMethod != "" {
		v.Methods = []string{p.allowedMethod}
	}
	if !p.buyerPending() {
		v.Message = finishedMessage(p.status)
	}
	s.mu.Unlock()
	renderCheckout(w, r, http.StatusOK, v)
}

func (s *Sandbox) submitCheckout(w http.ResponseWriter, r *http.Request, tid string) {
	if err := sandbox.ReadForm(w, r); err != nil {
		renderCheckout(w, r, http.StatusBadRequest, checkoutView{Message: "msg_bad_form"})
		return
	}
	act := r.PostForm.Get("action")
	method := r.PostForm.Get("method")

	p := s.lockCheckout(w, r, tid)
	if p == nil {
		return
	}
	var next string
	switch {
	case p.expired:
		next = p.failURL
	case !p.buyerPending():
		// Approving twice from the page (back button, double submit) must
		// not issue a second pg_token.
		msg := finishedMessage(p.status)
		s.mu.Unlock()
		renderCheckout(w, r, http.StatusConflict, checkoutView{Message: msg})
		return
	case act == "approve":
		if p.allowedMethod != "" {
			method = p.allowedMethod
		} else if method != methodCard {
			method = methodMoney
		}
		p.method = method
		p.status = statusAuthPassword
		p.pgToken = newPGToken()
		next = withPGToken(p.approvalURL, p.pgToken)
	case act == "cancel":
		p.status = statusQuit
		next = p.cancelURL
	case act == "fail":
		p.status = statusFail
		next = p.failURL
	default:
		s.mu.Unlock()
		renderCheckout(w, r, http.StatusBadRequest, checkoutView{Message: "msg_bad_action"})
		return
	}
	status := p.status
	s.mu.Unlock()
	s.log.Info("kakaopay sandbox: buyer acted", "tid", tid, "action", act, "status", status)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// withPGToken appends pg_token to the approval URL, keeping any query the
// merchant put there byte for byte.
func withPGToken(approvalURL, token string) string {
	u, err := url.Parse(approvalURL) // validated at ready
	if err != nil {
		return approvalURL
	}
	add := url.Values{"pg_token": {token}}.Encode()
	if u.RawQuery == "" {
		u.RawQuery = add
	} else {
		u.RawQuery += "&" + add
	}
	return u.String()
}

// finishedMessage is the key of what the window says about a payment the
// buyer can no longer act on.
func finishedMessage(status string) string {
	switch status {
	case statusAuthPassword:
		return "msg_authorized"
	case statusSuccess, statusPartCancel, statusCancel:
		return "msg_complete"
	case statusQuit:
		return "msg_quit"
	default:
		return "msg_failed"
	}
}

func renderCheckout(w http.ResponseWriter, r *http.Request, status int, v checkoutView) {
	checkoutPage.Render(w, r, status, &v)
}
