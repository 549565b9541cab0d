package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
)

// handleReturn serves the return URLs given to the provider
// (/pay/{id}/approve, /cancel, /fail). They carry only paybridge's payment
// id in the path; the provider's query (pg_token, imp_uid, paymentKey…) is
// read by the provider's adapter, and nothing in it is trusted for money.
func (s *Site) handleReturn(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.svc.Return(r.Context(), r.PathValue("id"), kind, r.URL.Query())
		if p == nil {
			s.renderError(w, r, err)
			return
		}
		s.redirectAfter(w, r, p, kind)
	}
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
	p, err := s.svc.PaymentByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
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
	m := text.For(i18n.FromRequest(nil, r))
	o := describe(p, m)
	if p.ProviderErrorMessage != "" && p.Status == payment.StatusFailed {
		o.Lines = append(o.Lines, fmt.Sprintf(m["provider_says"], p.ProviderErrorMessage))
	}
	s.render(w, r, http.StatusOK, "result.html", page{Title: o.Label, Payment: p, Outcome: o,
		IDLabel: m["id_"+p.Provider], Refresh: p.Status == payment.StatusApproving, BackURL: back})
}

func (s *Site) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := payment.ErrorCode(err)
	status := http.StatusInternalServerError
	switch code {
	case payment.ENOTFOUND:
		status = http.StatusNotFound
	case payment.EINVALID:
		status = http.StatusBadRequest
	case payment.EPROVIDERNOTENABLED:
		// The operator's configuration, not the buyer's doing; it may
		// come back.
		status = http.StatusServiceUnavailable
		s.log.Warn("page refused: provider not enabled for the payment", "error", err)
	default:
		s.log.Error("page failed", "error", err)
	}
	msg := payment.ErrorMessage(err)
	if code == payment.ENOTFOUND {
		// The one error a buyer meets (an old or mistyped link), in their language.
		msg = text.For(i18n.FromRequest(nil, r))["err_not_found"]
	}
	s.render(w, r, status, "error.html", page{TitleKey: "error_title", Error: msg})
}
