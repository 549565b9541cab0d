package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider/registry"
	"github.com/paybridge/paybridge/internal/webhook"
)

// openAPIURL names the document for the schema compiler.
const openAPIURL = "https://paybridge.invalid/openapi.json"

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(OpenAPI))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	return doc
}

// openAPICompiler compiles schemas of the document (JSON Schema 2020-12,
// OpenAPI 3.1's dialect), formats asserted.
func openAPICompiler(t *testing.T) *jsonschema.Compiler {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(OpenAPI))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(openAPIURL, doc); err != nil {
		t.Fatal(err)
	}
	return c
}

// pointerEscape escapes one JSON Pointer token.
func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// resolvePointer follows a "#/…" reference inside doc.
func resolvePointer(doc any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("not a local reference")
	}
	cur := doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[tok]
			if !ok {
				return nil, fmt.Errorf("no %q", tok)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, fmt.Errorf("bad index %q", tok)
			}
			cur = v[i]
		default:
			return nil, fmt.Errorf("cannot descend into %q", tok)
		}
	}
	return cur, nil
}

// walk calls fn for every value of v with its JSON Pointer.
func walk(v any, ptr string, fn func(ptr string, v any)) {
	fn(ptr, v)
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walk(x, ptr+"/"+pointerEscape(k), fn)
		}
	case []any:
		for i, x := range v {
			walk(x, ptr+"/"+strconv.Itoa(i), fn)
		}
	}
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func TestOpenAPIDocument(t *testing.T) {
	doc := loadOpenAPI(t)
	if doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi = %v, want 3.1.0", doc["openapi"])
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == nil || info["version"] == nil {
		t.Error("info needs title and version")
	}
	if d := doc["jsonSchemaDialect"]; d != nil && d != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("jsonSchemaDialect = %v", d)
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("no paths")
	}
	schemes, _ := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)
	if bearer, _ := schemes["bearerAuth"].(map[string]any); bearer["type"] != "http" || bearer["scheme"] != "bearer" {
		t.Errorf("securitySchemes.bearerAuth = %v", schemes["bearerAuth"])
	}

	// Every $ref resolves; every schema location is collected to compile.
	var schemaPtrs []string
	walk(doc, "#", func(ptr string, v any) {
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if ref, ok := m["$ref"].(string); ok {
			if _, err := resolvePointer(doc, ref); err != nil {
				t.Errorf("%s: $ref %q does not resolve: %v", ptr, ref, err)
			}
		}
		if s, ok := m["schema"].(map[string]any); ok && !strings.Contains(ptr, "/components/schemas/") {
			_ = s
			schemaPtrs = append(schemaPtrs, ptr+"/schema")
		}
	})
	for name := range doc["components"].(map[string]any)["schemas"].(map[string]any) {
		schemaPtrs = append(schemaPtrs, "#/components/schemas/"+pointerEscape(name))
	}
	slices.Sort(schemaPtrs)
	c := openAPICompiler(t)
	for _, p := range schemaPtrs {
		if _, err := c.Compile(openAPIURL + p); err != nil {
			t.Errorf("schema %s does not compile: %v", p, err)
		}
	}
	if len(schemaPtrs) < 30 {
		t.Errorf("only %d schemas found", len(schemaPtrs))
	}

	// Operations: unique ids, tags, parameters for every path template
	// variable, X-Request-Id on every response, the error shape on every
	// error, bearerAuth on /v1 and no authentication elsewhere.
	ids := map[string]string{}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for path, item := range paths {
		item := item.(map[string]any)
		pathParams := paramNames(t, doc, item["parameters"])
		for _, method := range httpMethods {
			o, ok := item[method].(map[string]any)
			if !ok {
				continue
			}
			where := strings.ToUpper(method) + " " + path
			id, _ := o["operationId"].(string)
			if id == "" || ids[id] != "" {
				t.Errorf("%s: operationId %q missing or not unique (also %s)", where, id, ids[id])
			}
			ids[id] = where
			if tags, _ := o["tags"].([]any); len(tags) == 0 {
				t.Errorf("%s: no tags", where)
			}
			names := paramNames(t, doc, o["parameters"])
			maps := append(slices.Clone(pathParams), names...)
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !slices.Contains(maps, "path:"+m[1]) {
					t.Errorf("%s: path parameter %s is not declared", where, m[1])
				}
			}
			sec, hasSec := o["security"].([]any)
			if strings.HasPrefix(path, "/v1/") {
				if hasSec && len(sec) == 0 {
					t.Errorf("%s: the merchant API needs bearerAuth", where)
				}
				if _, ok := o["responses"].(map[string]any)["401"]; !ok {
					t.Errorf("%s: no 401", where)
				}
			} else if !hasSec || len(sec) != 0 {
				t.Errorf("%s: want security: [] (no authentication)", where)
			}
			if method == "post" && strings.HasPrefix(path, "/v1/payments") && !slices.Contains(names, "header:Idempotency-Key") {
				t.Errorf("%s: no Idempotency-Key header", where)
			}
			responses, _ := o["responses"].(map[string]any)
			if len(responses) == 0 {
				t.Errorf("%s: no responses", where)
			}
			for status, r := range responses {
				r := deref(t, doc, r)
				if n, err := strconv.Atoi(status); err != nil || n < 100 || n > 599 {
					t.Errorf("%s: response %q is not an HTTP status", where, status)
				}
				if h, _ := r["headers"].(map[string]any); h["X-Request-Id"] == nil {
					t.Errorf("%s %s: no X-Request-Id header", where, status)
				}
				if status >= "400" && method != "options" {
					content, _ := r["content"].(map[string]any)
					mt, _ := content["application/json"].(map[string]any)
					if s, _ := mt["schema"].(map[string]any); s["$ref"] != "#/components/schemas/Error" {
						t.Errorf("%s %s: the error is not the Error schema", where, status)
					}
				}
			}
		}
	}
}

