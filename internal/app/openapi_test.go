package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
)

const specURL = "https://paybridge.invalid/openapi.json"

// undocumented are the routes that are not part of the API: the browser
// pages, the built-in sandboxes, and /v1/'s JSON 404 for unknown endpoints.
var undocumented = struct{ exact, prefixes []string }{
	exact:    []string{"/{$}", "/checkout", "/v1/"},
	prefixes: []string{"/pay/", "/sandbox/"},
}

func isUndocumented(path string) bool {
	return slices.Contains(undocumented.exact, path) ||
		slices.ContainsFunc(undocumented.prefixes, func(p string) bool { return strings.HasPrefix(path, p) })
}

// spec checks live responses against openapi.json.
type spec struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	// seen[operation][status]: what the test exercised.
	seen map[string]map[string]bool
}

func loadSpec(t *testing.T) *spec {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(httpapi.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	raw, err := jsonschema.UnmarshalJSON(bytes.NewReader(httpapi.OpenAPI))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(specURL, raw); err != nil {
		t.Fatal(err)
	}
	return &spec{doc: doc, compiler: c, seen: map[string]map[string]bool{}}
}

func esc(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1") }

func (s *spec) operation(method, path string) map[string]any {
	item, _ := s.doc["paths"].(map[string]any)[path].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	return op
}

// check validates a response to method on the path template: the status
// must be documented, and the body must match the schema documented for
// that status and content type.
func (s *spec) check(t *testing.T, method, path string, resp *http.Response, body []byte) {
	t.Helper()
	where := method + " " + path
	op := s.operation(method, path)
	if op == nil {
		t.Fatalf("%s is not documented", where)
	}
	status := strconv.Itoa(resp.StatusCode)
	r, ok := op["responses"].(map[string]any)[status].(map[string]any)
	if !ok {
		t.Fatalf("%s answered %s, which is not documented: %s", where, status, body)
	}
	if s.seen[where] == nil {
		s.seen[where] = map[string]bool{}
	}
	s.seen[where][status] = true
	ptr := "#/paths/" + esc(path) + "/" + strings.ToLower(method) + "/responses/" + status
	if ref, ok := r["$ref"].(string); ok {
		ptr = ref
		name := strings.TrimPrefix(ref, "#/components/responses/")
		r = s.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		t.Errorf("%s %s: no X-Request-Id", where, status)
	}
	content, _ := r["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) != 0 {
			t.Errorf("%s %s: documented without a body, got %q", where, status, body)
		}
		return
	}
	mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || content[mt] == nil {
		t.Fatalf("%s %s: Content-Type %q is not documented", where, status, resp.Header.Get("Content-Type"))
	}
	sch, err := s.compiler.Compile(specURL + ptr + "/content/" + esc(mt) + "/schema")
	if err != nil {
		t.Fatalf("%s %s: compile schema: %v", where, status, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s: body is not JSON: %v: %s", where, status, err, body)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%s %s: body does not match the documented schema: %v\n%s", where, status, err, body)
	}
}

// call sends a request and checks the response against the document.
type call struct {
	method, path, template string
	contentType, body      string
	header                 http.Header
	noAuth                 bool
}

func (s *spec) do(t *testing.T, a *apptest.App, c call) (int, []byte, http.Header) {
	t.Helper()
	if c.template == "" {
		c.template = c.path
		if i := strings.IndexByte(c.template, '?'); i >= 0 {
			c.template = c.template[:i]
		}
	}
	req, err := http.NewRequest(c.method, a.URL()+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if !c.noAuth && strings.HasPrefix(c.template, "/v1/") {
		req.Header.Set("Authorization", "Bearer "+a.Key)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	s.check(t, c.method, c.template, resp, b)
	return resp.StatusCode, b, resp.Header
}

// want fails unless status is one of the expected ones.
func want(t *testing.T, what string, status int, b []byte, ok ...int) {
	t.Helper()
	if !slices.Contains(ok, status) {
		t.Fatalf("%s: status %d, want %v: %s", what, status, ok, b)
	}
}

// Ensure every route of the API is documented in openapi.json, and that
// the running server answers every documented route as documented.
func TestOpenAPI_Conformance(t *testing.T) {
	const origin = "http://localhost:8080"
	a := apptest.Start(t, func(c *config.Config) {
		c.WebhookAllowPrivate = true
		c.CORSOrigins = []string{origin}
	})
	s := loadSpec(t)
	const J = "application/json"
	form := "application/x-www-form-urlencoded"

	// Every registered route is documented, and every documented operation
	// is a registered route.
	routes := map[string]bool{}
	for _, pattern := range a.Routes() {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			method, path = "", pattern
		}
		if isUndocumented(path) {
			continue
		}
		if method == "" || s.operation(method, path) == nil {
			t.Errorf("route %q is not documented in openapi.json", pattern)
		}
		routes[method+" "+path] = true
	}
	var ops []string
	for path, item := range s.doc["paths"].(map[string]any) {
		for m := range item.(map[string]any) {
			if m != "parameters" && m != "summary" && m != "description" {
				ops = append(ops, strings.ToUpper(m)+" "+path)
			}
		}
	}
	sort.Strings(ops)
	for _, op := range ops {
		if !routes[op] {
			t.Errorf("openapi.json documents %s, which is not a route", op)
		}
	}

	// Meta.
	s.do(t, a, call{method: "GET", path: "/healthz"})
	s.do(t, a, call{method: "GET", path: "/readyz"})
	// A paybridge whose database is gone is not ready.
	gone := apptest.Start(t)
	gone.Store.Close()
	s.do(t, gone, call{method: "GET", path: "/readyz"})
	st, b, _ := s.do(t, a, call{method: "GET", path: "/openapi.json"})
	want(t, "openapi.json", st, b, 200)
	if !bytes.Equal(b, httpapi.OpenAPI) {
		t.Error("GET /openapi.json is not the embedded document")
	}

	// Every authenticated operation refuses a request without a key.
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		p := strings.ReplaceAll(path, "{id}", "x_1")
		st, b, h := s.do(t, a, call{method: method, path: p, template: path, noAuth: true})
		want(t, op+" without a key", st, b, 401)
		if h.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", op)
		}
	}

	// Payments.
	create := func(order string) string {
		return `{"provider":"kakaopay","order_id":"` + order + `","order_name":"Americano","amount":9000,"quantity":2,"customer_id":"c1",` +
			`"success_url":"https://shop.example/ok","fail_url":"https://shop.example/fail","cancel_url":"https://shop.example/cancel"}`
	}
	idem := http.Header{"Idempotency-Key": {"oa-1"}}
	st, b, h := s.do(t, a, call{method: "POST", path: "/v1/payments", contentType: J, body: create("oa-1"), header: idem})
	want(t, "create", st, b, 201)
	p := decode[paymentJSON](t, b)
	if h.Get("Location") != "/v1/payments/"+p.ID {
		t.Errorf("Location = %q", h.Get("Location"))
	}
	st, b, h = s.do(t, a, call{method: "POST", path: "/v1/payments", contentType: J, body: create("oa-1"), header: idem})
	want(t, "create replayed", st, b, 201)
	if h.Get("Idempotent-Replayed") != "true" {
		t.Error("replay without Idempotent-Replayed: true")
	}
	for _, c := range []struct {
		what, ct, body string
		hdr            http.Header
		status         int
	}{
		{"key reused", J, create("oa-2"), idem, 422},
		{"duplicate order_id", J, create("oa-1"), nil, 409},
		{"malformed JSON", J, `{"provider":`, nil, 400},
		{"unknown field", J, `{"provider":"kakaopay","surprise":1}`, nil, 400},
		{"unknown provider", J, strings.Replace(create("oa-3"), "kakaopay", "nopay", 1), nil, 400},
		{"bad key", J, create("oa-4"), http.Header{"Idempotency-Key": {""}}, 400},
		{"not JSON", "text/plain", create("oa-5"), nil, 415},
		{"too large", J, `{"order_name":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`, nil, 413},
	} {
		st, b, _ := s.do(t, a, call{method: "POST", path: "/v1/payments", contentType: c.ct, body: c.body, header: c.hdr})
		want(t, "create: "+c.what, st, b, c.status)
	}

	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/payments?limit=5&status=ready,paid&created[gte]=2020-01-01T00:00:00Z"})
	want(t, "list", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/payments?colour=red"})
	want(t, "list with an unknown parameter", st, b, 400)

	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/payments/" + p.ID, template: "/v1/payments/{id}"})
	want(t, "get ready", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/payments/pay_nope", template: "/v1/payments/{id}"})
	want(t, "get unknown", st, b, 404)

	const cancelT = "/v1/payments/{id}/cancel"
	st, b, _ = s.do(t, a, call{method: "POST", path: "/v1/payments/" + p.ID + "/cancel", template: cancelT, contentType: J, body: `{"reason":"r"}`})
	want(t, "refund a ready payment", st, b, 409)

	// The buyer pays; then refunds.
	follow(t, a, buyer(t, a, p.RedirectURL, "approve"))
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/payments/" + p.ID, template: "/v1/payments/{id}"})
	want(t, "get paid", st, b, 200)
	st, b, h = s.do(t, a, call{method: "POST", path: "/v1/payments/" + p.ID + "/cancel", template: cancelT, contentType: J,
		body: `{"amount":1000,"reason":"one cup"}`, header: http.Header{"Idempotency-Key": {"oa-refund"}}})
	want(t, "partial refund", st, b, 200, 202)
	for _, c := range []struct {
		what, id, ct, body string
		status             int
	}{
		{"too much", p.ID, J, `{"amount":100000000,"reason":"r"}`, 400},
		{"unknown field", p.ID, J, `{"reason":"r","why":1}`, 400},
		{"unknown payment", "pay_nope", J, `{"reason":"r"}`, 404},
		{"not JSON", p.ID, form, `reason=r`, 415},
	} {
		st, b, _ := s.do(t, a, call{method: "POST", path: "/v1/payments/" + c.id + "/cancel", template: cancelT, contentType: c.ct, body: c.body})
		want(t, "refund: "+c.what, st, b, c.status)
	}
	st, b, _ = s.do(t, a, call{method: "POST", path: "/v1/payments/" + p.ID + "/cancel", template: cancelT, contentType: J,
		body: `{"reason":"the rest"}`, header: http.Header{"Idempotency-Key": {"oa-refund"}}})
	want(t, "refund with a reused key", st, b, 422)
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/payments?status=partially_canceled"})
	want(t, "list refunded", st, b, 200)

	// Webhook endpoints and events.
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer rc.Close()
	st, b, _ = s.do(t, a, call{method: "POST", path: "/v1/webhook_endpoints", contentType: J,
		body: `{"url":"` + rc.URL + `/hooks","enabled_events":["payment.paid","payment.partially_canceled"],"description":"shop"}`})
	want(t, "create endpoint", st, b, 201)
	ep := decode[struct{ ID string }](t, b)
	for _, c := range []struct{ what, ct, body string }{
		{"bad url", J, `{"url":"ftp://shop.example/"}`},
		{"unknown event", J, `{"url":"https://shop.example/","enabled_events":["payment.refunded"]}`},
		{"unknown field", J, `{"url":"https://shop.example/","secret":"mine"}`},
	} {
		st, b, _ := s.do(t, a, call{method: "POST", path: "/v1/webhook_endpoints", contentType: c.ct, body: c.body})
		want(t, "create endpoint: "+c.what, st, b, 400)
	}
	st, b, _ = s.do(t, a, call{method: "POST", path: "/v1/webhook_endpoints", contentType: "text/plain", body: `{}`})
	want(t, "create endpoint: not JSON", st, b, 415)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/v1/webhook_endpoints", contentType: J, body: strings.Repeat(" ", httpapi.MaxBodyBytes+1)})
	want(t, "create endpoint: too large", st, b, 413)
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/webhook_endpoints"})
	want(t, "list endpoints", st, b, 200)
	const epT = "/v1/webhook_endpoints/{id}"
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/webhook_endpoints/" + ep.ID, template: epT})
	want(t, "get endpoint", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/webhook_endpoints/we_nope", template: epT})
	want(t, "get unknown endpoint", st, b, 404)
	const rotT = "/v1/webhook_endpoints/{id}/rotate_secret"
	st, b, _ = s.do(t, a, call{method: "POST", path: "/v1/webhook_endpoints/" + ep.ID + "/rotate_secret", template: rotT})
	want(t, "rotate", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/webhook_endpoints/" + ep.ID, template: epT})
	want(t, "get rotated endpoint", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/v1/webhook_endpoints/we_nope/rotate_secret", template: rotT})
	want(t, "rotate unknown", st, b, 404)

	// A payment paid now produces an event for the endpoint.
	p2 := MustCreatePayment(t, a, "oa-event", 5000, "")
	follow(t, a, buyer(t, a, p2.RedirectURL, "approve"))
	var evID string
	webhookWaitFor(t, func() bool {
		st, b, _ := s.do(t, a, call{method: "GET", path: "/v1/events?limit=5"})
		want(t, "list events", st, b, 200)
		evs := decode[struct{ Data []struct{ ID string } }](t, b)
		if len(evs.Data) > 0 {
			evID = evs.Data[0].ID
		}
		return evID != ""
	})
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/events?starting_after=" + evID})
	want(t, "list events after", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/events?limit=0"})
	want(t, "list events: bad limit", st, b, 400)
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/events/" + evID, template: "/v1/events/{id}"})
	want(t, "get event", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "GET", path: "/v1/events/evt_nope", template: "/v1/events/{id}"})
	want(t, "get unknown event", st, b, 404)
	const resendT = "/v1/events/{id}/resend"
	st, b, _ = s.do(t, a, call{method: "POST", path: "/v1/events/" + evID + "/resend", template: resendT})
	want(t, "resend", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/v1/events/" + evID + "/resend", template: resendT, contentType: J, body: `{"endpoint_id":"` + ep.ID + `"}`})
	want(t, "resend to one endpoint", st, b, 200)
	for _, c := range []struct {
		what, id, ct, body string
		status             int
	}{
		{"unknown event", "evt_nope", "", "", 404},
		{"unknown endpoint", evID, J, `{"endpoint_id":"we_nope"}`, 404},
		{"unknown field", evID, J, `{"endpoint":"x"}`, 400},
		{"not JSON", evID, "text/plain", `x`, 415},
	} {
		st, b, _ := s.do(t, a, call{method: "POST", path: "/v1/events/" + c.id + "/resend", template: resendT, contentType: c.ct, body: c.body})
		want(t, "resend: "+c.what, st, b, c.status)
	}
	st, b, _ = s.do(t, a, call{method: "DELETE", path: "/v1/webhook_endpoints/" + ep.ID, template: epT})
	want(t, "delete endpoint", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "DELETE", path: "/v1/webhook_endpoints/" + ep.ID, template: epT})
	want(t, "delete again", st, b, 404)

	// The drop-in API.
	st, b, _ = s.do(t, a, call{method: "OPTIONS", path: "/ready", header: http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"}}})
	want(t, "preflight", st, b, 204)
	st, b, _ = s.do(t, a, call{method: "OPTIONS", path: "/ready", header: http.Header{"Origin": {"https://evil.example"}}})
	want(t, "preflight from elsewhere", st, b, 403)
	st, b, _ = s.do(t, a, call{method: "OPTIONS", path: "/approve", header: http.Header{"Origin": {origin}}})
	want(t, "approve preflight", st, b, 204)
	st, b, _ = s.do(t, a, call{method: "OPTIONS", path: "/approve"})
	want(t, "approve preflight without origin", st, b, 403)
	readyForm := url.Values{"userId": {"u1"}, "product": {"Latte"}, "price": {"5000"}, "quantity": {"2"}}
	st, b, _ = s.do(t, a, call{method: "POST", path: "/ready", contentType: form, body: readyForm.Encode()})
	want(t, "ready", st, b, 200)
	ready := decode[struct {
		TID string `json:"tid"`
		PC  string `json:"next_redirect_pc_url"`
	}](t, b)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/ready", contentType: form, body: "userId=u1&product=x&quantity=1"})
	want(t, "ready without price", st, b, 400)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/ready", contentType: form, body: "price=" + strings.Repeat("1", httpapi.MaxBodyBytes)})
	want(t, "ready too large", st, b, 413, 400)
	_, loc := follow(t, a, buyer(t, a, ready.PC, "approve"))
	u, err := url.Parse(loc)
	if err != nil || u.Query().Get("pg_token") == "" {
		t.Fatalf("drop-in success redirect %q", loc)
	}
	approve := url.Values{"userId": {"u1"}, "pg_token": {u.Query().Get("pg_token")}, "tid": {ready.TID}}
	st, b, _ = s.do(t, a, call{method: "POST", path: "/approve", contentType: form, body: approve.Encode()})
	want(t, "approve", st, b, 200)
	approve.Set("userId", "u2")
	st, b, _ = s.do(t, a, call{method: "POST", path: "/approve", contentType: form, body: approve.Encode()})
	want(t, "approve another user's tid", st, b, 404)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/approve", contentType: form, body: "userId=u1"})
	want(t, "approve without fields", st, b, 400)

	// Provider webhooks: only acknowledged or refused here.
	st, b, _ = s.do(t, a, call{method: "POST", path: "/webhooks/toss", contentType: J, body: `{"eventType":"SOMETHING_ELSE","data":{}}`})
	want(t, "toss webhook", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/webhooks/toss", contentType: J, body: `[1]`})
	want(t, "toss webhook not an object", st, b, 400)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/webhooks/portone", contentType: form, body: "imp_uid=imp_1&merchant_uid=" + p.ID + "&status=paid"})
	want(t, "portone V1 notification", st, b, 200)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/webhooks/portone", contentType: "text/plain", body: "x"})
	want(t, "portone V1 notification of another type", st, b, 415)
	st, b, _ = s.do(t, a, call{method: "POST", path: "/webhooks/portone", contentType: J, body: `{}`,
		header: http.Header{"Webhook-Id": {"msg_1"}, "Webhook-Timestamp": {"1"}, "Webhook-Signature": {"v1,AAAA"}}})
	want(t, "portone V2 webhook, not signed by PortOne", st, b, 401)

	// Every operation was exercised with a success, and with an error
	// wherever it documents one (500 aside).
	for _, op := range ops {
		seen := s.seen[op]
		var ok, fail bool
		for st := range seen {
			ok = ok || st < "400"
			fail = fail || st >= "400"
		}
		method, path, _ := strings.Cut(op, " ")
		documentsError := false
		for st := range s.operation(method, path)["responses"].(map[string]any) {
			documentsError = documentsError || (st >= "400" && st != "500")
		}
		if !ok || (documentsError && !fail) {
			t.Errorf("%s: exercised %s; want a success and, if documented, an error", op, fmt.Sprint(keys(seen)))
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
