package provider

import (
	"bytes"
	"strings"
	"testing"
)

func TestRedactAnswer(t *testing.T) {
	for _, tt := range []struct {
		name, in, want string
	}{
		{"KeptAsReceived", `{"b": 1, "a": "x"}`, `{"b": 1, "a": "x"}`},
		{"NumbersExact", `{"amount": 12345678901234567890, "access_token": "t"}`, `{"amount":12345678901234567890}`},
		{"SecretsAtAnyDepth", `{"response": {"access_token": "t1", "Imp_Key": "k", "now": 1}, "list": [{"secretKey": "s", "id": 2}]}`,
			`{"list":[{"id":2}],"response":{"now":1}}`},
		{"MaskedCardKept", `{"card": {"number": "4330-12**-****-123*"}, "card_number": "536181******5000"}`,
			`{"card": {"number": "4330-12**-****-123*"}, "card_number": "536181******5000"}`},
		{"FullCardDropped", `{"card": {"number": "4330123412341234", "bin": "433012"}, "cardNumber": "4330 1234 1234 1234", "card_number": 4330123412341234}`,
			`{"card":{"bin":"433012"}}`},
		{"MaskCharButWholeNumber", `{"cardNumber": "4330123412341234*"}`, `{}`},
		{"NumberOutsideCardKept", `{"virtualAccount": {"accountNumber": "X1234567890123"}, "number": "12"}`,
			`{"virtualAccount": {"accountNumber": "X1234567890123"}, "number": "12"}`},
		{"HTMLNotEscaped", `{"token": "t", "name": "<b>&"}`, `{"name":"<b>&"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactAnswer([]byte(tt.in)); string(got) != tt.want {
				t.Errorf("RedactAnswer(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
	for name, in := range map[string][]byte{
		"NotJSON":   []byte("<html>bad gateway</html>"),
		"Truncated": []byte(`{"status": "PAID"`),
		"Scalar":    []byte(`"PAID"`),
		"TwoValues": []byte(`{} {}`),
		"Empty":     nil,
		"TooLarge":  []byte(`{"pad": "` + strings.Repeat("x", MaxRawAnswer) + `"}`),
	} {
		if got := RedactAnswer(in); got != nil {
			t.Errorf("%s: RedactAnswer = %.80q, want nil", name, got)
		}
	}
	// Just under the bound is kept whole.
	in := []byte(`{"pad": "` + strings.Repeat("x", MaxRawAnswer-11) + `"}`)
	if got := RedactAnswer(in); !bytes.Equal(got, in) {
		t.Errorf("an answer of %d bytes was not kept whole", len(in))
	}
}

// TestRedactAnswer_FastPathAgrees: the one-pass check that lets an answer
// through unchanged never lets through what the full pass would drop. Each
// body is redacted both ways; the keys that must send it down the full pass
// are spelled every way redact would still recognise them.
func TestRedactAnswer_FastPathAgrees(t *testing.T) {
	for _, in := range []string{
		`{"aid":"A1","tid":"T1","amount":{"total":1000,"tax_free":0},"approved_at":"2026-12-03T07:54:26"}`,
		`{"tid":"T1","pg_token":"x"}`,
		`{"tid":"T1","PG-TOKEN":"x"}`,
		`{"tid":"T1","p_g__t-o_ken" : "x"}`,
		`{"tid":"T1","\u0070g_token":"x"}`,
		`{"tid":"T1","api\u212Aey":"x"}`,         // Kelvin sign, escaped
		"{\"tid\":\"T1\",\"api\u212Aey\":\"x\"}", // Kelvin sign, raw: ToLower makes it k
		`{"card":{"number":"4330123412341234"}}`,
		`{"card_info":{"Number":"4330123412341234"}}`,
		`{"cardNumber":"4330123412341234"}`,
		`{"list":[{"a":1},{"secret":"s"}]}`,
		`[{"a":"\"pg_token\":"},{"b":"x\\"}]`, // keys look-alikes inside values
		`{"a":"pg_token","b":"number"}`,
		`{"authorization_":"x","authorizationx":"y"}`,
		`{"a" :{"b"	:{"c"
:{"token":"t"}}}}`,
	} {
		got, want := RedactAnswer([]byte(in)), redactAnswer([]byte(in))
		if !bytes.Equal(got, want) {
			t.Errorf("RedactAnswer(%s) = %s, the full pass gives %s", in, got, want)
		}
	}
}

// keySpellings are the ways a normalized rule key may be sent that redact
// still recognises: as is, upper case, camel-cased, and with '_' and '-'
// anywhere.
func keySpellings(k string) []string {
	var under, dash, camel strings.Builder
	for i, r := range k {
		if i > 0 {
			under.WriteByte('_')
		}
		if i == len(k)/2 {
			dash.WriteString("-")
			camel.WriteRune(r - 'a' + 'A')
		} else {
			camel.WriteRune(r)
		}
		under.WriteRune(r)
		dash.WriteRune(r)
	}
	return []string{k, strings.ToUpper(k), camel.String(), under.String(), "_" + strings.ToUpper(dash.String()) + "-", "-" + k + "_"}
}

// TestRedactAnswer_FastPathFollowsRules: for every rule key, spelled every
// way redact recognises, in a card object and out of one, the one-pass
// check sends the answer to the full pass whenever that drops something,
// and the key is dropped where it must be. A change to the rules that
// mayDrop did not follow would keep a credential in plain text.
func TestRedactAnswer_FastPathFollowsRules(t *testing.T) {
	check := func(t *testing.T) {
		var keys []string
		for k := range sensitiveKeys {
			keys = append(keys, k)
		}
		for k := range cardNumberKeys {
			keys = append(keys, k)
		}
		for _, k := range keys {
			for _, key := range keySpellings(k) {
				for _, obj := range append(keySpellings("card"), keySpellings("cardinfo")...) {
					for _, in := range []string{
						`{"tid":"T1","` + key + `":"4330123412341234"}`,
						`{"tid":"T1","` + obj + `":{"bin":"433012","` + key + `":"4330123412341234"}}`,
						`[{"a":[{"` + obj + `":{"` + key + `":4330123412341234}}]}]`,
					} {
						got, want := RedactAnswer([]byte(in)), redactAnswer([]byte(in))
						if !bytes.Equal(got, want) {
							t.Errorf("RedactAnswer(%s) = %s, the full pass gives %s", in, got, want)
						}
						inCard := !strings.HasPrefix(in, `{"tid":"T1","`+key)
						if dropped := !bytes.Contains(got, []byte(`"`+key+`"`)); dropped != (sensitiveKeys[k] || cardNumber(k, inCard)) {
							t.Errorf("RedactAnswer(%s) = %s: %q dropped %v", in, got, key, dropped)
						}
						if !mayDrop([]byte(in)) {
							t.Errorf("mayDrop(%s) = false, want true for the key %q", in, key)
						}
					}
				}
			}
		}
	}
	check(t)
	// A key longer than any there is now, should one be added.
	const long = "merchantadministratorpassword"
	sensitiveKeys[long] = true
	defer delete(sensitiveKeys, long)
	if len(long) > maxRuleKey {
		t.Fatalf("%q is too long for maxRuleKey; init would refuse it", long)
	}
	check(t)
}

