package main

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	bi := func(version string, settings ...string) *debug.BuildInfo {
		b := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/paybridge/paybridge", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			b.Settings = append(b.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return b
	}
	for _, tt := range []struct {
		name, ldflags string
		bi            *debug.BuildInfo
		ok            bool
		want          string
	}{
		{"tagged install", "", bi("v1.4.0", "vcs.revision", "abc123", "vcs.modified", "false"), true,
			"paybridge v1.4.0 commit abc123 go1.26.8"},
		{"work tree with changes", "", bi("(devel)", "vcs.revision", "abc123", "vcs.modified", "true"), true,
			"paybridge (devel) commit abc123 (with uncommitted changes) go1.26.8"},
		{"no VCS stamp", "", bi("(devel)"), true, "paybridge (devel) commit unknown go1.26.8"},
		{"ldflags wins", "1.5.0-rc1", bi("(devel)", "vcs.revision", "def456"), true, "paybridge 1.5.0-rc1 commit def456 go1.26.8"},
		{"no build info", "", nil, false, "paybridge (devel)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatVersion(tt.ldflags, tt.bi, tt.ok); got != tt.want {
				t.Errorf("formatVersion = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorLine(t *testing.T) {
	inner := errors.New("paybridge: Get \"http://localhost:1/v1/payments/pay_1\": connection refused")
	for _, err := range []error{
		inner,
		fmt.Errorf("payments get: %w", inner),
		errors.New("no API key"),
	} {
		got := errorLine(err)
		if n := strings.Count(got, "paybridge:"); n != 1 || got[:len("paybridge: ")] != "paybridge: " {
			t.Errorf("errorLine(%q) = %q: want one leading \"paybridge: \"", err, got)
		}
	}
}
