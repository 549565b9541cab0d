package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// Ensure paybridge bench runs end to end for a moment (its sandbox and server
// are this test binary, see TestMain) and prints every figure: the three
// rates (baseline, ceiling, paybridge) and paybridge's ratios to the first
// two, the latency quantiles, fsyncs and transactions per checkout, the CPU
// per checkout of paybridge and of the ceiling's relay, the peak RSS, and a
// lookup row per size; and that the ceiling's relay made its provider calls
// (counted by the sandbox: a relay that skipped approve would fail the bench).
// Timings are not checked, only that they are there.
func TestRun_Bench(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	getenv := func(string) string { return "" }
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"bench", "--concurrency", "1,2", "--duration", "600ms", "--warmup", "100ms",
		"--open-payments", "20", "--lookup-sizes", "50,120", "--lookup-duration", "200ms", "--lookup-concurrency", "2"},
		getenv, &out, &errOut)
	if err != nil {
		t.Fatalf("bench: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	s := out.String()
	t.Log("\n" + s)
	num := `[0-9]+(\.[0-9]+)?`
	for _, want := range []string{
		`concurrency +baseline/s +ceiling/s +paybridge/s +ratio +of ceiling +p50 ms +p99 ms +p99\.9 ms +fsyncs/checkout +tx/checkout +sql/chk +cpu ms/chk +ceiling cpu +writer busy +syncer busy +errors`,
		// One row per concurrency, every figure a number (the writer's busy
		// time and its share in COMMIT as percentages, the syncer's busy
		// time and its mean fsync), no failed flow.
		`(?m)^ +1( +` + num + `){13} +\d+% \(\d+%\) +\d+% \(` + num + ` ms\) +0$`,
		`(?m)^ +2( +` + num + `){13} +\d+% \(\d+%\) +\d+% \(` + num + ` ms\) +0$`,
		// The ceiling's rate is not zero: its relay finished checkouts.
		`(?m)^ +1 +[0-9]+ +[1-9][0-9]* `,
		`(?m)^ +2 +[0-9]+ +[1-9][0-9]* `,
		`the sandbox answered it [1-9][0-9]* approves`,
		`peak RSS of paybridge: ` + num + ` MB \(after the runs above and 20 payments left open\)`,
		`(?m)^ +50 +` + num + `( +` + num + `){7}$`,
		`(?m)^ +120 +` + num + `( +` + num + `){7}$`,
		// Where the CPU went: per concurrency a row per run, the server's,
		// the load generator's and the sandbox's CPU per checkout (the
		// baseline has no server) and the machine's busy share.
		`concurrency +run +checkouts/s +server +load generator +sandbox +machine busy`,
		`(?m)^ +1 +baseline +` + num + ` +- +` + num + ` +` + num + ` +\d+%$`,
		`(?m)^ +1 +ceiling +` + num + `( +` + num + `){3} +\d+%$`,
		`(?m)^ +1 +paybridge +[1-9][0-9]*( +` + num + `){3} +\d+%$`,
		`(?m)^ +2 +paybridge +[1-9][0-9]*( +` + num + `){3} +\d+%$`,
	} {
		if !regexp.MustCompile(want).MatchString(s) {
			t.Errorf("output lacks %s", want)
		}
	}
	if strings.Contains(s, "n/a") {
		t.Error("a figure is missing (n/a)")
	}
}

// Ensure --ceiling=false leaves the ceiling's runs out: its columns say "-"
// and no relay is reported, while paybridge's figures are still there.
func TestRun_BenchWithoutCeiling(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"bench", "--ceiling=false", "--concurrency", "1", "--duration", "500ms",
		"--warmup", "50ms", "--open-payments", "0", "--lookup-sizes", ""},
		func(string) string { return "" }, &out, &errOut)
	if err != nil {
		t.Fatalf("bench: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	s := out.String()
	num := `[0-9]+(\.[0-9]+)?`
	// concurrency, baseline/s, ceiling/s "-", paybridge/s, ratio, of ceiling "-".
	if want := `(?m)^ +1 +` + num + ` +- +[1-9][0-9]* +` + num + ` +- +`; !regexp.MustCompile(want).MatchString(s) {
		t.Errorf("output lacks %s:\n%s", want, s)
	}
	if strings.Contains(s, "(ceiling:") || regexp.MustCompile(`(?m)^ +1 +ceiling `).MatchString(s) {
		t.Errorf("a ceiling is reported without its runs:\n%s", s)
	}
	if want := `(?m)^ +1 +paybridge +[1-9][0-9]*( +` + num + `){3} +\d+%$`; !regexp.MustCompile(want).MatchString(s) {
		t.Errorf("output lacks %s:\n%s", want, s)
	}
}