// paramNames returns "in:name" of each parameter in list.
func paramNames(t *testing.T, doc map[string]any, list any) []string {
	var out []string
	ps, _ := list.([]any)
	for _, p := range ps {
		m := deref(t, doc, p)
		out = append(out, fmt.Sprint(m["in"], ":", m["name"]))
	}
	return out
}

// deref follows an OpenAPI $ref (a Reference Object).
func deref(t *testing.T, doc map[string]any, v any) map[string]any {
	t.Helper()
	m, _ := v.(map[string]any)
	if ref, ok := m["$ref"].(string); ok {
		r, err := resolvePointer(doc, ref)
		if err != nil {
			t.Fatalf("$ref %s: %v", ref, err)
		}
		m, _ = r.(map[string]any)
	}
	return m
}

// TestOpenAPISchemasMatchEncoders checks the response schemas against what
// the encoders of this package write, with every optional field set.
func TestOpenAPISchemasMatchEncoders(t *testing.T) {
	c := openAPICompiler(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	ready := &payment.Payment{ID: "pay_1", Provider: payment.ProviderKakaoPay, Status: payment.StatusReady, OrderID: "o", OrderName: "n",
		CustomerID: "c", Amount: 1000, Quantity: 1, Currency: "KRW", RedirectPC: "https://x/pc", RedirectMobile: "https://x/m",
		RedirectApp: "https://x/a", ProviderTID: "T1", ProviderCID: "C", ProviderOrderID: "pay_1", ProviderUserID: "c",
		ProviderStatus: "READY", SuccessURL: "https://shop/s", FailURL: "https://shop/f", CancelURL: "https://shop/c",
		ExpiresAt: now, CreatedAt: now, UpdatedAt: now}
	paid := *ready
	paid.Status, paid.ApprovedAt, paid.CanceledAt, paid.ProviderApprovalID = payment.StatusPartiallyCanceled, now, now, "A1"
	paid.FailureCode, paid.FailureMessage, paid.ProviderErrorCode, paid.ProviderErrorMessage = "x", "y", "-1", "z"
	paid.ProviderMethodType, paid.CanceledAmount = "MONEY", 100
	cs := []*payment.Cancellation{{ID: "can_1", Amount: 100, Reason: "r", Status: payment.CancellationFailed,
		FailureCode: "provider_declined", FailureMessage: "no", CreatedAt: now}}
	bare := &payment.Payment{ID: "pay_2", Provider: payment.ProviderToss, Status: payment.StatusCreated}

	ev, err := webhook.RenderEvent("evt_1", payment.EventPaymentPaid, &paid, cs, now)
	if err != nil {
		t.Fatal(err)
	}
	ep := &payment.WebhookEndpoint{ID: "we_1", URL: "https://shop/hook", EnabledEvents: []string{"*"}, Status: payment.EndpointDisabled,
		DisabledReason: "410", Secret: "whsec_x", PreviousSecret: "whsec_y", PreviousSecretExpiresAt: time.Now().Add(time.Hour),
		CreatedAt: now, UpdatedAt: now}
	event := &payment.WebhookEvent{ID: "evt_1", Type: payment.EventPaymentPaid, PaymentID: "pay_1", Payload: ev, CreatedAt: now,
		Deliveries: []*payment.WebhookDelivery{
			{ID: "d1", EndpointID: "we_1", Status: payment.DeliveryPending, Attempts: 1, LastStatusCode: 500, LastError: "e",
				NextAttemptAt: now, CreatedAt: now, UpdatedAt: now},
			{ID: "d2", EndpointID: "we_1", Status: payment.DeliveryDead, CreatedAt: now, UpdatedAt: now}}}
	for _, tc := range []struct {
		schema string
		v      any
	}{
		{"Payment", toPaymentJSON(ready, nil)},
		{"Payment", toPaymentJSON(&paid, cs)},
		{"Payment", toPaymentJSON(bare, nil)},
		{"PaymentList", paymentListJSON{Object: "list", Data: []*paymentJSON{toPaymentJSON(ready, nil)}, URL: "/v1/payments"}},
		{"WebhookEndpoint", toWebhookEndpointJSON(ep, true)},
		{"WebhookEndpoint", toWebhookEndpointJSON(ep, false)},
		{"Event", toEventJSON(event)},
		{"Event", toEventJSON(&payment.WebhookEvent{ID: "evt_2", Type: payment.EventPaymentExpired})},
		{"EventData", json.RawMessage(mustData(t, ev))},
		{"Error", errorBody{Error: errorDetail{Code: payment.EINVALID, Message: "m"}}},
		{"DropInReadyResponse", dropInReadyJSON{TID: "T", CreatedAt: kakaoTime(now)}},
		{"DropInApproveResponse", dropInApproveJSON{Amount: dropInAmountJSON{Total: 1}}},
	} {
		sch, err := c.Compile(openAPIURL + "#/components/schemas/" + tc.schema)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s does not match %s: %v", b, tc.schema, err)
		}
	}
	// The schemas are strict: a field the document does not know fails.
	sch, err := c.Compile(openAPIURL + "#/components/schemas/Payment")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(toPaymentJSON(ready, nil))
	inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(bytes.Replace(b, []byte(`{`), []byte(`{"surprise":1,`), 1)))
	if sch.Validate(inst) == nil {
		t.Error("the Payment schema accepts an unknown field")
	}
	// Every error code the server can write is in the Error schema.
	doc := loadOpenAPI(t)
	codes, _ := resolvePointer(doc, "#/components/schemas/Error/properties/error/properties/code/enum")
	for code := range statusOf {
		if code != "method_not_allowed" && !slices.Contains(codes.([]any), any(code)) {
			t.Errorf("error code %s is not in the Error schema", code)
		}
	}
}

