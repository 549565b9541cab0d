package provider

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
)

// Problems gathers what is wrong with an adapter's Config, so that an
// operator fixes the configuration in one go. Each message starts with the
// adapter's name and names a field, never its value: a secret must not
// reach a log because it was malformed. The adapter adds its own rules
// (key prefixes, lengths, combinations) with Add; the rules every adapter
// shares are Key and BaseURL.
type Problems struct {
	prefix string
	errs   []error
}

// NewProblems starts an empty list for the adapter called name ("toss").
func NewProblems(name string) *Problems { return &Problems{prefix: name + ": "} }

// Add records one problem. format must not quote a configured value.
func (p *Problems) Add(format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf(p.prefix+format, args...))
}

// Err is every problem joined, or nil.
func (p *Problems) Err() error { return errors.Join(p.errs...) }

// Key checks a credential that is sent as is, in a header or a URL.
// missing is the problem reported when it is empty; "" makes the key
// optional. Key reports whether the key is set and sendable, so that the
// caller checks its shape only then.
func (p *Problems) Key(field, value, missing string) bool {
	switch {
	case value == "":
		if missing != "" {
			p.Add("%s", missing)
		}
		return false
	case !HeaderSafe(value):
		p.Add("%s contains whitespace or control characters", field)
		return false
	}
	return true
}

// BaseURL checks an optional base URL (field names it) that API paths are
// appended to; empty means "the default" or "not used".
func (p *Problems) BaseURL(field, raw string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		p.Add("%s does not parse", field)
	case u.Scheme != "http" && u.Scheme != "https":
		p.Add("%s must be an http or https URL", field)
	case u.Host == "":
		p.Add("%s has no host", field)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		// Paths are appended; a query or fragment (even a bare "?") would
		// end up in the middle of them.
		p.Add("%s must not have a query or fragment", field)
	case u.User != nil:
		p.Add("%s must not contain credentials", field)
	}
}

// HeaderSafe reports whether a credential can go into a header (or a URL)
// as is. A pasted key with a trailing newline is the usual culprit, and the
// provider would only answer 401 without saying why.
func HeaderSafe(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r > unicode.MaxASCII
	})
}
