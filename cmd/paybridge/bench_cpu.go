package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Where the machine's CPU went during a run, process by process.
//
// The load generator (this process) and the sandbox share the machine with
// the server, so what they spend per checkout is CPU the server cannot
// have: at a rate R, R × (server + load generator + sandbox) CPU per
// checkout must fit in the machine's CPUs. Printing all three per run is
// what lets the README say which rates are out of reach here, and why.

// cpuSnap is one reading of the processes' and the machine's CPU time.
type cpuSnap struct {
	load, sandbox time.Duration
	busy, all     uint64 // the machine's busy and total clock ticks, all CPUs
	ok            bool
}

// cpuSplit is what a run spent: the load generator's and the sandbox's CPU
// time, and the share of the machine's CPU time that was busy.
type cpuSplit struct {
	load, sandbox time.Duration
	machineBusy   float64 // 0..1
	ok            bool
}

func (e *benchEnv) cpuSnapshot() cpuSnap {
	var s cpuSnap
	var ok1, ok2, ok3 bool
	s.load, ok1 = processCPU(os.Getpid())
	if e.sandboxProc != nil {
		s.sandbox, ok2 = processCPU(e.sandboxProc.Pid)
	}
	s.busy, s.all, ok3 = machineCPU()
	s.ok = ok1 && ok2 && ok3
	return s
}

func (a cpuSnap) until(b cpuSnap) cpuSplit {
	if !a.ok || !b.ok || b.all <= a.all {
		return cpuSplit{}
	}
	return cpuSplit{load: b.load - a.load, sandbox: b.sandbox - a.sandbox,
		machineBusy: float64(b.busy-a.busy) / float64(b.all-a.all), ok: true}
}

// machineCPU reads the machine's busy and total CPU ticks from /proc/stat
// (Linux): every state but idle and iowait counts as busy, steal included
// (a stolen tick is one the processes here could not use).
func machineCPU() (busy, all uint64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, 0, false
	}
	for i, v := range f[1:] {
		if i >= 8 { // guest time is already counted in user time
			break
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		all += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, all, true
}

// cpuRow is one run's line of the CPU table.
type cpuRow struct {
	concurrency int
	name        string
	res         runResult
	server      bool // res.cpu is the server's (the baseline has none)
}

// printCPU prints, per run, the CPU milliseconds each process spent per
// checkout and how busy the machine was.
func printCPU(w io.Writer, rows []cpuRow) {
	const row = "%11v  %9v  %11v  %10v  %14v  %10v  %12v\n"
	fmt.Fprintf(w, "\nCPU ms per checkout, by process, and how busy the machine's CPUs were during each run:\n")
	fmt.Fprintf(w, row, "concurrency", "run", "checkouts/s", "server", "load generator", "sandbox", "machine busy")
	per := func(d time.Duration, n int) string {
		if n == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.2f", ms(d)/float64(n))
	}
	for _, r := range rows {
		server, load, sandbox, busy := "-", "n/a", "n/a", "n/a"
		if r.server {
			server = "n/a"
			if r.res.cpuOK {
				server = per(r.res.cpu, r.res.n)
			}
		}
		if s := r.res.split; s.ok {
			load, sandbox, busy = per(s.load, r.res.n), per(s.sandbox, r.res.n), fmt.Sprintf("%.0f%%", 100*s.machineBusy)
		}
		fmt.Fprintf(w, row, r.concurrency, r.name, fmt.Sprintf("%.0f", r.res.rate()), server, load, sandbox, busy)
	}
	fmt.Fprintln(w, "(load generator: this process, which drives the buyers; machine busy: all CPUs, steal included)")
}