// BenchmarkRedactAnswer: a KakaoPay approve answer, which holds nothing to
// drop, as every approve is kept on the payment.
func BenchmarkRedactAnswer(b *testing.B) {
	body := []byte(`{"aid":"A4122826646966291988","tid":"T1746434190941047034","cid":"TC0ONETIME","partner_order_id":"pay_01m7y6bh0wymaba0wnqv9vms1r","partner_user_id":"buyer","amount":{"total":1000,"tax_free":0,"vat":91,"point":0,"discount":0,"green_deposit":0},"item_name":"Tea","quantity":1,"created_at":"2026-12-03T07:54:22","payment_method_type":"MONEY","approved_at":"2026-12-03T07:54:26"}`)
	b.ReportAllocs()
	for b.Loop() {
		RedactAnswer(body)
	}
}

// BenchmarkKeep: decoding an approve answer and keeping it, as an adapter's
// payment call does through Transport.JSON.
func BenchmarkKeep(b *testing.B) {
	body := []byte(`{"aid":"A4122826646966291988","tid":"T1746434190941047034","cid":"TC0ONETIME","partner_order_id":"pay_01m7y6bh0wymaba0wnqv9vms1r","partner_user_id":"buyer","amount":{"total":1000,"tax_free":0,"vat":91,"point":0,"discount":0,"green_deposit":0},"item_name":"Tea","quantity":1,"created_at":"2026-12-03T07:54:22","payment_method_type":"MONEY","approved_at":"2026-12-03T07:54:26"}`)
	b.ReportAllocs()
	for b.Loop() {
		var v struct {
			AID    string `json:"aid"`
			TID    string `json:"tid"`
			Amount struct {
				Total int64 `json:"total"`
			} `json:"amount"`
		}
		var raw []byte
		if err := decodeJSON(body, Keep(&v, &raw)); err != nil || raw == nil {
			b.Fatal(err)
		}
	}
}
