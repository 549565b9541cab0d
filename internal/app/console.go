package app

import (
	"net/http"

	"github.com/paybridge/paybridge/internal/console"
)

// mountConsole serves the operator console at /console. self is
// paybridge's own handler: the console's test-mode buttons drive the
// sandbox windows through it.
func (a *App) mountConsole(mux *http.ServeMux, self http.Handler) {
	cfg := a.Config
	console.New(console.Options{
		Store: a.Store, Service: a.Service, Log: a.Log, PublicURL: cfg.PublicURL, Self: self,
		WebhookAllowPrivate: cfg.WebhookAllowPrivate,
		Sandboxes:           sandboxes(cfg),
		ClientIPHeader:      cfg.ClientIPHeader,
		Livemode:            livemodes(cfg),
	}).Register(mux)
}
