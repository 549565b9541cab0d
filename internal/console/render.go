package console

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
)

// kst is Korea Standard Time: every time in the console is shown in it.
var kst = time.FixedZone("KST", 9*3600)

// view is what every page template gets: the page's own data in Data, and
// methods for the layout (translation, money, times).
type view struct {
	Title    string
	Lang     string
	Nonce    string
	CSRF     string
	Op       *payment.Operator
	TestMode bool
	// LiveToo: in test mode, some provider is on live credentials.
	LiveToo bool
	Path    string // this page (the resend buttons come back to it)
	Switch  string // this page in the other language
	Nav     string // the navigation entry to mark as current
	Notice  string
	Data    any
}

// T translates an English message into the page's language.
func (v *view) T(msg string) string { return translate(v.Lang, msg) }

// Tf translates a format and fills it in.
func (v *view) Tf(format string, args ...any) string {
	return fmt.Sprintf(translate(v.Lang, format), args...)
}

// Won prints an amount as Korean prices are written: 12,000원.
func (v *view) Won(n int64) string { return i18n.Won(n) }

// When prints a time in KST as a <time> element; the zero time is a dash.
func (v *view) When(t time.Time) template.HTML {
	if t.IsZero() {
		return "—"
	}
	// Both strings are formatted from a time: nothing to escape.
	return template.HTML(`<time datetime="` + t.UTC().Format(time.RFC3339) + `">` + t.In(kst).Format("2006-01-02 15:04:05") + " KST</time>")
}

// N picks the English singular or plural for n, then translates it: Korean
// counts need no plural.
func (v *view) N(n int64, one, many string) string {
	if n == 1 {
		return fmt.Sprintf(translate(v.Lang, one), n)
	}
	return fmt.Sprintf(translate(v.Lang, many), n)
}

// Mode is a payment's LIVE or TEST badge: whether its money is real is
// shown wherever the payment is, since test and live payments share the
// lists.
func (v *view) Mode(live bool) template.HTML {
	if live {
		return template.HTML(`<span class="badge live" title="` + template.HTMLEscapeString(v.T("Real money (live credentials)")) + `">` +
			template.HTMLEscapeString(v.T("LIVE")) + `</span>`)
	}
	return template.HTML(`<span class="badge test" title="` + template.HTMLEscapeString(v.T("No real money (sandbox or test credentials)")) + `">` +
		template.HTMLEscapeString(v.T("TEST")) + `</span>`)
}

// Can reports whether the signed-in operator holds at least role.
func (v *view) Can(role string) bool {
	return v.Op != nil && payment.RoleRank(v.Op.Role) >= payment.RoleRank(role)
}

// Other is the language the switch offers.
func (v *view) Other() string {
	if v.Lang == langKo {
		return langEn
	}
	return langKo
}

var pageNames = []string{"login", "error", "dashboard", "payments", "payment", "refund", "webhooks", "audit",
	"merchants", "operators", "secret"}

// parsePages parses each page together with the layout, so that every page
// defines its own "content".
func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"add":       func(a, b int) int { return a + b },
		"lower":     strings.ToLower,
		"hasPrefix": strings.HasPrefix,
		"provider":  providerName,
		"join":      strings.Join,
		"status":    func(s payment.Status) string { return string(s) },
		"dict2": func(v *view, e *payment.WebhookEvent, merchantID string) resendArgs {
			return resendArgs{V: v, E: e, M: merchantID}
		},
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t := template.Must(template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", path.Join("templates", name+".html")))
		pages[name] = t
	}
	return pages
}

// render writes a page with the console's security headers: a strict CSP
// whose only script is the console's own file, carrying this response's
// nonce, no framing, no caching (pages show money and secrets).
func (c *Console) render(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, page, title string, data any) {
	here := *r.URL
	q := here.Query()
	q.Del("notice")
	here.RawQuery = q.Encode()
	v := &view{Title: title, Lang: rc.Lang, Nonce: rc.Nonce, Op: rc.Op, TestMode: c.testMode(), LiveToo: c.liveToo(),
		Path: here.RequestURI(), Data: data, Nav: navOf(r.URL.Path)}
	v.Switch = i18n.SwitchURL(r, v.Other())
	if rc.Op != nil {
		v.CSRF = rc.CSRF()
	}
	if n := r.URL.Query().Get("notice"); n != "" {
		v.Notice = noticeText(n)
	}
	if !safeNext(v.Path) {
		v.Path = "/console/login"
	}
	var buf bytes.Buffer
	if err := c.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		c.log.Error("console: render page", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+rc.Nonce+"'; style-src 'self'; "+
		"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func navOf(p string) string {
	for _, n := range []string{"payments", "webhooks", "audit", "merchants", "operators"} {
		if strings.HasPrefix(p, "/console/"+n) {
			return n
		}
	}
	return "dashboard"
}

// resendArgs are the resend button's: the page, the event, its merchant.
type resendArgs struct {
	V *view
	E *payment.WebhookEvent
	M string
}

type errorView struct{ Message string }

func (c *Console) renderError(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, msg string) {
	c.render(w, r, rc, status, "error", http.StatusText(status), errorView{Message: msg})
}

// notFound is the answer for anything missing, and for another merchant's
// objects: never 403, so ids cannot be probed.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	c.renderError(w, r, rc, http.StatusNotFound, "Not found.")
}

// fail answers an application error the way its code asks.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	switch payment.ErrorCode(err) {
	case payment.ENOTFOUND:
		c.notFound(w, r, rc)
	case payment.EINVALID:
		c.renderError(w, r, rc, http.StatusBadRequest, payment.ErrorMessage(err))
	case payment.ECONFLICT:
		c.renderError(w, r, rc, http.StatusConflict, payment.ErrorMessage(err))
	default:
		c.log.Error("console request failed", "path", r.URL.Path, "error", err)
		c.renderError(w, r, rc, http.StatusInternalServerError, "Something went wrong. Try again.")
	}
}

// back redirects after an action, with a notice for the next page.
func back(w http.ResponseWriter, r *http.Request, target, notice string) {
	if notice != "" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "notice=" + url.QueryEscape(notice)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
