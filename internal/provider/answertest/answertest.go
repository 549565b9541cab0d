// Package answertest holds provider answer decoding to encoding/json's: an
// adapter's fuzz tests hand it their wire types and any body.
package answertest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/paybridge/paybridge/internal/provider"
)

// SameAsEncodingJSON fails t unless decoding body into a T as an adapter
// does (provider.Keep, read by encoding/json/v2 with encoding/json's
// semantics) gives what json.Unmarshal gives: the same value, or the same
// refusal word for word.
func SameAsEncodingJSON[T any](t testing.TB, body []byte) {
	t.Helper()
	var got, want T
	var raw []byte
	errGot := provider.Keep(&got, &raw).UnmarshalJSON(body)
	errWant := json.Unmarshal(body, &want)
	if (errGot == nil) != (errWant == nil) || (errGot != nil && errGot.Error() != errWant.Error()) {
		t.Fatalf("%T from %q: adapter decode %v, encoding/json %v", got, body, errGot, errWant)
	}
	if errGot == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%T from %q: adapter decode\n%+v\nencoding/json\n%+v", got, body, got, want)
	}
}

// Seeds are bodies at the edges where two JSON readers could differ, to
// add to an adapter's own answers.
var Seeds = []string{
	`{}`, `null`, `[]`, `""`, `1`, ``, ` `, `{"a":1}{"b":2}`, `{"a":1} `, `{"a":`, `{"a":1,}`,
	`{"tid":"T1","tid":"T2"}`, `{"TID":"T1"}`, `{"Tid":"T1","tid":"T2"}`, `{"tid":null}`, `{"tid":1}`,
	"{\"tid\":\"T\xff\"}", `{"tid":"T\ud800"}`, `{"tid":"\u0054\u00e9"}`, `{"tid":"a\"b\\c"}`,
	`{"amount":{"total":1000}}`, `{"amount":{"total":"1000"}}`, `{"amount":{"total":1e3}}`,
	`{"amount":{"total":1000.5}}`, `{"amount":{"total":9223372036854775808}}`, `{"amount":{"total":-0}}`,
	`{"amount":null}`, `{"amount":[]}`, `{"amount":{"total":1000,"total":1}}`, `{"quantity":true}`,
	`{"created_at":"2026-12-03T07:54:22"}`, `{"created_at":null}`, `{"created_at":1}`, `{"created_at":"x"}`,
	`{"approvedAt":"2026-12-03T07:54:26+09:00"}`, `{"paid_at":1764748466}`, `{"paidAt":"2026-12-03T07:54:26Z"}`,
	`{"totalAmount":1000,"balanceAmount":"1000"}`, `{"cancels":[{"cancelAmount":1}]}`, `{"cancels":null}`,
	`{"amount":{"total":1000,"paid":1000,"cancelled":0}}`, `{"cancel_history":[{"amount":1}]}`,
	// Repeated names holding arrays, objects and pointers, where
	// encoding/json merges into what the first one left; and a key that
	// matches only by Unicode case folding (ſ folds to s).
	`{"payment_action_details":[{"aid":"a","amount":5}],"payment_action_details":[{"aid":"b"}]}`,
	`{"card_info":{"bin":"1"},"card_info":null}`, `{"card_info":{"bin":"1"},"card_info":{"card_type":"x"}}`,
	`{"cancels":[{"cancelAmount":5,"transactionKey":"a"}],"cancels":[{"cancelAmount":1}]}`,
	`{"amount":{"total":1000},"amount":{"tax_free":1}}`, `{"\u017ftatus":"x"}`, `{"ſtatus":"x"}`,
}

// AddSeeds adds an adapter's recorded answers (its testdata/*.json) and
// Seeds to f's corpus.
func AddSeeds(f *testing.F) {
	f.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range Seeds {
		f.Add([]byte(s))
	}
}

// Edited is the JSON object b with edit applied to it, decoded and encoded
// again: an adapter's recorded answer with a field removed or changed.
func Edited(t testing.TB, b []byte, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
