package portone

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox"
	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// v2SchemaFile is PortOne's own V2 schema (OpenAPI 3.0.3), copied unchanged
// from portone-io/developers.portone.io src/schema/v2.openapi.json, so that
// the test needs nothing outside the repository.
const v2SchemaFile = "testdata/portone-v2.openapi.json"

const v2SchemaURL = "file:///portone-v2.openapi.json"

// loadV2Schema compiles PortOne's schemas after two mechanical changes that
// make a JSON Schema validator read them as an OpenAPI one would:
//
//   - every object schema with properties gets additionalProperties false
//     (unless it says otherwise), so that a misspelt or invented field name
//     fails instead of passing unnoticed;
//   - a oneOf with a discriminator becomes "the member its discriminator
//     names": the members do not constrain the discriminating property
//     themselves (PaidPayment's status is any string), so a plain oneOf
//     would match several members, or the wrong one.
func loadV2Schema(t *testing.T) *sandboxtest.Schema {
	t.Helper()
	return sandboxtest.LoadSchema(t, v2SchemaFile, v2SchemaURL, jsonschema.Draft2020, true, func(doc map[string]any) {
		schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
		closeObjects(schemas)
		resolveDiscriminators(schemas)
	})
}

func closeObjects(v any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["properties"].(map[string]any); ok {
			if _, set := x["additionalProperties"]; !set {
				x["additionalProperties"] = false
			}
		}
		for _, e := range x {
			closeObjects(e)
		}
	case []any:
		for _, e := range x {
			closeObjects(e)
		}
	}
}

func resolveDiscriminators(v any) {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			resolveDiscriminators(e)
		}
		d, ok := x["discriminator"].(map[string]any)
		if !ok {
			return
		}
		prop := d["propertyName"].(string)
		var values, branches []any
		for value, ref := range d["mapping"].(map[string]any) {
			values = append(values, value)
			branches = append(branches, map[string]any{
				"if":   map[string]any{"properties": map[string]any{prop: map[string]any{"const": value}}},
				"then": map[string]any{"$ref": ref},
			})
		}
		delete(x, "oneOf")
		delete(x, "discriminator")
		x["type"] = "object"
		x["required"] = []any{prop}
		x["properties"] = map[string]any{prop: map[string]any{"enum": values}}
		x["allOf"] = branches
	case []any:
		for _, e := range x {
			resolveDiscriminators(e)
		}
	}
}

