package portone

import (
	"testing"

	"github.com/paybridge/paybridge/internal/provider/answertest"
)

// FuzzAnswerAsEncodingJSON: every PortOne V2 answer type read through
// provider.Keep reads any body as encoding/json does (provider answers are
// read by encoding/json/v2 with its semantics).
func FuzzAnswerAsEncodingJSON(f *testing.F) {
	answertest.AddSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		answertest.SameAsEncodingJSON[paymentWire](t, body)
		answertest.SameAsEncodingJSON[cancelResponse](t, body)
	})
}
