// Command paybridge is a self-hosted payment server for Korean online shops.
// Run "paybridge help" for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/paybridge/paybridge/internal/config"
)

// Version may be set at build time with -ldflags "-X main.Version=…"; left
// empty, the module's version from the build information is used.
var Version = ""

const usage = `paybridge — a self-hosted payment server for Korean online shops

Usage:
  paybridge <command> [flags]

Commands:
  serve         run the server (API, demo shop, built-in sandboxes without credentials)
  sandbox       run the four provider sandboxes alone (KakaoPay, PortOne V1 and V2, Toss)
  merchants     create and list merchants
  keys          create, list and revoke a merchant's secret API keys
  config        print the effective configuration (secrets masked); "config check" validates it
  operators     create, list, disable and enable console operators (/console)
  migrate       apply database migrations
  db copy       copy a database into another, empty one (SQLite to PostgreSQL)
  bench         measure checkouts/s against a no-paybridge baseline, latency, RSS, lookups
  payments      create, get, list and cancel payments through the API
  events        list, get and resend outbound webhook events through the API
  webhooks      create, list, delete and rotate webhook endpoints through the API
  version       print the version and the commit it was built from
  help          show this help

Run "paybridge <command> -h" for a command's flags. Configuration comes from
PAYBRIDGE_… environment variables; see the README.
`

func main() { os.Exit(cliMain()) }

// cliMain runs the command line of the process and returns its exit status.
// The README test runs its own test binary through it, as paybridge.
func cliMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, errorLine(err))
		return 1
	}
	return 0
}

// errorLine is how a failed command reports err: "paybridge: " once, even
// when an error from the Go client (whose errors start with "paybridge: "
// for programs that use it) is inside.
func errorLine(err error) string {
	return "paybridge: " + strings.ReplaceAll(err.Error(), "paybridge: ", "")
}

// run dispatches a command line; tests call it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	if run, ok := commands[cmd]; ok {
		return run(ctx, rest, getenv, stdout, stderr)
	}
	switch cmd {
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionLine())
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// commands are the commands of the usage by name.
var commands = map[string]runFunc{
	"serve": func(ctx context.Context, args []string, getenv func(string) string, _, stderr io.Writer) error {
		return runServe(ctx, args, getenv, stderr)
	},
	"sandbox": func(ctx context.Context, args []string, getenv func(string) string, _, stderr io.Writer) error {
		return runSandbox(ctx, args, getenv, stderr)
	},
	"keys":      dbCommand(keysGroup, runKeys),
	"merchants": dbCommand(merchantsGroup, runMerchants),
	"operators": dbCommand(operatorsGroup, runOperators),
	"config":    runConfig,
	"migrate":   runMigrate,
	"db":        runDB,
	"bench":     runBench,
	"payments":  apiCommand(paymentsGroup, runPayments),
	"events":    apiCommand(eventsGroup, runEvents),
	"webhooks":  apiCommand(webhooksGroup, runWebhooks),
}

// newLogger builds the logger the configuration asks for.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// newFlagSet returns a flag set whose usage names the command.
func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: paybridge %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}
