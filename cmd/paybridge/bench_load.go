package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paybridge/paybridge/internal/store"
)

// runResult is one measured run: how many flows finished in how long, and
// how long each took.
type runResult struct {
	n, errs int
	elapsed time.Duration
	lat     []time.Duration // sorted
	// store is what paybridge's store did while the run measured (ok:
	// paybridge's debug listener answered).
	store   store.Stats
	storeOK bool
	// cpu is the CPU time the server's process (paybridge, or the
	// ceiling's relay) used while the run measured (user and system; cpuOK:
	// it could be read).
	cpu   time.Duration
	cpuOK bool
	// split is what the load generator and the sandbox spent meanwhile,
	// and how busy the machine was (bench_cpu.go).
	split cpuSplit
}

func (r runResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.n) / r.elapsed.Seconds()
}

func (r runResult) quantile(q float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(int(q*float64(len(r.lat))), len(r.lat)-1)]
}

// flowSeq numbers the flows of all runs, for unique order ids.
var flowSeq atomic.Int64

// run drives flow from c goroutines for the warm-up and then the measured
// duration. A flow that fails is counted, not measured; more than a few
// failures end the run with an error (the figures would mean nothing).
// The CPU time of proc (paybridge, or the ceiling's relay) is read around
// the measured time. With profile set, a CPU profile of paybridge is taken
// while it measures.
func (e *benchEnv) run(ctx context.Context, c int, flow func(ctx context.Context, n int64) error, proc *os.Process, profile string) (runResult, error) {
	var (
		measuring atomic.Bool
		stop      atomic.Bool
		mu        sync.Mutex
		lat       []time.Duration
		errs      atomic.Int64
		firstErr  atomic.Value
		wg        sync.WaitGroup
	)
	// With a rate, flows start on a schedule (open loop) instead of as
	// fast as the c buyers can go.
	var tick <-chan time.Time
	if e.o.rate > 0 {
		t := time.NewTicker(time.Duration(float64(time.Second) / e.o.rate))
		defer t.Stop()
		tick = t.C
	}
	for range c {
		wg.Go(func() {
			var mine []time.Duration
			for !stop.Load() && ctx.Err() == nil {
				if tick != nil {
					select {
					case <-tick:
					case <-time.After(100 * time.Millisecond):
						continue // see whether to stop
					}
				}
				t0 := time.Now()
				err := flow(ctx, flowSeq.Add(1))
				d := time.Since(t0)
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err)
					if errs.Load() > 100 {
						stop.Store(true)
					}
					continue
				}
				if measuring.Load() {
					mine = append(mine, d)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	sleep(ctx, e.o.warmup)
	before, berr := e.storeStats(ctx)
	walBefore, walOK := e.store.WALSyncs(ctx)
	cpuBefore, cpuOK := processCPU(proc.Pid)
	splitBefore := e.cpuSnapshot()
	measuring.Store(true)
	start := time.Now()
	var profErr chan error
	if profile != "" {
		profErr = make(chan error, 1)
		go func() { profErr <- e.cpuProfile(ctx, profile, e.o.duration) }()
	}
	sleep(ctx, e.o.duration)
	measuring.Store(false)
	elapsed := time.Since(start)
	after, aerr := e.storeStats(ctx)
	walAfter, walOK2 := e.store.WALSyncs(ctx)
	cpuAfter, cpuOK2 := processCPU(proc.Pid)
	split := splitBefore.until(e.cpuSnapshot())
	stop.Store(true)
	wg.Wait()
	if profErr != nil {
		if err := <-profErr; err != nil {
			return runResult{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return runResult{}, err
	}
	if n := errs.Load(); n > 100 {
		return runResult{}, fmt.Errorf("bench: %d flows failed, the first with: %v", n, firstErr.Load())
	}
	slices.Sort(lat)
	res := runResult{n: len(lat), errs: int(errs.Load()), elapsed: elapsed, lat: lat, storeOK: berr == nil && aerr == nil,
		cpu: cpuAfter - cpuBefore, cpuOK: cpuOK && cpuOK2, split: split}
	res.store.Commits = after.Commits - before.Commits
	res.store.Transactions = after.Transactions - before.Transactions
	res.store.Statements = after.Statements - before.Statements
	res.store.WriterBusy = after.WriterBusy - before.WriterBusy
	res.store.CommitTime = after.CommitTime - before.CommitTime
	res.store.SyncTime = after.SyncTime - before.SyncTime
	if walOK && walOK2 {
		// PostgreSQL groups concurrent commits itself: count its syncs.
		res.store.Commits = walAfter - walBefore
	}
	return res, nil
}

// processCPU reads the CPU time a process has used (Linux: utime and stime
// in /proc/PID/stat, in clock ticks of 1/100 s).
func processCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name (field 2) may hold spaces: count from after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, true
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// cpuProfile saves a CPU profile of paybridge taken over d.
func (e *benchEnv) cpuProfile(ctx context.Context, path string, d time.Duration) error {
	secs := max(int(d.Seconds()), 1)
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", e.debug, secs), nil)
	resp, err := (&http.Client{Timeout: d + time.Minute}).Do(req)
	if err != nil {
		return fmt.Errorf("bench: cpu profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: cpu profile: %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// do sends a request and returns the response with its body read.
func (e *benchEnv) do(req *http.Request) (*http.Response, []byte, error) {
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body, err
}

// approveInWindow is the buyer pressing Approve in the sandbox's window; it
// returns where the window sends the browser (the approval URL with
// pg_token).
func (e *benchEnv) approveInWindow(ctx context.Context, window string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", window, strings.NewReader("action=approve"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, _, err := e.do(req)
	if err != nil {
		return "", fmt.Errorf("window: %w", err)
	}
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("window: %s", resp.Status)
	}
	return resp.Header.Get("Location"), nil
}

// paybridgeCheckout is one checkout through paybridge: create, the buyer's
// approval in the sandbox window, the return to paybridge, which approves
// and sends the browser to the result page of a paid payment.
func (e *benchEnv) paybridgeCheckout(ctx context.Context, n int64) error {
	return e.checkout(ctx, e.server, n)
}

// ceilingCheckout is the same checkout, request for request, through the
// ceiling's bare relay (bench_ceiling.go).
func (e *benchEnv) ceilingCheckout(ctx context.Context, n int64) error {
	return e.checkout(ctx, e.ceiling, n)
}

// checkout is one checkout through the server at server.
func (e *benchEnv) checkout(ctx context.Context, server string, n int64) error {
	body := fmt.Sprintf(`{"provider":"kakaopay","order_id":"bench-%d","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"buyer"}`, n)
	req, _ := http.NewRequestWithContext(ctx, "POST", server+"/v1/payments", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+e.key)
	req.Header.Set("Content-Type", "application/json")
	resp, b, err := e.do(req)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("create: %s: %s", resp.Status, b)
	}
	var p struct {
		ID          string `json:"id"`
		RedirectURL string `json:"redirect_url"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	back, err := e.approveInWindow(ctx, p.RedirectURL)
	if err != nil {
		return err
	}
	req, _ = http.NewRequestWithContext(ctx, "GET", back, nil)
	resp, _, err = e.do(req)
	if err != nil {
		return fmt.Errorf("return: %w", err)
	}
	// paybridge's own result page is where a paid payment without a
	// success_url lands; anything else is not a paid checkout.
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/pay/"+p.ID {
		return fmt.Errorf("return: %s to %q", resp.Status, loc)
	}
	return nil
}

// baselineCheckout is the same KakaoPay flow without paybridge: ready, the
// buyer's approval in the window, approve, straight at the sandbox.
func (e *benchEnv) baselineCheckout(ctx context.Context, n int64) error {
	order := fmt.Sprintf("base-%d", n)
	ready := fmt.Sprintf(`{"cid":"TC0ONETIME","partner_order_id":%q,"partner_user_id":"buyer","item_name":"Tea",
		"quantity":1,"total_amount":1000,"tax_free_amount":0,"approval_url":"http://shop.invalid/ok",
		"cancel_url":"http://shop.invalid/cancel","fail_url":"http://shop.invalid/fail"}`, order)
	var r struct {
		TID    string `json:"tid"`
		Window string `json:"next_redirect_pc_url"`
	}
	if err := e.kakao(ctx, "ready", ready, &r); err != nil {
		return err
	}
	back, err := e.approveInWindow(ctx, r.Window)
	if err != nil {
		return err
	}
	u, err := url.Parse(back)
	if err != nil || u.Query().Get("pg_token") == "" {
		return fmt.Errorf("window: no pg_token in %q", back)
	}
	approve := fmt.Sprintf(`{"cid":"TC0ONETIME","tid":%q,"partner_order_id":%q,"partner_user_id":"buyer","pg_token":%q}`,
		r.TID, order, u.Query().Get("pg_token"))
	var a struct {
		Amount struct {
			Total int64 `json:"total"`
		} `json:"amount"`
	}
	if err := e.kakao(ctx, "approve", approve, &a); err != nil {
		return err
	}
	if a.Amount.Total != 1000 {
		return fmt.Errorf("approve: amount %d", a.Amount.Total)
	}
	return nil
}

func (e *benchEnv) kakao(ctx context.Context, op, body string, out any) error {
	req, _ := http.NewRequestWithContext(ctx, "POST", e.sandbox+"/online/v1/payment/"+op, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "SECRET_KEY DEV-bench")
	req.Header.Set("Content-Type", "application/json")
	resp, b, err := e.do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", op, resp.Status, b)
	}
	return json.Unmarshal(b, out)
}

// openPayments creates n payments through the API and leaves them ready
// (the buyer never comes back), c at a time.
func (e *benchEnv) openPayments(ctx context.Context, n, c int) (int, error) {
	var (
		next, made atomic.Int64
		firstErr   atomic.Value
		wg         sync.WaitGroup
	)
	for range c {
		wg.Go(func() {
			for next.Add(1) <= int64(n) && ctx.Err() == nil {
				body := fmt.Sprintf(`{"provider":"kakaopay","order_id":"open-%d","order_name":"Tea","amount":1000,"quantity":1,"customer_id":"buyer"}`, flowSeq.Add(1))
				req, _ := http.NewRequestWithContext(ctx, "POST", e.server+"/v1/payments", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+e.key)
				req.Header.Set("Content-Type", "application/json")
				resp, b, err := e.do(req)
				if err == nil && resp.StatusCode != http.StatusCreated {
					err = fmt.Errorf("create: %s: %s", resp.Status, b)
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				made.Add(1)
			}
		})
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return int(made.Load()), fmt.Errorf("bench: open payments: %w", err)
	}
	return int(made.Load()), ctx.Err()
}
