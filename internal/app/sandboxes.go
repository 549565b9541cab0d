package app

import (
	"net/http"

	"github.com/paybridge/paybridge/internal/payment"
	sbiamport "github.com/paybridge/paybridge/internal/sandbox/iamport"
	sbkakaopay "github.com/paybridge/paybridge/internal/sandbox/kakaopay"
	sbportone "github.com/paybridge/paybridge/internal/sandbox/portone"
	sbtoss "github.com/paybridge/paybridge/internal/sandbox/toss"
)

// Sandbox returns the sandbox mounted for the provider name (its sandbox
// package's *Sandbox), or nil when the provider has credentials or
// paybridge runs in live mode.
func (a *App) Sandbox(name string) http.Handler { return a.Sandboxes[name] }

// typedSandboxes fills the typed handles on the first four providers'
// sandboxes, which tests use to inject faults and count calls. They are a
// convenience only: the wiring knows nothing of them, and a new provider
// needs none (its tests use Sandbox(name)).
func (a *App) typedSandboxes() {
	a.KakaoPaySandbox, _ = a.Sandboxes[payment.ProviderKakaoPay].(*sbkakaopay.Sandbox)
	a.PortOneSandbox, _ = a.Sandboxes[payment.ProviderPortOne].(*sbportone.Sandbox)
	a.IamportSandbox, _ = a.Sandboxes[payment.ProviderIamport].(*sbiamport.Sandbox)
	a.TossSandbox, _ = a.Sandboxes[payment.ProviderToss].(*sbtoss.Sandbox)
}
