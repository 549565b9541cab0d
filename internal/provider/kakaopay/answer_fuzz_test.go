package kakaopay

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/paybridge/paybridge/internal/provider/answertest"
)

// FuzzAnswerAsEncodingJSON: every KakaoPay answer type reads any body as
// encoding/json does (provider answers are read by encoding/json/v2 with
// its semantics).
func FuzzAnswerAsEncodingJSON(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range answertest.Seeds {
		f.Add([]byte(s))
	}
	f.Add(benchApprove)
	f.Fuzz(func(t *testing.T, body []byte) {
		answertest.SameAsEncodingJSON[readyResponse](t, body)
		answertest.SameAsEncodingJSON[approveResponse](t, body)
		answertest.SameAsEncodingJSON[orderResponse](t, body)
		answertest.SameAsEncodingJSON[cancelResponse](t, body)
	})
}
