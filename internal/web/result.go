package web

import (
	"net/http"
	"net/url"

	"github.com/paybridge/paybridge/internal/payment"
)

// handleApproveReturn is the approval URL given to the provider. It carries
// only paybridge's payment id (in the path) and the provider's pg_token.
func (s *Site) handleApproveReturn(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.Approve(r.Context(), r.PathValue("id"), r.URL.Query().Get("pg_token"))
	if p == nil {
		s.renderError(w, err)
		return
	}
	s.redirectAfter(w, r, p, "approve")
}

// handleLeftReturn is the cancel and fail URL given to the provider.
func (s *Site) handleLeftReturn(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.BuyerLeft(r.Context(), r.PathValue("id"))
	if p == nil {
		s.renderError(w, err)
		return
	}
	kind := "cancel"
	if len(r.URL.Path) > 5 && r.URL.Path[len(r.URL.Path)-5:] == "/fail" {
		kind = "fail"
	}
	s.redirectAfter(w, r, p, kind)
}

// redirectAfter sends the browser to the shop's URL for the outcome (with
// payment_id added), or to paybridge's own result page when the shop gave
// none or the outcome is not known yet.
func (s *Site) redirectAfter(w http.ResponseWriter, r *http.Request, p *payment.Payment, kind string) {
	var target string
	switch p.Status {
	case payment.StatusPaid, payment.StatusPartiallyCanceled, payment.StatusCanceled:
		target = p.SuccessURL
	case payment.StatusAborted:
		target = p.CancelURL
	case payment.StatusFailed, payment.StatusExpired:
		target = p.FailURL
	case payment.StatusReady:
		// The buyer left but the provider has not confirmed it yet.
		target = p.FailURL
		if kind == "cancel" {
			target = p.CancelURL
		}
	}
	params := url.Values{"payment_id": {p.ID}}
	if p.Channel == payment.ChannelDropIn && p.Status.Settled() {
		// The original sample's success page posts pg_token back to /approve.
		params.Set("pg_token", p.PGToken)
	}
	if target == "" {
		target = "/pay/" + p.ID
		params = nil
	}
	if params != nil {
		target = withParams(target, params)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (s *Site) handleResult(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.Store().FindPaymentByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, err)
		return
	}
	back := p.SuccessURL
	switch p.Status {
	case payment.StatusAborted:
		back = p.CancelURL
	case payment.StatusFailed, payment.StatusExpired:
		back = p.FailURL
	}
	if back != "" {
		back = withParams(back, url.Values{"payment_id": {p.ID}})
	}
	s.render(w, http.StatusOK, "result.html", page{Title: "Payment " + string(p.Status), Payment: p,
		Refresh: p.Status == payment.StatusApproving, BackURL: back})
}

func (s *Site) renderError(w http.ResponseWriter, err error) {
	code := payment.ErrorCode(err)
	status := http.StatusInternalServerError
	switch code {
	case payment.ENOTFOUND:
		status = http.StatusNotFound
	case payment.EINVALID:
		status = http.StatusBadRequest
	default:
		s.log.Error("page failed", "error", err)
	}
	s.render(w, status, "error.html", page{Title: "Error", Error: payment.ErrorMessage(err)})
}