func mustData(t *testing.T, ev []byte) []byte {
	var v struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(ev, &v); err != nil {
		t.Fatal(err)
	}
	return v.Data
}

func TestOpenAPIServed(t *testing.T) {
	rec := httptest.NewRecorder()
	handleOpenAPI(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
		!bytes.Equal(rec.Body.Bytes(), OpenAPI) {
		t.Fatalf("GET /openapi.json: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}

// Ensure the document's provider enum is the registry's list, in offer
// order, and that it documents every registered provider's webhook route:
// a provider added to the registry must be added here too.
func TestOpenAPI_ProvidersAreTheRegistry(t *testing.T) {
	doc := loadOpenAPI(t)
	enum, err := resolvePointer(doc, "#/components/schemas/Provider/enum")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range enum.([]any) {
		got = append(got, v.(string))
	}
	if want := registry.Names(); !slices.Equal(got, want) {
		t.Errorf("Provider enum = %q, registry = %q", got, want)
	}
	paths := doc["paths"].(map[string]any)
	for _, r := range registry.All() {
		if r.Webhook == nil {
			continue
		}
		if _, ok := paths[r.Webhook.Path].(map[string]any)["post"]; !ok {
			t.Errorf("%s's webhook route POST %s is not documented", r.Name, r.Webhook.Path)
		}
	}
}
