package testutil

import (
	"slices"
	"testing"
)

func TestShapeDiff(t *testing.T) {
	example := `{"id":"a","amount":{"total":1},"card":null,"cancels":[{"amount":1}],"extras":{"x":"y"}}`
	for _, tt := range []struct {
		name, got string
		want      []string
	}{
		{"same", `{"id":"b","amount":{"total":2},"card":{"n":1},"cancels":[],"extras":{"x":"z"}}`, nil},
		{"optional absent", `{"id":"b","amount":{"total":2},"card":null,"cancels":[]}`, nil},
		{"wrong type", `{"id":1,"amount":{"total":"2"},"card":null,"cancels":[{"amount":"1"}]}`,
			[]string{"amount.total: string in the answer, number in the documentation",
				"cancels[].amount: string in the answer, number in the documentation",
				"id: number in the answer, string in the documentation"}},
		{"unknown and missing", `{"ID":"b","amount":{"total":2},"card":null,"cancels":[]}`,
			[]string{"ID: in the answer, not in the documentation", "id: missing from the answer"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ShapeDiff([]byte(example), []byte(tt.got), "extras")
			if !slices.Equal(got, tt.want) {
				t.Errorf("ShapeDiff = %q, want %q", got, tt.want)
			}
		})
	}
}
