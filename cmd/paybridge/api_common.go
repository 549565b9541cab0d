package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/paybridge/paybridge/client"
)

// defaultAPIURL is the server the API commands call without PAYBRIDGE_URL.
const defaultAPIURL = "http://localhost:8080"

// apiFlags are the connection flags of every API command.
type apiFlags struct {
	url    string
	key    string
	getenv func(string) string
}

// register adds --url (the paybridge server, in every command), its older
// spelling --server-url, and --api-key to fs.
func (f *apiFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	f.getenv = getenv
	fs.StringVar(&f.url, "url", "", "paybridge server URL (PAYBRIDGE_URL, default "+defaultAPIURL+")")
	fs.StringVar(&f.url, "server-url", "", "the same as --url")
	fs.StringVar(&f.key, "api-key", "", "secret API key (PAYBRIDGE_API_KEY)")
}

// client returns the API client, or an error when no key is configured.
func (f *apiFlags) client() (*client.Client, error) {
	u, key := f.url, f.key
	if u == "" {
		u = f.getenv("PAYBRIDGE_URL")
	}
	if u == "" {
		u = defaultAPIURL
	}
	if key == "" {
		key = f.getenv("PAYBRIDGE_API_KEY")
	}
	if strings.TrimSpace(key) == "" {
		return nil, errors.New("no API key: set PAYBRIDGE_API_KEY or pass --api-key (create one with: paybridge keys create)")
	}
	return client.New(u, strings.TrimSpace(key), client.WithUserAgent("paybridge-cli/"+moduleVersion())), nil
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("payments cancel ID --reason R"), returning the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// After "--", everything is positional.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseArgs parses the flags and positional arguments of the command name,
// which takes n positional arguments (what says which, for the error).
func parseArgs(fs *flag.FlagSet, name string, args []string, n int, what string) ([]string, error) {
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	if err := wantArgs(name, pos, n, what); err != nil {
		return nil, err
	}
	return pos, nil
}

// call makes one API call with the configured client and prints its answer
// as JSON, or returns the API's error as the server worded it.
func (f *apiFlags) call(stdout io.Writer, do func(c *client.Client) (any, error)) error {
	c, err := f.client()
	if err != nil {
		return err
	}
	out, err := do(c)
	if err != nil {
		return apiError(err)
	}
	return printJSON(stdout, out)
}

// collect follows the pages of a list to its end, for --all; an empty list
// is [] rather than null, as the API writes it.
func collect[T any](all iter.Seq2[*T, error]) ([]*T, error) {
	out := []*T{}
	for v, err := range all {
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// wantArgs checks the number of positional arguments.
func wantArgs(name string, pos []string, n int, what string) error {
	if len(pos) != n {
		if n == 0 {
			return fmt.Errorf("%s: unexpected argument %q", name, pos[0])
		}
		return fmt.Errorf("%s: give %s", name, what)
	}
	return nil
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// apiError shows an API error as the server's message and request id only.
func apiError(err error) error {
	var e *client.Error
	if !errors.As(err, &e) {
		return err
	}
	msg := e.Message
	if msg == "" {
		msg = fmt.Sprintf("HTTP %d", e.StatusCode)
	}
	if e.RequestID != "" {
		msg += " (request " + e.RequestID + ")"
	}
	return errors.New(msg)
}

// commaList is a comma-separated flag's values, blanks trimmed and empty
// ones dropped: "paid, failed," is [paid failed].
func commaList[T ~string](s string) []T {
	var out []T
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, T(v))
		}
	}
	return out
}

const apiFlagsUsage = `Every command takes --url (the paybridge server) and --api-key, or reads
PAYBRIDGE_URL (default ` + defaultAPIURL + `) and PAYBRIDGE_API_KEY. Output is JSON.
`
