package iamport

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// windowView is what the payment window shows.
type windowView struct {
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
// parameters) included.
var windowPage = template.Must(template.New("window").Parse(`<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>PortOne V1 SANDBOX</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em}
.banner{background:#ff6b00;color:#fff;padding:.6em;font-weight:bold;text-align:center}
button{font-size:1em;margin:.3em .3em 0 0;padding:.5em 1em}</style></head>
<body>
<p class="banner">PortOne V1 (iamport) SANDBOX — no real money</p>
{{if .Message}}<p>{{.Message}}</p>
{{if .Blocked}}<form method="post"><button type="submit" name="action" value="return">Return to the shop</button></form>{{end}}
{{else}}
<table>
<tr><th align="left">Order</th><td>{{.Name}}</td></tr>
<tr><th align="left">Amount</th><td>{{.Amount}} KRW</td></tr>
<tr><th align="left">Buyer</th><td>{{.BuyerName}}</td></tr>
<tr><th align="left">Method</th><td>{{.PayMethod}} ({{.PG}})</td></tr>
<tr><th align="left">merchant_uid</th><td><code>{{.MerchantUID}}</code></td></tr>
<tr><th align="left">imp_uid</th><td><code>{{.ImpUID}}</code></td></tr>
</table>
<form method="post">
<input type="hidden" name="imp_uid" value="{{.ImpUID}}">
<button type="submit" name="action" value="approve">Pay</button>
<button type="submit" name="action" value="cancel">Cancel</button>
<button type="submit" name="action" value="fail">Fail (card declined)</button>
</form>{{end}}
</body></html>
`))

func renderWindow(w http.ResponseWriter, status int, v windowView) {
	render(w, status, windowPage, v)
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
<tr><th align="left">Amount</th><td>{{.Amount}} KRW</td></tr>
<tr><th align="left">Refunded</th><td>{{.Cancelled}} KRW</td></tr>
<tr><th align="left">Status</th><td>{{.Status}}</td></tr>
</table>{{else}}<p>No such payment.</p>{{end}}
</body></html>
`))

// serveReceipt is the page receipt_url points to.
func (s *Sandbox) serveReceipt(w http.ResponseWriter, r *http.Request, impUID string) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		render(w, http.StatusMethodNotAllowed, receiptPage, receiptView{})
		return
	}
	s.mu.Lock()
	p := s.payments[impUID]
	var v receiptView
	if p != nil {
		v = receiptView{ImpUID: p.impUID, MerchantUID: p.merchantUID, Name: p.name, Status: p.status,
			Amount: groupDigits(p.amount), Cancelled: groupDigits(p.cancelAmount)}
	}
	s.mu.Unlock()
	status := http.StatusOK
	if p == nil {
		status = http.StatusNotFound
	}
	render(w, status, receiptPage, v)
}

func render(w http.ResponseWriter, status int, t *template.Template, v any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = t.Execute(w, v) // a write error means the browser left
}

// groupDigits formats n with thousands separators, as Korean prices are shown.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
