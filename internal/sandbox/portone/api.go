package portone

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// apiOp is one API operation: it reads the request, changes state under the
// lock, and returns the answer and the webhooks to send once unlocked.
type apiOp func(r *http.Request, paymentID string, f *Fault) (any, []event, *apiError)

// serveAPI is the common path of every API call: auth, counting, faults,
// then the operation itself.
func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request, op, paymentID string) {
	var do apiOp
	switch op {
	case opPreRegister:
		do = s.preRegister
	case opGetPayment:
		do = s.getPayment
	case opCancel:
		do = s.cancel
	}
	if e := s.authorize(r); e != nil {
		writeError(w, e)
		return
	}
	// Counted before anything can refuse the call: the count is what tests
	// use to prove a client made exactly one cancel, refused or not.
	s.ctl.Count(op, paymentID)
	// The body is read before any fault applies: net/http notices a client
	// that hung up only once the body is consumed, and a "delay" must end
	// when its client gives up.
	body, err := io.ReadAll(io.LimitReader(r.Body, sandbox.MaxBody+1))
	if err != nil {
		return // the connection failed; nobody reads an answer
	}
	if len(body) > sandbox.MaxBody {
		writeError(w, errInvalid("body over %d bytes", sandbox.MaxBody))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	sandbox.Serve(s.ctl, w, r, op, []string{paymentID}, sandbox.Steps[Fault, apiError]{
		ErrorAnswer: faultErrorAnswer,
		Act: func(f *Fault) (any, *apiError) {
			resp, events, e := do(r, paymentID, f)
			// Sent even when a "lost" fault then drops the answer: the
			// operation has taken effect.
			s.notify(events)
			return resp, e
		},
		Amount:     reportAmount,
		WriteError: writeError,
		WriteOK:    func(w http.ResponseWriter, resp any) { writeJSON(w, http.StatusOK, resp) },
	})
}

// reportAmount is an "amount" fault: amount.total of a Payment, or
// cancellation.totalAmount of a cancel, reports amount.
func reportAmount(answer any, amount int64) {
	switch v := answer.(type) {
	case *paymentJSON:
		v.Amount.Total = amount
	case *cancelResponseJSON:
		v.Cancellation.TotalAmount = amount
	}
}

// authorize accepts "Authorization: PortOne {secret}": the configured
// secret, or any well-formed one when none is configured. The sandbox
// issues no access tokens, so "Bearer" is refused.
func (s *Sandbox) authorize(r *http.Request) *apiError {
	h := r.Header.Get("Authorization")
	if h == "" {
		return errUnauthorized("Authorization header is missing")
	}
	scheme, secret, _ := strings.Cut(h, " ")
	switch {
	case scheme == "Bearer":
		return errUnauthorized("the sandbox issues no access tokens; use PortOne {API secret}")
	case scheme != "PortOne":
		return errUnauthorized("unknown authorization scheme; use PortOne {API secret}")
	case secret == "" || strings.ContainsAny(secret, " \t\r\n"):
		return errUnauthorized("malformed API secret")
	case s.opts.APISecret != "" && secret != s.opts.APISecret:
		return errUnauthorized("invalid API secret")
	}
	return nil
}

// decodeBody reads a JSON request body into v. Unknown fields are refused:
// v lists every field of the schema's body, so an unknown one is a
// misspelling that would otherwise silently drop a guard
// (currentCancellableAmount) or an amount.
//
// The Content-Type is not checked: PortOne's own server SDK
// (@portone/server-sdk) sends its JSON body through fetch without one, so it
// arrives as text/plain;charset=UTF-8, and the real API serves it. A body
// that is not JSON is refused whatever its Content-Type, with PortOne's
// INVALID_REQUEST.
func decodeBody(r *http.Request, v any) *apiError {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errInvalid("malformed JSON body: %s", err.Error())
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errInvalid("malformed JSON body: data after the object")
	}
	return nil
}
