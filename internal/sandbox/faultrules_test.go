package sandbox

import (
	"errors"
	"testing"
	"time"
)

func TestFaultRulesCheck(t *testing.T) {
	rules := FaultRules{
		Ops:   []string{"confirm", "get", "cancel"},
		Kinds: []string{"delay", "error", "decline"},
		Applies: func(op, kind string) error {
			if kind == "decline" && op != "cancel" {
				return errors.New("kind decline applies to cancel only")
			}
			return nil
		},
	}
	for _, tc := range []struct {
		op, kind               string
		count, delayMS, status int
		delay                  time.Duration
		want                   string
	}{
		{op: "confirm", kind: "error", status: 503},
		{op: "cancel", kind: "decline"},
		{op: "refund", kind: "error", want: `op "refund": want confirm, get or cancel`},
		{op: "get", kind: "lost", want: `kind "lost": want delay, error or decline`},
		{op: "get", kind: "decline", want: "kind decline applies to cancel only"},
		{op: "get", kind: "delay", count: -1, want: "count and delay must not be negative"},
		{op: "get", kind: "delay", delay: -time.Second, want: "count and delay must not be negative"},
		{op: "get", kind: "delay", delayMS: -1, want: "count and delay must not be negative"},
		{op: "get", kind: "error", status: 200, want: "status 200: want 400-599"},
		{op: "get", kind: "error", status: 600, want: "status 600: want 400-599"},
	} {
		err := rules.Check(tc.op, tc.kind, tc.count, tc.delay, tc.delayMS, tc.status)
		if got := errText(err); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc, got, tc.want)
		}
	}
	rules.AllowOK = true
	if err := rules.Check("get", "error", 0, 0, 0, 200); err != nil {
		t.Errorf("AllowOK refused 200: %v", err)
	}
	if got := errText(rules.Check("get", "error", 0, 0, 0, 302)); got != "status 302: want 200 or 400-599" {
		t.Errorf("AllowOK, 302: %q", got)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestFaultDelay(t *testing.T) {
	if got := (Fault{DelayMS: 250}).delay(); got != 250*time.Millisecond {
		t.Errorf("from JSON: %v", got)
	}
	if got := (Fault{Delay: time.Second, DelayMS: 250}).delay(); got != time.Second {
		t.Errorf("a Go delay is kept: %v", got)
	}
}
