package testutil

import (
	"net/url"
	"testing"

	"github.com/paybridge/paybridge/internal/payment"
)

// CheckParseReturn checks an adapter's ParseReturn on each redirect query
// of want (as the buyer's browser sends it) against the Return it must
// read from it, one subtest per query.
func CheckParseReturn(t *testing.T, parse func(url.Values) payment.Return, want map[string]payment.Return) {
	t.Helper()
	for query, w := range want {
		t.Run(query, func(t *testing.T) {
			q, err := url.ParseQuery(query)
			if err != nil {
				t.Fatal(err)
			}
			if got := parse(q); got != w {
				t.Errorf("ParseReturn(%q) = %+v\nwant %+v", query, got, w)
			}
		})
	}
}
