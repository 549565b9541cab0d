package main

import (
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
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/store"
)

const benchSummary = `Measures paybridge's throughput on this machine. It starts a standalone KakaoPay
sandbox and paybridge itself ("paybridge serve", a process of its own, on SQLite in a
temporary directory unless --database-url names another database, which must be
empty), then for each --concurrency runs, side by side, the baseline (the KakaoPay
flow straight at the sandbox: ready, the buyer's approval in the window, approve),
the ceiling (the paybridge checkout, request for request, served by a bare relay:
no database, no checks, no logging; the most any server doing paybridge's HTTP work
gets on this machine) and the paybridge checkout (create, the buyer's approval in
the sandbox window, the return that approves, paid). It prints checkouts/s for all
three, paybridge's ratio to the baseline and its share of the ceiling, the
latency of a paybridge checkout (p50, p99, p99.9), fsyncs and transactions per
checkout, paybridge's peak RSS with --open-payments open payments, and lookups
(GET /v1/payments/{id} and GET /v1/payments?limit=100) with each of --lookup-sizes
payments stored (seeded straight into the database). Other load on the machine
depresses both figures alike: compare the ratio.`

type benchOptions struct {
	dbURL          string
	concurrency    []int
	duration       time.Duration
	warmup         time.Duration
	openPayments   int
	lookupSizes    []int
	lookupDuration time.Duration
	lookupConc     int
	serverBinary   string
	cpuProfile     string
	rate           float64
	ceiling        bool
}

func runBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == ceilingRelayArg {
		return runCeilingRelay(ctx, args[1:], stderr)
	}
	fs := newFlagSet("bench", benchSummary, stderr)
	var o benchOptions
	conc := fs.String("concurrency", "32", "concurrent buyers, or a comma-separated list (e.g. 1,4,16,32,64): one run each")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "how long each run measures")
	fs.DurationVar(&o.warmup, "warmup", 0, "unmeasured time before each run (default a fifth of --duration, at most 2s)")
	fs.StringVar(&o.dbURL, "database-url", "", "database for paybridge (default: SQLite in a temporary directory); must be empty")
	fs.IntVar(&o.openPayments, "open-payments", 10000, "payments left open (ready) before paybridge's RSS is read")
	sizes := fs.String("lookup-sizes", "10000", "stored payments for the lookup runs, comma-separated (e.g. 10000,1000000; empty: none)")
	fs.DurationVar(&o.lookupDuration, "lookup-duration", 3*time.Second, "how long each lookup run measures")
	fs.IntVar(&o.lookupConc, "lookup-concurrency", 8, "concurrent clients in the lookup runs")
	fs.StringVar(&o.serverBinary, "server-binary", "", "paybridge binary to run as the sandbox and the server (default: this one), e.g. an older build to compare")
	fs.Float64Var(&o.rate, "rate", 0, "start checkouts at this rate (per second, shared by the buyers) instead of as fast as they go: latency at a given load")
	fs.BoolVar(&o.ceiling, "ceiling", true, "also run the ceiling (a bare relay in paybridge's place) at each concurrency")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of paybridge during the run at the highest concurrency to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if o.concurrency, err = intList(*conc); err != nil || len(o.concurrency) == 0 {
		return fmt.Errorf("bench: --concurrency: want positive numbers, e.g. 1,4,32")
	}
	if o.lookupSizes, err = intList(*sizes); err != nil {
		return fmt.Errorf("bench: --lookup-sizes: want positive numbers, e.g. 10000,1000000")
	}
	if o.duration <= 0 || o.lookupDuration <= 0 || o.lookupConc <= 0 || o.openPayments < 0 || o.rate < 0 {
		return errors.New("bench: durations and --lookup-concurrency must be positive")
	}
	if o.warmup == 0 {
		o.warmup = min(o.duration/5, 2*time.Second)
	}
	if o.serverBinary == "" {
		if o.serverBinary, err = os.Executable(); err != nil {
			return fmt.Errorf("bench: find this binary: %w", err)
		}
	}
	return bench(ctx, o, stdout, stderr)
}

