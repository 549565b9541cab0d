package kakaopay

import (
	"testing"

	"github.com/paybridge/paybridge/internal/provider/answertest"
)

// FuzzAnswerAsEncodingJSON: every KakaoPay answer type reads any body as
// encoding/json does (provider answers are read by encoding/json/v2 with
// its semantics).
func FuzzAnswerAsEncodingJSON(f *testing.F) {
	answertest.AddSeeds(f)
	f.Add(benchApprove)
	f.Fuzz(func(t *testing.T, body []byte) {
		answertest.SameAsEncodingJSON[readyResponse](t, body)
		answertest.SameAsEncodingJSON[approveResponse](t, body)
		answertest.SameAsEncodingJSON[orderResponse](t, body)
		answertest.SameAsEncodingJSON[cancelResponse](t, body)
	})
}
