package kakaopay

import (
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// serveAPI is the common path of every payment API call: method, auth,
// counting, body, faults, then the operation itself.
func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request, gen generation, op string) {
	var do func(r *http.Request, p params) (any, *apiError)
	switch op {
	case opReady:
		do = s.ready
	case opApprove:
		do = s.approve
	case opCancel:
		do = s.cancel
	case opOrder:
		do = s.order
	default:
		writeError(w, gen, errNotFound())
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, gen, errMethod())
		return
	}
	if e := s.authorize(r, gen); e != nil {
		writeError(w, gen, e)
		return
	}
	// Counted before anything can refuse the call: the count is what tests
	// use to prove a client made exactly one approve, refused or not.
	s.ctl.Count(op)
	p, e := decodeParams(w, r, gen)
	if e != nil {
		writeError(w, gen, e)
		return
	}
	tid, _, _ := p.Lookup("tid")
	if op != opReady {
		s.ctl.CountIDs(op, tid)
	}

	f, kind, ok := s.ctl.Take(r, op, tid)
	if !ok {
		return // the client gave up during a delay; nobody reads an answer
	}
	switch kind {
	case sandbox.FaultError:
		writeError(w, gen, faultErrorAnswer(f))
		return
	case sandbox.FaultDecline:
		if op == opApprove {
			cid, _, _ := p.Lookup("cid")
			s.decline(cid, tid)
		}
		writeError(w, gen, declineAnswer(f))
		return
	}

	resp, e := do(r, p)
	if kind == sandbox.FaultLost {
		sandbox.DropConnection()
	}
	if e != nil {
		writeError(w, gen, e)
		return
	}
	if kind == sandbox.FaultAmount {
		switch v := resp.(type) {
		case *approveResponse:
			v.Amount.Total = f.Amount
		case *orderResponse:
			v.Amount.Total = f.Amount
		}
	}
	writeJSON(w, http.StatusOK, resp)
}
