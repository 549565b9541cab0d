package testutil

import (
	"context"
	"log/slog"
)

// CancelOnWarn is a slog.Handler that calls Cancel at the first warning,
// for a test that interrupts code at the moment it reports trouble (a
// retry loop that warns before it waits, say).
type CancelOnWarn struct{ Cancel context.CancelFunc }

func (h CancelOnWarn) Enabled(context.Context, slog.Level) bool { return true }

func (h CancelOnWarn) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn {
		h.Cancel()
	}
	return nil
}

func (h CancelOnWarn) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h CancelOnWarn) WithGroup(string) slog.Handler      { return h }
