package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// runConfig serves "paybridge config" (print the effective configuration,
// secrets masked, then the mode and each provider's state) and "paybridge
// config check" (validate it, live-mode rules included, starting nothing).
// Both take serve's flags, so a command line can be checked before use.
func runConfig(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	check := len(args) > 0 && args[0] == "check"
	if check {
		args = args[1:]
	}
	summary := "Prints the effective configuration (environment and flags, as serve would use them)\nwith every secret masked, then the mode and each provider's state.\n\"paybridge config check\" validates it instead, live-mode rules included, and starts nothing."
	cfg, err := loadConfig("config", summary, args, getenv, stderr)
	if err != nil {
		return err
	}
	if !check {
		cfg.Print(stdout)
		for _, w := range cfg.Warnings() {
			fmt.Fprintln(stdout, "warning:", w)
		}
		return nil
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stdout, "configuration is NOT valid:")
		for _, e := range splitErrors(err) {
			fmt.Fprintln(stdout, "  -", e)
		}
		return errors.New("configuration check failed")
	}
	cfg.PrintProviders(stdout)
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(stdout, "warning:", w)
	}
	fmt.Fprintln(stdout, "configuration is valid")
	return nil
}

// splitErrors lists the errors of an errors.Join.
func splitErrors(err error) []string {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, splitErrors(e)...)
		}
		return out
	}
	return []string{err.Error()}
}
