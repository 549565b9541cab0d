package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/paybridge/paybridge/internal/config"
	"github.com/paybridge/paybridge/internal/store"
)

// subInfo is one subcommand of a group ("paybridge <group> <name> …"): its
// positional arguments as the usage line shows them, and what it does.
type subInfo struct {
	name, args, summary string
}

// subcommand dispatches "paybridge <group> <sub> …" with the group's usage.
func subcommand(group, usage string, subs []string, args []string, stdout, stderr io.Writer) (string, []string, error) {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return "", nil, fmt.Errorf("%s: want a subcommand: %s", group, strings.Join(subs, ", "))
	}
	sub := args[0]
	switch sub {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(stdout, usage)
		return "", nil, flag.ErrHelp
	}
	for _, s := range subs {
		if s == sub {
			return sub, args[1:], nil
		}
	}
	fmt.Fprint(stderr, usage)
	return "", nil, fmt.Errorf("%s: unknown subcommand %q", group, sub)
}

// group is a command with subcommands: "paybridge <name> <sub> …".
type group struct {
	name, usage string
	subs        []subInfo
}

// command is the subcommand of a group being run.
type command struct {
	sub  string // "create"
	name string // "keys create", for errors
	fs   *flag.FlagSet
	args []string // after the subcommand's name
}

// start dispatches "paybridge <group> <sub> …" and returns the subcommand
// with its flag set, whose usage names it. After a help request for the
// group it returns nil and a nil error: the usage is printed and there is
// nothing more to do.
func (g group) start(args []string, stdout, stderr io.Writer) (*command, error) {
	names := make([]string, len(g.subs))
	for i, s := range g.subs {
		names[i] = s.name
	}
	name, rest, err := subcommand(g.name, g.usage, names, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	s := g.subs[slices.Index(names, name)]
	return &command{sub: name, name: g.name + " " + name, args: rest,
		fs: newFlagSet(g.name+" "+name+s.args, s.summary, stderr)}, nil
}

// runFunc runs a command of paybridge with the arguments after its name.
type runFunc func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error

// apiCommand is the runFunc of a group of commands that call the API: it
// dispatches the subcommand, adds the connection flags to its flag set and
// runs it.
func apiCommand(g group, run func(ctx context.Context, cmd *command, af *apiFlags, stdout io.Writer) error) runFunc {
	return func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
		cmd, err := g.start(args, stdout, stderr)
		if cmd == nil {
			return err
		}
		var af apiFlags
		af.register(cmd.fs, getenv)
		return run(ctx, cmd, &af, stdout)
	}
}

// dbCommand is the runFunc of a group of commands that work on the
// database itself: it dispatches the subcommand, reads the configuration,
// adds --database-url to the subcommand's flag set and runs it.
func dbCommand(g group, run func(ctx context.Context, cmd *command, cfg *config.Config, stdout, stderr io.Writer) error) runFunc {
	return func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
		cmd, err := g.start(args, stdout, stderr)
		if cmd == nil {
			return err
		}
		cfg, err := databaseFlag(cmd.fs, getenv)
		if err != nil {
			return err
		}
		return run(ctx, cmd, cfg, stdout, stderr)
	}
}

// open parses the flags and opens the configured database (see openStore).
func (c *command) open(ctx context.Context, cfg *config.Config, stderr io.Writer) (*store.Store, error) {
	if err := c.fs.Parse(c.args); err != nil {
		return nil, err
	}
	return openStore(ctx, *cfg, stderr)
}

// databaseFlag reads the configuration from the environment and adds
// --database-url to fs, for the commands that work on the database itself.
func databaseFlag(fs *flag.FlagSet, getenv func(string) string) (*config.Config, error) {
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "database (PAYBRIDGE_DATABASE_URL)")
	return &cfg, nil
}
