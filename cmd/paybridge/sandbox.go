package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
)

func runSandbox(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := newFlagSet("sandbox", "Runs the KakaoPay sandbox alone, at the root path: /online/v1/payment/… (current API),\n/v1/payment/… (legacy API) and the buyer page. Point any KakaoPay client at it.", stderr)
	addr := fs.String("addr", ":9090", "listen address")
	publicURL := fs.String("public-url", "", "URL browsers reach the sandbox at (default: from each request's Host)")
	secretKey := fs.String("secret-key", "", "accept only this SECRET_KEY (default: any well-formed key)")
	adminKey := fs.String("admin-key", "", "accept only this KakaoAK admin key (default: any well-formed key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := config.Defaults
	log := newLogger(cfg, stderr)
	sb := sbkakaopay.New(sbkakaopay.Options{SecretKey: *secretKey, AdminKey: *adminKey, PublicURL: *publicURL, Logger: log})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := httpapi.Serve(ln, httpapi.Middleware(log, http.Handler(sb)))
	log.Info("KakaoPay sandbox listening", "addr", ln.Addr().String(),
		"secret_key", config.Mask(*secretKey), "admin_key", config.Mask(*adminKey))
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}
