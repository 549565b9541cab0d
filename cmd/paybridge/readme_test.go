package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paybridge/paybridge/internal/apptest"
	"github.com/paybridge/paybridge/internal/payment"
)

// runAsCLI makes the test binary run as paybridge (see TestMain), so that
// the README's "go run ./cmd/paybridge …" costs no compilation.
const runAsCLI = "PAYBRIDGE_TEST_RUN_AS_CLI"

// skipMarker, on the line above a fenced sh block, says the README test
// does not run it, and why.
const skipMarker = "<!-- readme-test: skip"

// readmeBlock is one fenced sh block of the README.
type readmeBlock struct {
	line       int    // of the opening fence
	code       string // the block's text
	skip       string // the reason it is not run, from the marker above it
	sampleJSON string // a ```json block right after it: the documented answer
}

// readmeBlocks extracts the README's sh blocks.
func readmeBlocks(t *testing.T, readme string) []readmeBlock {
	t.Helper()
	var (
		blocks []readmeBlock
		prev   string // the last non-blank line before a fence
		cur    *readmeBlock
		kind   string // the language of the open fence
		body   strings.Builder
		last   *readmeBlock // the sh block that ended last, until other text
	)
	sc := bufio.NewScanner(strings.NewReader(readme))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case kind == "" && strings.HasPrefix(line, "```"):
			kind = strings.TrimPrefix(line, "```")
			body.Reset()
			if kind == "sh" {
				cur = &readmeBlock{line: n}
				if strings.HasPrefix(prev, skipMarker) {
					cur.skip = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(prev, skipMarker), "-->"))
					cur.skip = strings.TrimSpace(strings.TrimLeft(cur.skip, "—-: "))
					if cur.skip == "" {
						t.Errorf("README.md:%d: a skipped example must say why", n)
					}
				}
			}
		case kind != "" && line == "```":
			switch {
			case kind == "sh":
				cur.code = body.String()
				blocks = append(blocks, *cur)
				last = &blocks[len(blocks)-1]
			case kind == "json" && last != nil:
				last.sampleJSON = body.String()
			}
			if kind != "sh" {
				last = nil
			}
			kind, prev = "", line
		case kind != "":
			body.WriteString(line + "\n")
		default:
			if strings.TrimSpace(line) != "" {
				prev = strings.TrimSpace(line)
				last = nil
			}
		}
	}
	if kind != "" {
		t.Fatalf("README.md: a fence is not closed")
	}
	return blocks
}

