package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestRun_GroupDispatch: every command with subcommands answers the same
// way when the subcommand is missing, asked for help, or unknown: the
// group's usage, and an error that names what it wants, except for help.
func TestRun_GroupDispatch(t *testing.T) {
	getenv := func(string) string { return "" }
	for _, g := range []struct {
		name, usage string
	}{
		{"db", "paybridge db copy"}, {"keys", "paybridge keys create"}, {"merchants", "paybridge merchants"},
		{"operators", "paybridge operators create"}, {"payments", "paybridge payments"},
		{"events", "paybridge events"}, {"webhooks", "paybridge webhooks"},
	} {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range []struct {
				args    []string
				wantErr string // "" for none
				usageOn string // "stdout" or "stderr"
			}{
				{nil, g.name + ": want a subcommand", "stderr"},
				{[]string{"help"}, "", "stdout"},
				{[]string{"--help"}, "", "stdout"},
				{[]string{"frobnicate"}, g.name + `: unknown subcommand "frobnicate"`, "stderr"},
			} {
				var out, errOut bytes.Buffer
				err := run(context.Background(), append([]string{g.name}, tc.args...), getenv, &out, &errOut)
				switch {
				case tc.wantErr == "" && err != nil:
					t.Errorf("%v: err = %v, want none", tc.args, err)
				case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
					t.Errorf("%v: err = %v, want %q", tc.args, err, tc.wantErr)
				}
				usage := map[string]string{"stdout": out.String(), "stderr": errOut.String()}[tc.usageOn]
				if !strings.Contains(usage, g.usage) {
					t.Errorf("%v: usage on %s = %q, want it to show %q", tc.args, tc.usageOn, usage, g.usage)
				}
			}
		})
	}
}
