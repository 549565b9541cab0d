package store

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// AcceptedURLForms names the database URLs paybridge understands, for error
// messages and help.
const AcceptedURLForms = "sqlite:PATH, file:PATH, postgres://USER:PASSWORD@HOST:PORT/DB or postgresql://…"

// ParseURL checks a database URL and says which engine it names. Only the
// accepted forms pass: anything else (mysql://…, pg://…, a libpq keyword
// string "host=… password=…", a bare word) is refused, because guessing
// turned such values into SQLite files named after them, password included,
// and gave every instance of a "shared" database its own file. The error
// never quotes the value: it may hold a password.
func ParseURL(raw string) (postgres bool, err error) {
	s := strings.TrimSpace(raw)
	refuse := func(what string) error {
		return fmt.Errorf("database URL: %s; accepted forms: %s", what, AcceptedURLForms)
	}
	switch {
	case s == "":
		return false, refuse("it is empty")
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		u, err := url.Parse(s)
		if err != nil {
			return false, refuse("the postgres:// URL does not parse (percent-encode special characters in the password)")
		}
		if u.Host == "" && u.Query().Get("host") == "" { // ?host=/run/postgresql names a socket
			return false, refuse("the postgres:// URL names no host")
		}
		return true, nil
	case strings.HasPrefix(s, "sqlite:"), strings.HasPrefix(s, "file:"):
		p := SQLitePath(s)
		if i := strings.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		if p == "" {
			return false, refuse("the SQLite URL names no file")
		}
		return false, nil
	case strings.Contains(s, "="):
		return false, refuse("a libpq keyword string (host=… password=…) is not accepted: write it as postgres://USER:PASSWORD@HOST:PORT/DB")
	}
	if m := schemeRE.FindStringSubmatch(s); m != nil {
		return false, refuse(fmt.Sprintf("the scheme %q is not supported", m[1]))
	}
	return false, refuse("a bare path or word is not accepted: write sqlite:PATH for a SQLite file")
}

var schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]{0,30}):`)

// passwordParamRE finds password=… in a query string or a keyword string.
var passwordParamRE = regexp.MustCompile(`(?i)(password|passwd|pwd|sslpassword)=([^&\s]*)`)

// RedactURL removes every password from a database URL, in the user info
// and in query parameters (?password=…, ?sslpassword=…), for logs, errors
// and printed configuration. A value that is not an accepted database URL
// is not shown at all: where a password hides in it cannot be known.
func RedactURL(s string) string {
	if _, err := ParseURL(s); err != nil {
		return "(refused database URL)"
	}
	s = passwordParamRE.ReplaceAllString(s, "${1}=xxxxx")
	u, err := url.Parse(s)
	if err != nil {
		// user:password@ in something that is not a URL: drop the user info.
		if at := strings.LastIndex(s, "@"); at >= 0 {
			if i := strings.Index(s, "://"); i >= 0 && i < at {
				return s[:i+3] + "xxxxx" + s[at:]
			}
		}
		return s
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}
