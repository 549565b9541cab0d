package main

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })

	tuneGC(func(string) string { return "" })
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("without GOGC: GC percent %d, want %d", got, serveGCPercent)
	}
	// An operator's GOGC was applied by the runtime at start; tuneGC keeps it.
	debug.SetGCPercent(250)
	tuneGC(func(k string) string {
		if k == "GOGC" {
			return "250"
		}
		return ""
	})
	if got := debug.SetGCPercent(100); got != 250 {
		t.Errorf("with GOGC=250: GC percent %d, want 250 kept", got)
	}
}
