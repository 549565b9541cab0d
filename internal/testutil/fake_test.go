package testutil

import (
	"encoding/json"
	"fmt"
	"testing"
)

// spy records what an assertion reports instead of failing the test.
type spy struct {
	testing.TB
	errs []string
}

func (s *spy) Helper()                        {}
func (s *spy) Errorf(format string, a ...any) { s.errs = append(s.errs, fmt.Sprintf(format, a...)) }
func (s *spy) Fatalf(format string, a ...any) { s.errs = append(s.errs, fmt.Sprintf(format, a...)) }

func TestAssertFieldsCatchesWrongTypesAndExtras(t *testing.T) {
	want := map[string]any{"orderId": "o-1", "amount": 1000}
	ok := map[string]any{"orderId": "o-1", "amount": json.Number("1000")}
	for name, tc := range map[string]struct {
		fields map[string]any
		errs   int
	}{
		"exact":        {ok, 0},
		"amountAsText": {map[string]any{"orderId": "o-1", "amount": "1000"}, 1},
		"missing":      {map[string]any{"orderId": "o-1"}, 1},
		"extra":        {map[string]any{"orderId": "o-1", "amount": json.Number("1000"), "x": "y"}, 1},
		"otherAmount":  {map[string]any{"orderId": "o-1", "amount": json.Number("1000.0")}, 1},
		"idAsNumber":   {map[string]any{"orderId": json.Number("1"), "amount": json.Number("1000")}, 1},
	} {
		s := &spy{TB: t}
		AssertJSONFields(s, name, tc.fields, want)
		if len(s.errs) != tc.errs {
			t.Errorf("%s: reported %q, want %d problems", name, s.errs, tc.errs)
		}
	}

	s := &spy{TB: t}
	fields, kinds, decoded := FlatJSON(s, "body", []byte(`{"orderId":"o-1","amount":1000}`))
	AssertTextFields(s, "json", fields, kinds, want)
	if !decoded || len(s.errs) != 0 {
		t.Errorf("a right JSON body: decoded %v, reported %q", decoded, s.errs)
	}
	AssertTextFields(s, "json", map[string]string{"orderId": "o-1", "amount": "1000"}, map[string]string{"orderId": "string", "amount": "string"}, want)
	if len(s.errs) != 1 {
		t.Errorf("an amount sent as a JSON string: reported %q, want one problem", s.errs)
	}
	s = &spy{TB: t}
	AssertTextFields(s, "form", map[string]string{"orderId": "o-1", "amount": "1000"}, nil, want)
	if len(s.errs) != 0 {
		t.Errorf("a form body has no kinds to check: reported %q", s.errs)
	}
	if _, _, decoded := FlatJSON(s, "body", []byte(`{"a":{"b":1}}`)); decoded {
		t.Error("FlatJSON accepted a nested object")
	}
}
