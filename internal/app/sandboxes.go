package app

import "net/http"

// Sandbox returns the sandbox mounted for the provider name (its sandbox
// package's *Sandbox), or nil when the provider has credentials or
// paybridge runs in live mode.
func (a *App) Sandbox(name string) http.Handler { return a.Sandboxes[name] }
