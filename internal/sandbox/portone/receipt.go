package portone

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// receiptView is what a receipt page shows.
type receiptView struct {
	PaymentID string
	OrderName string
	Status    string
	Total     string
	Cancelled string
}

// receiptPage stands in for the PG's receipt, which receiptUrl points to.
var receiptPage = template.Must(template.New("receipt").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PortOne SANDBOX receipt</title></head>
<body><p><strong>PortOne SANDBOX — no real money</strong></p>
{{if .PaymentID}}<table>
<tr><th align="left">Payment ID</th><td><code>{{.PaymentID}}</code></td></tr>
<tr><th align="left">Order</th><td>{{.OrderName}}</td></tr>
<tr><th align="left">Status</th><td>{{.Status}}</td></tr>
<tr><th align="left">Amount</th><td>{{.Total}}원</td></tr>
<tr><th align="left">Refunded</th><td>{{.Cancelled}}원</td></tr>
</table>{{else}}<p>No such receipt.</p>{{end}}
</body></html>
`))

// serveReceipt is GET /receipts/{paymentId}, the page receiptUrl names.
func (s *Sandbox) serveReceipt(w http.ResponseWriter, r *http.Request, rawID string) {
	id, err := url.PathUnescape(rawID)
	s.mu.Lock()
	p := s.payments[id]
	var v receiptView
	if err == nil && p != nil && p.paid() {
		cancelled, _, _ := p.sums(cancelSucceeded)
		v = receiptView{PaymentID: p.id, OrderName: p.orderName, Status: p.status,
			Total: sandbox.GroupDigits(p.total), Cancelled: sandbox.GroupDigits(cancelled)}
	}
	s.mu.Unlock()
	status := http.StatusOK
	if v.PaymentID == "" {
		status = http.StatusNotFound
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		status = http.StatusMethodNotAllowed
		v = receiptView{}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = receiptPage.Execute(w, v)
}
