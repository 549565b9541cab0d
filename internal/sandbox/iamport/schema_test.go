package iamport

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/paybridge/paybridge/internal/sandbox/sandboxtest"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// v1SchemaFile is PortOne's own V1 schema, copied unchanged from
// portone-io/developers.portone.io src/schema/v1.openapi.json (Swagger 2.0),
// so that the test needs nothing outside the repository.
const v1SchemaFile = "testdata/portone-v1.openapi.json"

const v1SchemaURL = "file:///portone-v1.openapi.json"

// loadV1Schema compiles the answers' schemas from PortOne's file, after
// fixing the file's known quirks, each of which real PortOne answers show
// and real clients cope with:
//
//   - maxLength is sometimes a string ("32"), which no JSON Schema validator
//     accepts: it is made a number;
//   - message is null on success, and optional string fields are null when
//     they do not apply, where the schema (Swagger 2.0 has no nullable)
//     says string: those may be null. Nothing else may: an optional integer
//     (card_type) or object (promotion) that is null is a bug;
//   - PaymentPrepareAnnotation requires total, previous and next, which are
//     a paging type's fields copied by mistake: it requires merchant_uid and
//     amount instead.
//
// Every object the sandbox answers with also gets additionalProperties
// false, so that a misspelt field name is caught, not ignored.
func loadV1Schema(t *testing.T) *sandboxtest.Schema {
	t.Helper()
	return sandboxtest.LoadSchema(t, v1SchemaFile, v1SchemaURL, jsonschema.Draft4, false, fixV1Schema)
}

// fixV1Schema makes the changes loadV1Schema lists.
func fixV1Schema(doc map[string]any) {
	defs := doc["definitions"].(map[string]any)
	fixQuirks(defs)
	defs["ResponseAnnotation"].(map[string]any)["properties"].(map[string]any)["message"].(map[string]any)["type"] = []any{"string", "null"}
	prep := defs["PaymentPrepareAnnotation"].(map[string]any)
	prep["required"] = []any{"merchant_uid", "amount"}
	for _, name := range []string{"PaymentAnnotation", "PaymentCancelAnnotation", "AuthAnnotation", "PaymentPrepareAnnotation"} {
		defs[name].(map[string]any)["additionalProperties"] = false
	}
	// The envelope of an error: code ≠ 0, a message, response null.
	defs["paybridgeErrorEnvelope"] = map[string]any{
		"allOf":                []any{map[string]any{"$ref": "#/definitions/ResponseAnnotation"}},
		"required":             []any{"code", "message", "response"},
		"additionalProperties": false,
		"properties": map[string]any{
			"code":     map[string]any{"type": "integer", "not": map[string]any{"enum": []any{0}}},
			"message":  map[string]any{"type": "string", "minLength": 1},
			"response": map[string]any{"type": "null"},
		},
	}
}

// fixQuirks walks the definitions: numeric maxLength, and null allowed for
// string properties not listed as required.
func fixQuirks(v any) {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["maxLength"].(string); ok {
			n, _ := strconv.Atoi(s)
			x["maxLength"] = n
		}
		if props, ok := x["properties"].(map[string]any); ok {
			var required []any
			if r, ok := x["required"].([]any); ok {
				required = r
			}
			for name, p := range props {
				pm, ok := p.(map[string]any)
				if ok && pm["type"] == "string" && !slices.Contains(required, any(name)) {
					pm["type"] = []any{"string", "null"}
				}
			}
		}
		for _, e := range x {
			fixQuirks(e)
		}
	case []any:
		for _, e := range x {
			fixQuirks(e)
		}
	}
}

