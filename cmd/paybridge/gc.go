package main

import "runtime/debug"

// serveGCPercent is serve's garbage-collector target (GOGC) unless the
// environment sets GOGC. paybridge keeps nothing in memory between requests,
// so its live heap is a few megabytes, and at Go's default of 100 the
// collector ran every few dozen checkouts: about a tenth of the CPU of a
// checkout at 32 buyers went to marking and assists. At 400 it runs a
// quarter as often, for about 11 MB more peak RSS with 10,000 open payments
// (41 → 52 MB). Only serve sets it: the sandbox and bench keep Go's default.
const serveGCPercent = 400

// tuneGC sets serve's GC target, leaving an operator's GOGC (including
// GOGC=off) alone: the runtime has already applied it.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
}
