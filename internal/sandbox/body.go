package sandbox

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
)

// MaxBody bounds a request body to a sandbox's API: every provider's
// largest request is a few KiB.
const MaxBody = 64 << 10

// BodyProblem is why ReadParams refused a body; each sandbox words it in
// its provider's error shape.
type BodyProblem int

// Body problems.
const (
	BodyOK          BodyProblem = iota
	BodyContentType             // the media type is not one the call takes
	BodyUnreadable              // reading failed, or the body is over MaxBody
	BodyBadForm                 // a form body that does not parse
	BodyNotObject               // a JSON body that is not one object
)

// Body is what a sandbox's API takes as a request body.
type Body struct {
	// Types are the media types accepted: "application/json" (one JSON
	// object) and "application/x-www-form-urlencoded".
	Types []string
	// LaxType accepts a Content-Type whose parameters do not parse (a
	// stray ";"), as PortOne V1 does; otherwise it is refused.
	LaxType bool
}

// Read reads a request body, as Params. err holds the cause of a problem,
// such as the read error of BodyUnreadable.
func (b Body) Read(w http.ResponseWriter, r *http.Request) (p Params, why BodyProblem, err error) {
	mt, _, perr := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if perr != nil && !b.LaxType || !slices.Contains(b.Types, mt) {
		return Params{}, BodyContentType, fmt.Errorf("content type %q", mt)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return Params{}, BodyUnreadable, err
	}
	if mt == "application/x-www-form-urlencoded" {
		if p, err = ParseForm(body); err != nil {
			return Params{}, BodyBadForm, err
		}
		return p, BodyOK, nil
	}
	if p, err = ParseJSONObject(body); err != nil {
		return Params{}, BodyNotObject, err
	}
	return p, BodyOK, nil
}

// Message words why, a problem Read reported with err, for the error body
// a sandbox answers in its provider's shape: every sandbox says the same.
func (b Body) Message(why BodyProblem, err error) string {
	switch why {
	case BodyContentType:
		return "Content-Type must be " + strings.Join(b.Types, " or ")
	case BodyUnreadable:
		return fmt.Sprintf("cannot read the body: %v", err)
	case BodyBadForm:
		return "malformed form body"
	case BodyNotObject:
		return "the body must be a JSON object"
	}
	return ""
}
