package iamport

import (
	"html/template"
	"net/http"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/sandbox"
)

// windowView is what the payment window shows.
type windowView struct {
	sandbox.Chrome
	ImpUID      string
	MerchantUID string
	Name        string
	BuyerName   string
	PayMethod   string
	PG          string
	Amount      string
	// Message replaces the form: an error, or why the window is blocked.
	Message string
	// Blocked shows the single "return" button under Message.
	Blocked bool
}

// windowPage is plain HTML with no script: it must work in any browser and
// in tests that only follow forms and redirects. Forms have no action, so
// they post back to the window's own URL, query (the IMP.request_pay
// parameters) included. It speaks Korean, as PortOne's window does, or
// English (see i18n.FromRequest).
var windowPage = sandbox.NewPage("window", "background:#ff6b00;color:#fff;padding:.6em;font-weight:bold;text-align:center",
	`{{if .Message}}<p>{{.Message}}</p>
{{if .Blocked}}<form method="post"><button type="submit" name="action" value="return">{{.M.return}}</button></form>{{end}}
{{else}}
<table>
<tr><th>{{.M.order}}</th><td>{{.Name}}</td></tr>
<tr><th>{{.M.amount}}</th><td>{{.Amount}}</td></tr>
<tr><th>{{.M.buyer}}</th><td>{{.BuyerName}}</td></tr>
<tr><th>{{.M.method}}</th><td>{{.PayMethod}} ({{.PG}})</td></tr>
<tr><th>merchant_uid</th><td><code>{{.MerchantUID}}</code></td></tr>
<tr><th>imp_uid</th><td><code>{{.ImpUID}}</code></td></tr>
</table>
<form method="post">
<input type="hidden" name="imp_uid" value="{{.ImpUID}}">
{{template "actions" .}}</form>{{end}}
`, text)

// text is the window's wording.
var text = i18n.Catalog{
	i18n.Korean: {
		"title": "포트원 V1 샌드박스", "banner": "포트원 V1 (아임포트) 샌드박스 — 실제 돈은 오가지 않습니다",
		"buyer": "구매자", "method": "결제 수단",
		"fail": "결제 실패 (카드 거절 시험)", "not_this": "이 결제창은 그 결제의 것이 아닙니다.", "used": "이미 사용된 결제창입니다 (%s).",
	},
	i18n.English: {
		"title": "PortOne V1 SANDBOX", "banner": "PortOne V1 (iamport) SANDBOX — no real money",
		"buyer": "Buyer", "method": "Method",
		"approve": "Pay", "fail": "Fail (card declined)", "not_this": "This window does not belong to that payment.", "used": "This payment window has already been used (%s).",
	},
}

func renderWindow(w http.ResponseWriter, r *http.Request, status int, v windowView) {
	windowPage.Render(w, r, status, &v)
}

// receiptView is what a receipt_url shows.
type receiptView struct {
	ImpUID, MerchantUID, Name, Status string
	Amount, Cancelled                 string
}

var receiptPage = template.Must(template.New("receipt").Parse(`<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>PortOne V1 SANDBOX receipt</title></head>
<body>
<p><b>PortOne V1 (iamport) SANDBOX — no real money</b></p>
{{if .ImpUID}}<table>
<tr><th align="left">imp_uid</th><td>{{.ImpUID}}</td></tr>
<tr><th align="left">merchant_uid</th><td>{{.MerchantUID}}</td></tr>
<tr><th align="left">Order</th><td>{{.Name}}</td></tr>
<tr><th align="left">Amount</th><td>{{.Amount}}원</td></tr>
<tr><th align="left">Refunded</th><td>{{.Cancelled}}원</td></tr>
<tr><th align="left">Status</th><td>{{.Status}}</td></tr>
</table>{{else}}<p>No such payment.</p>{{end}}
</body></html>
`))

// serveReceipt is the page receipt_url points to.
func (s *Sandbox) serveReceipt(w http.ResponseWriter, r *http.Request, impUID string) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		sandbox.RenderHTML(w, http.StatusMethodNotAllowed, receiptPage, receiptView{})
		return
	}
	s.mu.Lock()
	p := s.payments[impUID]
	var v receiptView
	if p != nil {
		v = receiptView{ImpUID: p.impUID, MerchantUID: p.merchantUID, Name: p.name, Status: p.status,
			Amount: sandbox.GroupDigits(p.amount), Cancelled: sandbox.GroupDigits(p.cancelAmount)}
	}
	s.mu.Unlock()
	status := http.StatusOK
	if p == nil {
		status = http.StatusNotFound
	}
	sandbox.RenderHTML(w, status, receiptPage, v)
}
