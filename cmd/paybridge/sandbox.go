package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/httpapi"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
	sbtoss "github.com/paybridge/paybridge/internal/sandbox/toss"
)

const sandboxSummary = `Runs the four provider sandboxes (KakaoPay, PortOne V1 "iamport", PortOne V2, Toss
Payments) without paybridge, for anyone who develops against these providers offline.
With --addr alone, one address serves all four under /sandbox/kakaopay/,
/sandbox/iamport/, /sandbox/portone/ and /sandbox/toss/, and KakaoPay also at the root.
Real client libraries join absolute paths onto a host (PortOne's server
SDK builds new URL('/payments/…', baseUrl)), so each provider can also get an address
of its own where it answers at the root: --kakaopay-addr, --iamport-addr,
--portone-addr, --toss-addr.`

func runSandbox(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := newFlagSet("sandbox", sandboxSummary, stderr)
	addr := fs.String("addr", ":9090", "address serving every sandbox under /sandbox/<provider>/ (empty: none)")
	publicURL := fs.String("public-url", "", "URL browsers reach --addr at (default: from each request's Host)")
	kakaoAddr := fs.String("kakaopay-addr", "", "address serving the KakaoPay sandbox at its root")
	iamportAddr := fs.String("iamport-addr", "", "address serving the PortOne V1 (iamport) sandbox at its root")
	portoneAddr := fs.String("portone-addr", "", "address serving the PortOne V2 sandbox at its root")
	tossAddr := fs.String("toss-addr", "", "address serving the Toss Payments sandbox at its root")
	secretKey := fs.String("secret-key", "", "KakaoPay: accept only this SECRET_KEY (default: any well-formed key)")
	adminKey := fs.String("admin-key", "", "KakaoPay: accept only this KakaoAK admin key (default: any well-formed key)")
	impKey := fs.String("iamport-key", "", "PortOne V1: accept only this imp_key (with --iamport-secret)")
	impSecret := fs.String("iamport-secret", "", "PortOne V1: accept only this imp_secret")
	noticeURL := fs.String("iamport-notice-url", "", "PortOne V1: POST payment webhooks to this URL")
	portoneSecret := fs.String("portone-secret", "", "PortOne V2: accept only this API secret")
	webhookURL := fs.String("portone-webhook-url", "", "PortOne V2: POST signed webhooks to this URL")
	webhookSecret := fs.String("portone-webhook-secret", "", "PortOne V2: whsec_… secret the webhooks are signed with")
	tossKey := fs.String("toss-secret-key", "", "Toss: accept only this secret key (default: any test_sk_/test_gsk_ key)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *webhookURL != "" && *webhookSecret == "" {
		return errors.New("sandbox: --portone-webhook-url needs --portone-webhook-secret")
	}
	logCfg := config.Defaults
	if lv := getenv("PAYBRIDGE_LOG_LEVEL"); lv != "" {
		logCfg.LogLevel = lv
	}
	log := newLogger(logCfg, stderr)

	// One sandbox per provider, shared by every address that serves it.
	pub := func(prefix string) string {
		if *publicURL == "" {
			return ""
		}
		return *publicURL + prefix
	}
	kakao := sbkakaopay.New(sbkakaopay.Options{SecretKey: *secretKey, AdminKey: *adminKey, PublicURL: pub("/sandbox/kakaopay"), Logger: log})
	imp := sbiamport.New(sbiamport.Options{APIKey: *impKey, APISecret: *impSecret, NoticeURL: *noticeURL, PublicURL: pub("/sandbox/iamport"), Logger: log})
	po := sbportone.New(sbportone.Options{APISecret: *portoneSecret, WebhookURL: *webhookURL, WebhookSecret: *webhookSecret, PublicURL: pub("/sandbox/portone"), Logger: log})
	tp := sbtoss.New(sbtoss.Options{SecretKey: *tossKey, PublicURL: pub("/sandbox/toss"), Logger: log})

	type listener struct {
		name, addr string
		h          http.Handler
	}
	var ls []listener
	if *addr != "" {
		mux := http.NewServeMux()
		for prefix, h := range map[string]http.Handler{"/sandbox/kakaopay": kakao, "/sandbox/iamport": imp, "/sandbox/portone": po, "/sandbox/toss": tp} {
			mux.Handle(prefix+"/", http.StripPrefix(prefix, h))
		}
		mux.Handle("/", kakao) // KakaoPay also at the root, where clients of the first sandbox found it
		ls = append(ls, listener{"all", *addr, mux})
	}
	for _, l := range []listener{{"kakaopay", *kakaoAddr, kakao}, {"iamport", *iamportAddr, imp}, {"portone", *portoneAddr, po}, {"toss", *tossAddr, tp}} {
		if l.addr != "" {
			ls = append(ls, l)
		}
	}
	if len(ls) == 0 {
		return errors.New("sandbox: no address to serve: give --addr or a --<provider>-addr")
	}
	var servers []*httpapi.Server
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, s := range servers {
			s.Shutdown(sctx)
		}
	}()
	for _, l := range ls {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", l.addr, err)
		}
		servers = append(servers, httpapi.Serve(ln, httpapi.Middleware(log, l.h)))
		log.Info("sandbox listening", "serves", l.name, "addr", ln.Addr().String())
	}
	log.Info("sandbox keys", "kakaopay_secret_key", config.Mask(*secretKey), "kakaopay_admin_key", config.Mask(*adminKey),
		"iamport_secret", config.Mask(*impSecret), "portone_secret", config.Mask(*portoneSecret),
		"portone_webhook_secret", config.Mask(*webhookSecret), "toss_secret_key", config.Mask(*tossKey))
	<-ctx.Done()
	return nil
}
