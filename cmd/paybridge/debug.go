package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"

	"github.com/paybridge/paybridge/internal/store"
)

// serveDebug serves the Go profiler and the store's counters on their own
// listener (serve -debug-addr), apart from the API: profiles reveal
// internals, so the address should be loopback. paybridge bench reads
// /debug/store for fsyncs per checkout and takes CPU profiles from here.
func serveDebug(addr string, st *store.Store, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug listener on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/store", func(w http.ResponseWriter, r *http.Request) {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(debugStore{Store: st.Stats(), HeapInuse: ms.HeapInuse, Goroutines: runtime.NumGoroutine()})
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	log.Info("debug listener", "addr", ln.Addr().String())
	return func() { srv.Close() }, nil
}

// debugStore is the body of /debug/store.
type debugStore struct {
	Store      store.Stats `json:"store"`
	HeapInuse  uint64      `json:"heap_inuse"`
	Goroutines int         `json:"goroutines"`
}