// TestSandbox_Schema validates the sandbox's answer on every route of the
// API it serves, success (each payment status it produces) and each error,
// against PortOne's V2 schema: the answer's status must be one the schema
// documents for the operation, and the body must match the schema given
// for it. The NOT_FOUND and METHOD_NOT_ALLOWED answers to paths and methods
// that are no API are the sandbox's own (see the package doc) and not
// checked here.
func TestSandbox_Schema(t *testing.T) {
	schema := loadV2Schema(t)
	paths := schema.Doc["paths"].(map[string]any)
	responseSchema := func(path, method string, status int) string {
		op := paths[path].(map[string]any)[method].(map[string]any)
		r, ok := op["responses"].(map[string]any)[itoa(int64(status))].(map[string]any)
		if !ok {
			return ""
		}
		return r["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)["$ref"].(string)
	}

	h := MustHarness(t, Options{StoreID: "store-a"})
	hAsync := MustHarness(t, Options{StoreID: "store-a", AsyncCancel: true})
	h.mustPaid("pay_paid", 10000, 1000)
	h.mustPaid("pay_part", 10000, 0)
	h.mustPaid("pay_full", 10000, 0)
	h.mustPaid("pay_decline", 10000, 0)
	h.mustPaid("pay_502", 10000, 0)
	h.preRegister("pay_ready", 3000, 0)
	h.Page(h.windowURL("pay_ready", "3000", nil), nil)
	h.preRegister("pay_failed", 3000, 0)
	h.Page(h.windowURL("pay_failed", "3000", nil), url.Values{"action": {"fail"}})
	h.preRegister("pay_quit", 3000, 0)
	h.Page(h.windowURL("pay_quit", "3000", nil), url.Values{"action": {"cancel"}})
	hAsync.mustPaid("pay_async", 5000, 0)

	const (
		get    = "/payments/{paymentId}"
		pre    = "/payments/{paymentId}/pre-register"
		cancel = "/payments/{paymentId}/cancel"
	)
	type step struct {
		name   string
		h      *harness
		tmpl   string // the schema's path
		id     string
		body   any
		auth   string // "" for the harness's secret, "-" for none
		fault  *Fault
		status int
	}
	steps := []step{
		{name: "pre-register", tmpl: pre, id: "pay_new", body: map[string]any{"totalAmount": 1000, "taxFreeAmount": 0, "currency": "KRW"}, status: 200},
		{name: "pre-register invalid", tmpl: pre, id: "pay_new", body: map[string]any{"totalAmount": -1}, status: 400},
		{name: "pre-register not JSON", tmpl: pre, id: "pay_new", body: "totalAmount=1", status: 400},
		{name: "pre-register no auth", tmpl: pre, id: "pay_new", body: map[string]any{"totalAmount": 1}, auth: "-", status: 401},
		{name: "pre-register other store", tmpl: pre, id: "pay_new", body: map[string]any{"totalAmount": 1, "storeId": "store-b"}, status: 403},
		{name: "pre-register paid", tmpl: pre, id: "pay_paid", body: map[string]any{"totalAmount": 1}, status: 409},

		{name: "get READY", tmpl: get, id: "pay_ready", status: 200},
		{name: "get PAID", tmpl: get, id: "pay_paid", status: 200},
		{name: "get FAILED (declined)", tmpl: get, id: "pay_failed", status: 200},
		{name: "get FAILED (buyer cancelled)", tmpl: get, id: "pay_quit", status: 200},
		{name: "get unknown", tmpl: get, id: "pay_none", status: 404},
		{name: "get no auth", tmpl: get, id: "pay_paid", auth: "-", status: 401},
		{name: "get Bearer", tmpl: get, id: "pay_paid", auth: "Bearer x", status: 401},
		{name: "get other store", tmpl: get + "?storeId=store-b", id: "pay_paid", status: 403},

		{name: "cancel part", tmpl: cancel, id: "pay_part", body: map[string]any{"amount": 3000, "currentCancellableAmount": 10000, "reason": "one cup"}, status: 200},
		{name: "get PARTIAL_CANCELLED", tmpl: get, id: "pay_part", status: 200},
		{name: "cancel full", tmpl: cancel, id: "pay_full", body: map[string]any{"reason": "all"}, status: 200},
		{name: "get CANCELLED", tmpl: get, id: "pay_full", status: 200},
		{name: "cancel REQUESTED", h: hAsync, tmpl: cancel, id: "pay_async", body: map[string]any{"reason": "async"}, status: 200},
		{name: "get with a REQUESTED cancellation", h: hAsync, tmpl: get, id: "pay_async", status: 200},
		{name: "cancel declined by the PG", tmpl: cancel, id: "pay_decline", body: map[string]any{"reason": "x"}, fault: &Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultDecline}}, status: 200},
		{name: "cancel PG error", tmpl: cancel, id: "pay_502", body: map[string]any{"reason": "x"}, fault: &Fault{Fault: sandbox.Fault{Op: opCancel, Kind: sandbox.FaultError, Status: 502}}, status: 502},
		{name: "cancel no reason", tmpl: cancel, id: "pay_paid", body: map[string]any{"amount": 1}, status: 400},
		{name: "cancel no auth", tmpl: cancel, id: "pay_paid", body: map[string]any{"reason": "x"}, auth: "-", status: 401},
		{name: "cancel other store", tmpl: cancel, id: "pay_paid", body: map[string]any{"reason": "x", "storeId": "store-b"}, status: 403},
		{name: "cancel unknown", tmpl: cancel, id: "pay_none", body: map[string]any{"reason": "x"}, status: 404},
		{name: "cancel not paid", tmpl: cancel, id: "pay_ready", body: map[string]any{"reason": "x"}, status: 409},
		{name: "cancel cancelled", tmpl: cancel, id: "pay_full", body: map[string]any{"reason": "x"}, status: 409},
		{name: "cancel guard", tmpl: cancel, id: "pay_paid", body: map[string]any{"reason": "x", "amount": 1, "currentCancellableAmount": 1}, status: 409},
		{name: "cancel too much", tmpl: cancel, id: "pay_paid", body: map[string]any{"reason": "x", "amount": 20000}, status: 409},
		{name: "cancel tax-free too much", tmpl: cancel, id: "pay_paid", body: map[string]any{"reason": "x", "amount": 2000, "taxFreeAmount": 1500}, status: 409},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			hh := s.h
			if hh == nil {
				hh = h
			}
			if s.fault != nil {
				hh.SB.InjectFault(*s.fault)
			}
			path, query, _ := strings.Cut(s.tmpl, "?")
			method := http.MethodPost
			if path == get {
				method = http.MethodGet
			}
			p := paymentPath(s.id, path[len("/payments/{paymentId}"):])
			if query != "" {
				p += "?" + query
			}
			req := hh.request(method, p, s.body)
			switch s.auth {
			case "-":
				req.Header.Del("Authorization")
			case "":
			default:
				req.Header.Set("Authorization", s.auth)
			}
			resp, body := hh.Send(req)
			if resp.StatusCode != s.status {
				t.Fatalf("answer %d %s, want %d", resp.StatusCode, body, s.status)
			}
			ref := responseSchema(path, map[string]string{http.MethodGet: "get", http.MethodPost: "post"}[method], resp.StatusCode)
			if ref == "" {
				t.Fatalf("the schema documents no %d for %s %s", resp.StatusCode, method, path)
			}
			schema.Check(t, ref, resp.StatusCode, body)
		})
	}
}