// TestREADME_Examples runs every sh example of the README, in order, in one
// shell session's worth of state (variables carry over), against a
// paybridge on a temporary database and a standalone sandbox. "go run
// ./cmd/paybridge" runs this test binary as paybridge. The hosts the
// README names (localhost:8080, :3000, :9090) become the test's servers; a
// value the README's sample answer shows (a payment id, a redirect_url) is
// replaced by the one the example really answered, and pay_… and a window
// URL with … by the last payment's. An example fails when it exits non-zero
// or answers an API error.
func TestREADME_Examples(t *testing.T) {
	if testing.Short() {
		t.Skip("README examples: skipped with -short")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not found: apt-get install -y curl")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(t, string(readme))
	if len(blocks) < 10 {
		t.Fatalf("found %d sh blocks in the README; the parser is broken", len(blocks))
	}

	a := apptest.Start(t)
	sandboxURL := startStandaloneSandbox(t)
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cli := filepath.Join(dir, "paybridge-cli")
	if err := os.WriteFile(cli, []byte("#!/bin/sh\n"+runAsCLI+"=1 exec '"+self+"' \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state.sh")
	if err := os.WriteFile(state, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	// The variables the examples set, carried from one block to the next.
	assign := regexp.MustCompile(`(?m)^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=`)
	var vars []string
	for _, b := range blocks {
		for _, m := range assign.FindAllStringSubmatch(b.code, -1) {
			if !contains(vars, m[1]) {
				vars = append(vars, m[1])
			}
		}
	}
	preamble := "set -euo pipefail\n" +
		"go() { if [ \"${1-}\" = run ] && [ \"${2-}\" = ./cmd/paybridge ]; then shift 2; \"$PB_CLI\" \"$@\"; " +
		"else echo \"README test: cannot run: go $*\" >&2; return 127; fi; }\n" +
		". " + state + "\n"
	postamble := "\ndeclare -p " + strings.Join(vars, " ") + " 2>/dev/null > " + state + " || true\n"
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "LANG=C.UTF-8",
		"PB_CLI=" + cli,
		"PAYBRIDGE_DATABASE_URL=" + a.Config.DatabaseURL,
		// The CLI's default server is localhost:8080; the test's is elsewhere.
		"PAYBRIDGE_URL=" + a.URL(),
	}

	subst := map[string]string{} // from the README's sample answers
	var lastPayment, lastRedirect string
	windowPlaceholder := regexp.MustCompile(`http://localhost:8080/sandbox/[a-z]+/checkout\?…`)
	ran := 0
	for _, b := range blocks {
		name := fmt.Sprintf("README.md:%d", b.line)
		if b.skip != "" {
			t.Logf("%s: not run: %s", name, b.skip)
			continue
		}
		code := b.code
		for _, from := range sortedByLength(subst) {
			code = strings.ReplaceAll(code, from, subst[from])
		}
		if strings.Contains(code, "pay_…") || windowPlaceholder.MatchString(code) {
			if lastPayment == "" {
				t.Fatalf("%s: names pay_… before any example created a payment", name)
			}
			code = strings.ReplaceAll(code, "pay_…", lastPayment)
			code = windowPlaceholder.ReplaceAllLiteralString(code, lastRedirect)
		}
		code = strings.NewReplacer("http://localhost:8080", a.URL(), "http://localhost:3000", a.URL(),
			"http://localhost:9090", sandboxURL).Replace(code)
		for _, l := range strings.Split(code, "\n") {
			if strings.Contains(l, "…") && !strings.HasPrefix(strings.TrimSpace(l), "#") {
				t.Fatalf("%s: a placeholder is left that the test cannot fill:\n%s", name, code)
			}
		}

		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, bash, "-c", preamble+code+postamble)
		cmd.Dir, cmd.Env = work, env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		cancel()
		ran++
		if err != nil {
			t.Fatalf("%s failed (%v):\n%s\nstdout:\n%s\nstderr:\n%s", name, err, code, stdout.String(), stderr.String())
		}
		if bytes.Contains(stdout.Bytes(), []byte(`"error":{`)) || bytes.Contains(stdout.Bytes(), []byte(`"error": {`)) {
			t.Fatalf("%s answered an error:\n%s\nstdout:\n%s", name, code, stdout.String())
		}
		answers := jsonValues(stdout.Bytes())
		for _, v := range answers {
			if o, ok := v.(map[string]any); ok && o["object"] == "payment" {
				lastPayment, _ = o["id"].(string)
				if u, _ := o["redirect_url"].(string); u != "" {
					lastRedirect = u
				}
			}
		}
		if b.sampleJSON != "" && len(answers) > 0 {
			// A sample with elided syntax ({…,"x":1}) maps nothing.
			var sample any
			if json.Unmarshal([]byte(b.sampleJSON), &sample) == nil {
				mapPlaceholders(sample, answers[0], subst)
			}
		}
		t.Logf("%s: ran", name)
	}
	if ran < 10 {
		t.Fatalf("ran %d examples; the README has more", ran)
	}
	// The examples did what they say.
	ps, err := a.Store.FindPayments(context.Background(), payment.PaymentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byOrder := map[string][]*payment.Payment{}
	for _, p := range ps {
		byOrder[p.OrderID] = append(byOrder[p.OrderID], p)
	}
	if n := len(byOrder["order-1002"]); n != 1 {
		t.Errorf("payments of order-1002 after the idempotent retry: %d, want 1", n)
	}
	if p := byOrder["order-1001"]; len(p) != 1 || p[0].Status != payment.StatusCanceled {
		t.Errorf("order-1001 after the refund examples: %v, want one payment, canceled", p)
	}
	if p := byOrder["o-1"]; len(p) != 1 || p[0].Status != payment.StatusPartiallyCanceled {
		t.Errorf("the command line's o-1: %v, want one payment, partially_canceled", p)
	}
}

// startStandaloneSandbox runs "paybridge sandbox" on a free port, as the
// README's sandbox examples expect one on :9090, and returns its URL.
func startStandaloneSandbox(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "--addr", addr}, func(string) string { return "" }, io.Discard, io.Discard)
	}()
	t.Cleanup(func() { cancel(); <-done })
	u := "http://" + addr
	for deadline := time.Now().Add(10 * time.Second); ; {
		resp, err := http.Get(u + "/__sandbox/stats")
		if err == nil {
			resp.Body.Close()
			return u
		}
		select {
		case err := <-done:
			t.Fatalf("paybridge sandbox: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("paybridge sandbox did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jsonValues decodes the JSON values printed one after the other, stopping
// at the first thing that is not JSON.
func jsonValues(b []byte) []any {
	var out []any
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if !errors.Is(err, io.EOF) {
				return out
			}
			return out
		}
		out = append(out, v)
	}
}

// mapPlaceholders records, for each string the README's sample answer
// shows where the real answer has another, that the README's string stands
// for the real one. Strings with … are the README's own elisions.
func mapPlaceholders(sample, real any, subst map[string]string) {
	switch s := sample.(type) {
	case map[string]any:
		r, ok := real.(map[string]any)
		if !ok {
			return
		}
		for k, v := range s {
			mapPlaceholders(v, r[k], subst)
		}
	case string:
		r, ok := real.(string)
		if ok && r != s && s != "" && !strings.Contains(s, "…") {
			subst[s] = r
		}
	}
}

func sortedByLength(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	return keys
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
