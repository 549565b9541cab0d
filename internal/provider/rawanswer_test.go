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
