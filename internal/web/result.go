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

// redirectAfter sends the browser to the shop's URL for the outcome (see
// shopURL), or to paybridge's own result page when the shop gave none or
// the outcome is not known yet.
func (s *Site) redirectAfter(w http.ResponseWriter, r *http.Request, p *payment.Payment, kind string) {
	target := shopURL(p, kind)
	if target == "" {
		http.Redirect(w, r, "/pay/"+p.ID, http.StatusSeeOther)
		return
	}
	params := url.Values{"payment_id": {p.ID}}
	if p.Channel == payment.ChannelDropIn && p.Status.Settled() {
		// The original sample's success page posts pg_token back to /approve.
		// Only this redirect, seen by the buyer's browser alone, carries it:
		// the result page's link does not (anyone with the id may open it).
		params.Set("pg_token", p.PGToken)
	}
	http.Redirect(w, r, withParams(target, params), http.StatusSeeOther)
}

// shopURL is where the shop wants the buyer for p's outcome (payment_id is
// added by the caller); "" when the shop gave no URL for it or the outcome is
// not known. Both the redirect after a return and the result page's "back
// to the shop" link use it, so neither can send a buyer somewhere the other
// would not.
//
// success_url means "the sale went through": it is only ever given for a
// payment whose money moved, paid or since refunded in part or in full
// (partially_canceled, canceled: the refund is the shop's own later act,
// which it knows of). Shops (the original sample among them) often take
// the success page itself as proof of payment, so an unpaid payment never
// leads there: aborted goes to cancel_url; failed and expired to fail_url;
// ready (the buyer left the window, or opened the result page, before
// finishing) to fail_url, or cancel_url when the buyer came back through
// the cancel route. An approving payment has no shop URL at all: its
// outcome is being confirmed with the provider and the result page says
// so, refreshing until it is known; nor has a created one (the provider
// has not answered the prepare call yet).
func shopURL(p *payment.Payment, kind string) string {
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
	return target
}

func (s *Site) handleResult(w http.ResponseWriter, r *http.Request) {
	p, err := s.svc.PaymentByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	m := text.For(i18n.FromRequest(nil, r))
	o := describe(p, m)
	if p.ProviderErrorMessage != "" && p.Status == payment.StatusFailed {
		o.Lines = append(o.Lines, fmt.Sprintf(m["provider_says"], p.ProviderErrorMessage))
	}
	s.render(w, r, http.StatusOK, "result.html", page{Title: o.Label, Payment: p, Outcome: o,
		IDLabel: m["id_"+p.Provider], Refresh: p.Status == payment.StatusApproving, BackURL: backURL(p)})
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

// backURL is the result page's "back to the shop" link: shopURL with
// payment_id, or "" (no link) while the outcome is being confirmed.
func backURL(p *payment.Payment) string {
	if u := shopURL(p, ""); u != "" {
		return withParams(u, url.Values{"payment_id": {p.ID}})
	}
	return ""
}
