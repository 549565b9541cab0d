package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// Ensure paybridge bench runs end to end for a moment (its sandbox and server
// are this test binary, see TestMain) and prints every figure: both rates and
// their ratio, the latency quantiles, fsyncs and transactions per checkout,
// the peak RSS, and a lookup row per size. Timings are not checked, only that
// they are there.
func TestRun_Bench(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	getenv := func(string) string { return "" }
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"bench", "--concurrency", "1,2", "--duration", "300ms", "--warmup", "100ms",
		"--open-payments", "20", "--lookup-sizes", "50,120", "--lookup-duration", "200ms", "--lookup-concurrency", "2"},
		getenv, &out, &errOut)
	if err != nil {
		t.Fatalf("bench: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	s := out.String()
	t.Log("\n" + s)
	num := `[0-9]+(\.[0-9]+)?`
	for _, want := range []string{
		`concurrency +baseline/s +paybridge/s +ratio +p50 ms +p99 ms +p99\.9 ms +fsyncs/checkout +tx/checkout +sql/chk +cpu ms/chk +writer busy +errors`,
		// One row per concurrency, every figure a number (the writer's busy
		// time and its share in COMMIT as percentages), no failed flow.
		`(?m)^ +1( +` + num + `){10} +\d+% \(\d+%\) +0$`,
		`(?m)^ +2( +` + num + `){10} +\d+% \(\d+%\) +0$`,
		`peak RSS of paybridge: ` + num + ` MB \(after the runs above and 20 payments left open\)`,
		`(?m)^ +50 +` + num + `( +` + num + `){7}$`,
		`(?m)^ +120 +` + num + `( +` + num + `){7}$`,
	} {
		if !regexp.MustCompile(want).MatchString(s) {
			t.Errorf("output lacks %s", want)
		}
	}
	if strings.Contains(s, "n/a") {
		t.Error("a figure is missing (n/a)")
	}
}
