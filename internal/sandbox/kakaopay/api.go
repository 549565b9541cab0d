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

	sandbox.Serve(s.ctl, w, r, op, []string{tid}, sandbox.Steps[Fault, apiError]{
		ErrorAnswer: faultErrorAnswer,
		Refuse: func(f Fault, kind string) *apiError {
			if kind != sandbox.FaultDecline {
				return nil
			}
			if op == opApprove && !f.inProgress() {
				cid, _, _ := p.Lookup("cid")
				s.decline(cid, tid)
			}
			return declineAnswer(f)
		},
		Act:        func(*Fault) (any, *apiError) { return do(r, p) },
		Amount:     reportAmount,
		WriteError: func(w http.ResponseWriter, e *apiError) { writeError(w, gen, e) },
		WriteOK:    func(w http.ResponseWriter, resp any) { writeJSON(w, http.StatusOK, resp) },
	})
}

// reportAmount is an "amount" fault: the approve or order answered reports
// amount as amount.total.
func reportAmount(answer any, amount int64) {
	switch v := answer.(type) {
	case *approveResponse:
		v.Amount.Total = amount
	case *orderResponse:
		v.Amount.Total = amount
	}
}