func intList(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("not a positive number: %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// benchEnv is what a bench runs against.
type benchEnv struct {
	o           benchOptions
	sandbox     string // the standalone sandbox's URL
	server      string // paybridge's URL
	debug       string // paybridge's debug listener
	key         string
	serverProc  *os.Process
	ceiling     string // the ceiling's relay's URL (bench_ceiling.go)
	ceilingProc *os.Process
	sandboxProc *os.Process
	client      *http.Client
	store       *store.Store // the same database, for seeding and counting
}

func bench(ctx context.Context, o benchOptions, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "paybridge-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dbURL, durable := o.dbURL, "SQLite, WAL, every commit fsynced before it is answered or seen (durable)"
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(dir, "pb.db")
	} else if store.IsPostgres(dbURL) {
		durable = "PostgreSQL (durable as the server's fsync and synchronous_commit say)"
	}
	e := &benchEnv{o: o}
	logPath := filepath.Join(dir, "children.log")
	logs, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logs.Close()
	tail := func(err error) error {
		b, _ := os.ReadFile(logPath)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		return fmt.Errorf("%w; its log ends:\n%s", err, strings.Join(lines[max(len(lines)-15, 0):], "\n"))
	}
	ports := freePorts(4)
	sbPort, pbPort, dbgPort, ceilPort := ports[0], ports[1], ports[2], ports[3]
	e.sandbox = "http://127.0.0.1:" + strconv.Itoa(sbPort)
	e.server = "http://127.0.0.1:" + strconv.Itoa(pbPort)
	e.debug = "http://127.0.0.1:" + strconv.Itoa(dbgPort)
	env := append(os.Environ(), "PAYBRIDGE_LOG_LEVEL=warn")
	sb, err := startChild(ctx, o.serverBinary, env, logs, e.sandbox, "sandbox", "--addr", "127.0.0.1:"+strconv.Itoa(sbPort))
	if err != nil {
		return tail(err)
	}
	defer stopChild(sb)
	e.sandboxProc = sb.cmd.Process
	srvEnv := append(env, "PAYBRIDGE_KAKAOPAY_BASE_URL="+e.sandbox, "PAYBRIDGE_KAKAOPAY_SECRET_KEY=DEV-bench",
		"PAYBRIDGE_RATE_LIMIT=0", "PAYBRIDGE_PUBLIC_URL="+e.server, "PAYBRIDGE_DATABASE_URL="+dbURL,
		"PAYBRIDGE_ADDR=127.0.0.1:"+strconv.Itoa(pbPort), "PAYBRIDGE_DEBUG_ADDR=127.0.0.1:"+strconv.Itoa(dbgPort))
	srv, err := startChild(ctx, o.serverBinary, srvEnv, logs, e.server+"/healthz", "serve")
	if err != nil {
		return tail(err)
	}
	defer stopChild(srv)
	e.serverProc = srv.cmd.Process
	if o.ceiling {
		e.ceiling = "http://127.0.0.1:" + strconv.Itoa(ceilPort)
		relay, err := startChild(ctx, o.serverBinary, env, logs, e.ceiling+"/healthz", "bench", ceilingRelayArg,
			"--addr", "127.0.0.1:"+strconv.Itoa(ceilPort), "--kakaopay-url", e.sandbox, "--public-url", e.ceiling)
		if err != nil {
			return tail(err)
		}
		defer stopChild(relay)
		e.ceilingProc = relay.cmd.Process
	}

	// The server migrated the database to its own schema (which may be an
	// older binary's: --server-binary); the bench only adds rows to it.
	st, err := store.Open(ctx, dbURL, store.Options{MaxConns: 4, NoMigrate: true, SkipCheck: true})
	if err != nil {
		return fmt.Errorf("bench: open database: %w", err)
	}
	defer st.Close()
	if n, err := st.CountPayments(ctx); err != nil || n > 0 {
		return fmt.Errorf("bench: the database must be empty (it creates and seeds payments): %d payments, %v", n, err)
	}
	e.store = st
	key, rec := httpapi.NewAPIKey(payment.DefaultMerchantID, "bench", false, time.Now())
	e.key = key
	if err := st.CreateAPIKey(ctx, rec); err != nil {
		return fmt.Errorf("bench: create a key: %w", err)
	}
	maxConc := max(slicesMax(o.concurrency), o.lookupConc)
	e.client = &http.Client{
		Transport: &http.Transport{MaxIdleConns: 4 * maxConc, MaxIdleConnsPerHost: 2 * maxConc, IdleConnTimeout: time.Minute},
		// Redirects are the flow's steps: each is followed by hand.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}

	fmt.Fprintf(stdout, "paybridge bench: %s; %d CPUs (%s/%s, %s); paybridge and the sandbox are processes of their own\n",
		durable, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	if self, _ := os.Executable(); o.serverBinary != self {
		fmt.Fprintf(stdout, "server and sandbox: %s\n", o.serverBinary)
	}
	pace := "as fast as the buyers go"
	if o.rate > 0 {
		pace = fmt.Sprintf("started at %g/s", o.rate)
	}
	fmt.Fprintf(stdout, "checkout: KakaoPay create → the buyer approves in the sandbox window → return → paid; %s per run after %s warm-up, %s\n\n",
		o.duration, o.warmup, pace)
	const row = "%11v  %10v  %9v  %11v  %5v  %10v  %6v  %6v  %8v  %15v  %11v  %8v  %10v  %11v  %11v  %16v  %6v\n"
	fmt.Fprintf(stdout, row, "concurrency", "baseline/s", "ceiling/s", "paybridge/s", "ratio", "of ceiling", "p50 ms", "p99 ms", "p99.9 ms",
		"fsyncs/checkout", "tx/checkout", "sql/chk", "cpu ms/chk", "ceiling cpu", "writer busy", "syncer busy", "errors")
	approves := 0 // the sandbox's approves during the ceiling runs
	var cpuRows []cpuRow
	for _, c := range o.concurrency {
		base, err := e.run(ctx, c, e.baselineCheckout, e.serverProc, "")
		if err != nil {
			return err
		}
		var ceil runResult
		ceilRate, share, ceilCPU := "-", "-", "-"
		if o.ceiling {
			var n int
			if ceil, n, err = e.ceilingRun(ctx, c); err != nil {
				return tail(err)
			}
			approves += n
			ceilRate = fmt.Sprintf("%.0f", ceil.rate())
			ceilCPU = "n/a"
			if ceil.cpuOK && ceil.n > 0 {
				ceilCPU = fmt.Sprintf("%.2f", ms(ceil.cpu)/float64(ceil.n))
			}
		}
		prof := ""
		if c == slicesMax(o.concurrency) {
			prof = o.cpuProfile
		}
		pb, err := e.run(ctx, c, e.paybridgeCheckout, e.serverProc, prof)
		if err != nil {
			return tail(err)
		}
		cpuRows = append(cpuRows, cpuRow{c, "baseline", base, false})
		if o.ceiling {
			cpuRows = append(cpuRows, cpuRow{c, "ceiling", ceil, true})
		}
		cpuRows = append(cpuRows, cpuRow{c, "paybridge", pb, true})
		fsyncs, txs, stmts, busy, syncer, cpu := "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"
		if pb.cpuOK && pb.n > 0 {
			// What paybridge's process spent per checkout, whatever else
			// the machine runs: the figure to compare builds by on a busy
			// machine.
			cpu = fmt.Sprintf("%.2f", ms(pb.cpu)/float64(pb.n))
		}
		if pb.storeOK && pb.n > 0 {
			stmts = "-" // PostgreSQL: pgx does not count them
			if pb.store.Statements > 0 {
				stmts = fmt.Sprintf("%.1f", float64(pb.store.Statements)/float64(pb.n))
			}
			fsyncs = fmt.Sprintf("%.2f", float64(pb.store.Commits)/float64(pb.n))
			txs = fmt.Sprintf("%.2f", float64(pb.store.Transactions)/float64(pb.n))
			if pb.store.WriterBusy > 0 { // SQLite: how much of the run its one writer worked, and COMMIT's share
				busy = fmt.Sprintf("%.0f%% (%.0f%%)", 100*pb.store.WriterBusy.Seconds()/pb.elapsed.Seconds(),
					100*pb.store.CommitTime.Seconds()/pb.elapsed.Seconds())
			} else {
				busy = "-"
			}
			syncer = "-"
			if pb.store.SyncTime > 0 && pb.store.Commits > 0 { // SQLite: how much of the run the WAL syncer spent in fsync, and one fsync's mean
				syncer = fmt.Sprintf("%.0f%% (%.2f ms)", 100*pb.store.SyncTime.Seconds()/pb.elapsed.Seconds(),
					ms(pb.store.SyncTime)/float64(pb.store.Commits))
			}
		}
		if o.ceiling {
			share = fmt.Sprintf("%.2f", pb.rate()/max(ceil.rate(), 1e-9))
		}
		fmt.Fprintf(stdout, row, c, fmt.Sprintf("%.0f", base.rate()), ceilRate, fmt.Sprintf("%.0f", pb.rate()),
			fmt.Sprintf("%.2f", pb.rate()/max(base.rate(), 1e-9)), share, fmt.Sprintf("%.1f", ms(pb.quantile(0.5))),
			fmt.Sprintf("%.1f", ms(pb.quantile(0.99))), fmt.Sprintf("%.1f", ms(pb.quantile(0.999))),
			fsyncs, txs, stmts, cpu, ceilCPU, busy, syncer, base.errs+ceil.errs+pb.errs)
	}
	if o.ceiling {
		fmt.Fprintf(stdout, "(ceiling: the same checkouts through a bare relay, no database, no checks, no logging; the sandbox answered it %d approves. "+
			"of ceiling: paybridge/ceiling; ceiling cpu: the relay's CPU ms per checkout)\n", approves)
	}
	if store.IsPostgres(dbURL) {
		fmt.Fprintln(stdout, "(fsyncs: PostgreSQL's WAL syncs, pg_stat_wal.wal_sync, during the run)")
	} else {
		fmt.Fprintln(stdout, "(fsyncs: the store's fsyncs of the WAL, each making every group committed before it durable; SQLite's checkpoints add about 2 per 1,000 WAL pages)")
	}
	printCPU(stdout, cpuRows)
	if o.cpuProfile != "" {
		fmt.Fprintf(stdout, "CPU profile of paybridge at concurrency %d: %s (go tool pprof -top %s)\n",
			slicesMax(o.concurrency), o.cpuProfile, o.cpuProfile)
	}

	if o.openPayments > 0 {
		n, err := e.openPayments(ctx, o.openPayments, min(maxConc, 32))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\npeak RSS of paybridge: %s (after the runs above and %d payments left open)\n", rss(e.serverProc.Pid), n)
	} else {
		fmt.Fprintf(stdout, "\npeak RSS of paybridge: %s\n", rss(e.serverProc.Pid))
	}

	if len(o.lookupSizes) > 0 {
		if err := e.lookups(ctx, stdout); err != nil {
			return err
		}
	}
	return nil
}

func slicesMax(xs []int) int {
	m := 0
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// rss reads the peak resident set of a process (Linux).
func rss(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return "n/a (no /proc)"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err == nil {
				return fmt.Sprintf("%.1f MB", float64(kb)/1024)
			}
		}
	}
	return "n/a"
}

// storeStats asks paybridge's debug listener for the store's counters.
func (e *benchEnv) storeStats(ctx context.Context) (store.Stats, error) {
	var d debugStore
	req, _ := http.NewRequestWithContext(ctx, "GET", e.debug+"/debug/store", nil)
	resp, err := e.client.Do(req)
	if err != nil {
		return d.Store, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return d.Store, fmt.Errorf("debug store: %s", resp.Status)
	}
	return d.Store, json.NewDecoder(resp.Body).Decode(&d)
}

// freePorts returns n distinct free loopback ports (held together while
// chosen, so none is handed out twice).
func freePorts(n int) []int {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			ports = append(ports, 0)
			continue
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// child is a process the bench started.
type child struct {
	cmd    *exec.Cmd
	exited chan struct{} // closed once it has been reaped
	err    error
}

// startChild runs bin with args and waits until ready answers.
func startChild(ctx context.Context, bin string, env []string, logs io.Writer, ready string, args ...string) (*child, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(env, benchChildEnv+"=1")
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s %s: %w", bin, args[0], err)
	}
	c := &child{cmd: cmd, exited: make(chan struct{})}
	go func() { c.err = cmd.Wait(); close(c.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			return c, nil
		}
		select {
		case <-c.exited:
			return nil, fmt.Errorf("bench: %s %s exited: %v", bin, args[0], c.err)
		case <-ctx.Done():
			stopChild(c)
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stopChild(c)
			return nil, fmt.Errorf("bench: %s %s did not answer at %s", bin, args[0], ready)
		}
	}
}

// stopChild asks a child to shut down (SIGTERM) and kills it if it lingers.
func stopChild(c *child) {
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
}

// benchChildEnv marks the processes the bench starts, so that a test binary
// standing in for paybridge (TestMain) knows to act as the command.
const benchChildEnv = "PAYBRIDGE_BENCH_CHILD"
