package main

// The ceiling of paybridge bench. The baseline says how fast the sandbox
// serves the KakaoPay flow when nothing stands between the buyer and it;
// but a server in between does HTTP work of its own for every checkout
// (it answers the shop's create and the buyer's return, and makes ready and
// approve as a client), on the same cores as the sandbox and the load. The
// ceiling is that work and nothing else: the same checkout, driven by the
// same load generator at the same sandbox, served by a bare relay with no
// database, no checks, no logging and no idempotency. No server doing
// paybridge's HTTP work gets more checkouts per second out of this machine,
// so paybridge's share of the ceiling is what its database and its checks
// cost, and the ceiling itself is the most any work on them could give.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// ceilingRelayArg runs "paybridge bench" as the relay instead (hidden: the
// bench starts it, with its own binary, as it starts the sandbox and serve).
const ceilingRelayArg = "ceiling-relay"

// runCeilingRelay is "paybridge bench ceiling-relay --addr A --kakaopay-url U
// --public-url P": the relay, until ctx ends.
func runCeilingRelay(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("bench "+ceilingRelayArg, "The bare relay of paybridge bench's ceiling run.", stderr)
	addr := fs.String("addr", "127.0.0.1:0", "address to serve")
	kakao := fs.String("kakaopay-url", "", "the KakaoPay sandbox's URL")
	public := fs.String("public-url", "", "URL the buyer's browser reaches the relay at")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *kakao == "" || *public == "" {
		return errors.New("bench " + ceilingRelayArg + ": want --kakaopay-url and --public-url")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// paybridge's own provider client: keep-alive, the same connection
	// pool and timeouts.
	r := &ceilingRelay{kakao: *kakao, public: *public, http: provider.NewHTTPClient(), payments: map[string]*relayPayment{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST /v1/payments", r.create)
	mux.HandleFunc("GET /pay/{id}/approve", r.approve)
	srv := &http.Server{Handler: mux}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ceilingRelay is paybridge's checkout reduced to its HTTP calls: the
// payments live in a map, and nothing is checked that the flow does not
// need to go on.
type ceilingRelay struct {
	kakao, public string
	http          *http.Client
	mu            sync.Mutex
	payments      map[string]*relayPayment
}

type relayPayment struct {
	tid, customer string
	amount        int64
}

// create is POST /v1/payments: KakaoPay's ready with the bodies paybridge
// sends, and the payment with the window to send the buyer to.
func (r *ceilingRelay) create(w http.ResponseWriter, req *http.Request) {
	var in struct {
		Provider   string `json:"provider"`
		OrderID    string `json:"order_id"`
		OrderName  string `json:"order_name"`
		Amount     int64  `json:"amount"`
		Quantity   int64  `json:"quantity"`
		CustomerID string `json:"customer_id"`
	}
	if err := json.NewDecoder(req.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id := payment.NewID("pay", time.Now())
	base := r.public + "/pay/" + id
	ready := map[string]any{"cid": "TC0ONETIME", "partner_order_id": id, "partner_user_id": in.CustomerID,
		"item_name": in.OrderName, "quantity": in.Quantity, "total_amount": in.Amount, "tax_free_amount": 0,
		"approval_url": base + "/approve", "cancel_url": base + "/cancel", "fail_url": base + "/fail"}
	var out struct {
		TID    string `json:"tid"`
		Window string `json:"next_redirect_pc_url"`
	}
	if err := r.call(req.Context(), "ready", ready, &out); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	r.mu.Lock()
	r.payments[id] = &relayPayment{tid: out.TID, customer: in.CustomerID, amount: in.Amount}
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"id": id, "provider": in.Provider, "order_id": in.OrderID,
		"order_name": in.OrderName, "amount": in.Amount, "status": "ready", "redirect_url": out.Window})
}

// approve is the buyer's return: KakaoPay's approve with the pg_token, and
// the browser sent to the payment's page, as paybridge's return does.
func (r *ceilingRelay) approve(w http.ResponseWriter, req *http.Request) {
	id := req.PathValue("id")
	r.mu.Lock()
	p := r.payments[id]
	r.mu.Unlock()
	if p == nil {
		http.NotFound(w, req)
		return
	}
	body := map[string]any{"cid": "TC0ONETIME", "tid": p.tid, "partner_order_id": id, "partner_user_id": p.customer,
		"pg_token": req.URL.Query().Get("pg_token"), "total_amount": p.amount}
	var out struct {
		Amount struct {
			Total int64 `json:"total"`
		} `json:"amount"`
	}
	if err := r.call(req.Context(), "approve", body, &out); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, req, "/pay/"+id, http.StatusSeeOther)
}

// call posts one KakaoPay request as paybridge's adapter does (JSON, the
// secret key) and decodes the answer.
func (r *ceilingRelay) call(ctx context.Context, op string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", r.kakao+"/online/v1/payment/"+op, bytes.NewReader(b))
	req.Header.Set("Authorization", "SECRET_KEY DEV-bench")
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err = io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", op, resp.Status, b)
	}
	return json.Unmarshal(b, out)
}

// sandboxCalls reads how many readies and approves the KakaoPay sandbox
// has answered in all (GET /__sandbox/stats): the bench's own evidence,
// not the relay's word, that the ceiling's checkouts made their provider
// calls.
func (e *benchEnv) sandboxCalls(ctx context.Context) (ready, approve int, err error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", e.sandbox+"/__sandbox/stats", nil)
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: sandbox stats: %w", err)
	}
	defer resp.Body.Close()
	var s struct {
		Calls map[string]int `json:"calls"`
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("bench: sandbox stats: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return 0, 0, fmt.Errorf("bench: sandbox stats: %w", err)
	}
	return s.Calls["ready"], s.Calls["approve"], nil
}

// ceilingRun measures the ceiling at concurrency c, and fails unless the
// sandbox answered at least a ready and an approve for every checkout the
// run counted. approves is how many it answered during the run.
func (e *benchEnv) ceilingRun(ctx context.Context, c int) (res runResult, approves int, err error) {
	r0, a0, err := e.sandboxCalls(ctx)
	if err != nil {
		return res, 0, err
	}
	if res, err = e.run(ctx, c, e.ceilingCheckout, e.ceilingProc, ""); err != nil {
		return res, 0, err
	}
	r1, a1, err := e.sandboxCalls(ctx)
	if err != nil {
		return res, 0, err
	}
	if r1-r0 < res.n || a1-a0 < res.n {
		return res, 0, fmt.Errorf("bench: the ceiling counted %d checkouts, but the sandbox answered only %d readies and %d approves",
			res.n, r1-r0, a1-a0)
	}
	return res, a1 - a0, nil
}
