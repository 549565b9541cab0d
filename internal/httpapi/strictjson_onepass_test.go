package httpapi

import (
	"reflect"
	"testing"
)

// onePassSeeds are bodies on both sides of every check scanStrict makes,
// with and without an 'n' outside strings.
var onePassSeeds = []string{
	createBody,
	`{"provider":"kakaopay","order_id":"o","order_name":"n","amount":1000,"quantity":1,"customer_id":"c"}`,
	`{"amount":1000,"amount":1}`, `{"Amount":1000}`, `{"amount":null}`, `{"order_id":"null"}`,
	`{"order_id":"a\"n"}`, `{"order_id":"a\\"}`, `{"order_id":"a\\","amount":nul}`,
	"{\"order_id\":\"o\xff\"}", `{"order_id":"o\ud800"}`, `{"order_id":"o\u00e9"}`,
	`{"amount":1}{"amount":2}`, `{"amount":1} `, ` {"amount":1}`, `{"amount":1} x`, `[]`, `"x"`, `1`, `null`,
	``, ` `, `{}`, `{"extra":1}`, `{"amount":"5"}`, `{"amount":1e3}`, `{"amount":1.5}`,
	`{"amount":9223372036854775808}`, `{"order_id":1}`, `{"amount":true}`, `{"amount":tru}`, `{"amount":`, `{`,
	`{"enabled_events":["payment.paid",null]}`, `{"enabled_events":["a","a"]}`, `{"enabled_events":{"k":1,"k":2}}`, `{"reason":"x","amount":5,"tax_free_amount":0}`,
}

// decodeStrict's one pass must decide every body as decodeTwoPass (the
// scan, then Unmarshal) does: the same value when accepted, the same
// message when refused.
func FuzzDecodeStrictOnePass(f *testing.F) {
	for _, s := range onePassSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		checkOnePass(t, body, func() any { return new(createPaymentRequest) })
		checkOnePass(t, body, func() any { return new(cancelPaymentRequest) })
		checkOnePass(t, body, func() any { return new(createWebhookEndpointRequest) })
	})
}

func TestDecodeStrict_OnePassAsTwo(t *testing.T) {
	for _, s := range onePassSeeds {
		checkOnePass(t, s, func() any { return new(createPaymentRequest) })
		checkOnePass(t, s, func() any { return new(createWebhookEndpointRequest) })
	}
}

func checkOnePass(t *testing.T, body string, newV func() any) {
	t.Helper()
	one, two := newV(), newV()
	errOne, errTwo := decodeStrict([]byte(body), one), decodeTwoPass([]byte(body), two)
	if (errOne == nil) != (errTwo == nil) || (errOne != nil && errOne.Error() != errTwo.Error()) {
		t.Fatalf("%T %q: one pass %v, two passes %v", one, body, errOne, errTwo)
	}
	if errOne == nil && !reflect.DeepEqual(one, two) {
		t.Fatalf("%T %q: one pass read %+v, two passes %+v", one, body, one, two)
	}
}
