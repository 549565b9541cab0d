package kakaopay

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// checkoutView is what the buyer page shows.
type checkoutView struct {
	TID      string
	ItemName string
	Quantity int64
	Total    string
	Methods  []string // choices offered; the first is preselected
	Message  string   // set on the "finished" and "not found" pages
}

// checkoutPage is plain HTML with no script: it must work in any browser and
// in tests that only follow forms and redirects.
var checkoutPage = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>KakaoPay SANDBOX</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:sans-serif;max-width:32em;margin:2em auto;padding:0 1em}
.banner{background:#ffeb00;border:2px solid #3c1e1e;padding:.6em;font-weight:bold;text-align:center}
button{font-size:1em;margin:.3em .3em 0 0;padding:.5em 1em}</style></head>
<body>
<p class="banner">KakaoPay SANDBOX — no real money</p>
{{if .Message}}<p>{{.Message}}</p>{{else}}
<table>
<tr><th align="left">Item</th><td>{{.ItemName}}</td></tr>
<tr><th align="left">Quantity</th><td>{{.Quantity}}</td></tr>
<tr><th align="left">Amount</th><td>{{.Total}} KRW</td></tr>
<tr><th align="left">Payment ID</th><td><code>{{.TID}}</code></td></tr>
</table>
<form method="post">
<p><label>Pay with <select name="method">{{range .Methods}}<option value="{{.}}">{{.}}</option>{{end}}</select></label></p>
<button type="submit" name="action" value="approve">Approve payment</button>
<button type="submit" name="action" value="cancel">Cancel</button>
<button type="submit" name="action" value="fail">Fail</button>
</form>{{end}}
</body></html>
`))

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
		renderCheckout(w, http.StatusMethodNotAllowed, checkoutView{Message: "Method not allowed."})
	}
}

func (s *Sandbox) showCheckout(w http.ResponseWriter, r *http.Request, tid string) {
	s.mu.Lock()
	p := s.payments[tid]
	if p == nil {
		s.mu.Unlock()
		renderCheckout(w, http.StatusNotFound, checkoutView{Message: "No such payment."})
		return
	}
	s.expireIfDue(p)
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
		Total:    groupDigits(p.amount.Total),
		Methods:  []string{methodMoney, methodCard},
	}
	if p.allowedMethod != "" {
		v.Methods = []string{p.allowedMethod}
	}
	if !p.buyerPending() {
		v.Message = finishedMessage(p.status)
	}
	s.mu.Unlock()
	renderCheckout(w, http.StatusOK, v)
}

func (s *Sandbox) submitCheckout(w http.ResponseWriter, r *http.Request, tid string) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		renderCheckout(w, http.StatusBadRequest, checkoutView{Message: "Malformed form."})
		return
	}
	act := r.PostForm.Get("action")
	method := r.PostForm.Get("method")

	s.mu.Lock()
	p := s.payments[tid]
	if p == nil {
		s.mu.Unlock()
		renderCheckout(w, http.StatusNotFound, checkoutView{Message: "No such payment."})
		return
	}
	s.expireIfDue(p)
	var next string
	switch {
	case p.expired:
		next = p.failURL
	case !p.buyerPending():
		// Approving twice from the page (back button, double submit) must
		// not issue a second pg_token.
		msg := finishedMessage(p.status)
		s.mu.Unlock()
		renderCheckout(w, http.StatusConflict, checkoutView{Message: msg})
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
		renderCheckout(w, http.StatusBadRequest, checkoutView{Message: "Unknown action; use approve, cancel or fail."})
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

func finishedMessage(status string) string {
	switch status {
	case statusAuthPassword:
		return "This payment was authorised; the shop is finishing it. You may close this page."
	case statusSuccess, statusPartCancel, statusCancel:
		return "This payment is complete."
	case statusQuit:
		return "This payment was cancelled by the buyer."
	default:
		return "This payment has failed or expired."
	}
}

func renderCheckout(w http.ResponseWriter, status int, v checkoutView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = checkoutPage.Execute(w, v) // a write error means the browser left
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