// TestSandbox_Schema validates the sandbox's answer on every route it
// serves, success and each error, against PortOne's V1 schema.
func TestSandbox_Schema(t *testing.T) {
	schema := loadV1Schema(t)

	h := MustHarness(t, Options{})
	tok := "Bearer " + h.token()
	paid := h.MustPaid("pay_paid", 10000)
	refunded := h.MustPaid("pay_refunded", 5000)
	w := h.window("pay_cancel", 3000)
	_, _, cancelled := h.open(w)
	h.returned(h.press(w, cancelled, actionCancel))
	w = h.window("pay_fail", 3000)
	_, _, failed := h.open(w)
	h.returned(h.press(w, failed, actionFail))
	_, _, ready := h.open(h.window("pay_ready", 3000))

	const refused = "paybridgeErrorEnvelope"
	tests := []struct {
		name, method, path string
		body               any
		auth               string
		def                string // definition of the answer
	}{
		{"getToken", http.MethodPost, "/users/getToken", map[string]any{"imp_key": testKey, "imp_secret": testSecret}, "", "AuthResponse"},
		{"getToken form", http.MethodPost, "/users/getToken", url.Values{"imp_key": {testKey}, "imp_secret": {testSecret}}, "", "AuthResponse"},
		{"getToken wrong secret", http.MethodPost, "/users/getToken", map[string]any{"imp_key": testKey, "imp_secret": "x"}, "", refused},
		{"getToken malformed", http.MethodPost, "/users/getToken", "{", "", refused},

		{"prepare", http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_prep", "amount": 1000}, tok, "PaymentPrepareResponse"},
		{"prepare with currency", http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_prep2", "amount": 1000, "currency": "KRW"}, tok, "PaymentPrepareResponse"},
		{"prepare again", http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_prep", "amount": 1000}, tok, refused},
		{"prepare invalid", http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_prep3"}, tok, refused},
		{"prepare no token", http.MethodPost, "/payments/prepare", map[string]any{"merchant_uid": "pay_prep4", "amount": 1}, "", refused},
		{"get prepare", http.MethodGet, "/payments/prepare/pay_prep", nil, tok, "PaymentPrepareResponse"},
		{"get prepare unknown", http.MethodGet, "/payments/prepare/pay_none", nil, tok, refused},

		{"payment paid", http.MethodGet, "/payments/" + paid + "?include_sandbox=true", nil, tok, "PaymentResponse"},
		{"payment cancelled by the buyer", http.MethodGet, "/payments/" + cancelled + "?include_sandbox=true", nil, tok, "PaymentResponse"},
		{"payment declined", http.MethodGet, "/payments/" + failed + "?include_sandbox=true", nil, tok, "PaymentResponse"},
		{"payment ready", http.MethodGet, "/payments/" + ready + "?include_sandbox=true", nil, tok, "PaymentResponse"},
		{"payment without include_sandbox", http.MethodGet, "/payments/" + paid, nil, tok, refused},
		{"payment unknown", http.MethodGet, "/payments/imp_000000000000?include_sandbox=true", nil, tok, refused},
		{"payment no token", http.MethodGet, "/payments/" + paid + "?include_sandbox=true", nil, "", refused},

		{"find", http.MethodGet, "/payments/find/pay_paid", nil, tok, "PaymentResponse"},
		{"find by status", http.MethodGet, "/payments/find/pay_fail/failed", nil, tok, "PaymentResponse"},
		{"find none", http.MethodGet, "/payments/find/pay_none", nil, tok, refused},
		{"find bad status", http.MethodGet, "/payments/find/pay_paid/all", nil, tok, refused},

		{"cancel partial", http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": paid, "amount": 3000, "checksum": 10000, "reason": "one cup"}, tok, "PaymentResponse"},
		{"cancel full", http.MethodPost, "/payments/cancel", url.Values{"imp_uid": {refunded}, "reason": {"all"}}, tok, "PaymentResponse"},
		{"cancel again", http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": refunded, "reason": "again"}, tok, refused},
		{"cancel checksum", http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": paid, "amount": 1000, "checksum": 10000, "reason": "x"}, tok, refused},
		{"cancel too much", http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": paid, "amount": 8000, "reason": "x"}, tok, refused},
		{"cancel unpaid", http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": failed, "reason": "x"}, tok, refused},
		{"cancel unknown", http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": "imp_000000000000", "reason": "x"}, tok, refused},
		{"cancel no reason", http.MethodPost, "/payments/cancel", map[string]any{"imp_uid": paid, "amount": "x"}, tok, refused},

		{"unknown path", http.MethodGet, "/payments/imp_1/balance", nil, tok, refused},
		{"wrong method", http.MethodGet, "/payments/cancel", nil, tok, refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := h.request(tt.method, tt.path, tt.body, tt.auth)
			if s, isString := tt.body.(string); isString {
				req = h.request(tt.method, tt.path, nil, tt.auth)
				req.Body = io.NopCloser(bytes.NewReader([]byte(s)))
				req.ContentLength = int64(len(s))
				req.Header.Set("Content-Type", "application/json")
			}
			resp, body := h.Send(req)
			if (tt.def == refused) != (resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"code":1`))) {
				t.Fatalf("answer %d %s: not the outcome the case is about", resp.StatusCode, body)
			}
			schema.Check(t, "#/definitions/"+tt.def, resp.StatusCode, body)
		})
	}
}
