package iamport

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/sandbox"
)

// The buyer's actions on the window's buttons (name=action).
const (
	actionApprove = "approve" // pay
	actionCancel  = "cancel"  // close the window: PortOne records a failure
	actionFail    = "fail"    // the card company refuses
	actionReturn  = "return"  // the only button of a blocked window
)

// Results the window reports. PortOne's own error_code values are not in
// the reference material; these are the sandbox's.
const (
	codeBlocked    = "F400"  // the window refused to open
	codeDeclined   = "F1001" // the "fail" button
	reasonCancel   = "사용자가 결제를 취소하셨습니다"
	reasonDeclined = "[F1001] 카드사 승인이 거절되었습니다 (sandbox)"
)

// windowRequest is what IMP.request_pay passes to PortOne's window; the
// sandbox's window takes it as its query.
type windowRequest struct {
	merchantUID string
	amount      int64
	name        string
	buyerName   string
	payMethod   string
	redirect    string // m_redirect_url
	pg          string // "provider" or "provider.MID"
	imp         string // the merchant's 가맹점 식별코드, shown only
}

// parseWindow reads the window's query. A bad m_redirect_url leaves nowhere
// to send the buyer (redirectOK false); any other problem is reported back
// to it, as PortOne's window does.
func parseWindow(q url.Values) (wr windowRequest, problem string, redirectOK bool) {
	wr = windowRequest{
		merchantUID: q.Get("merchant_uid"),
		name:        q.Get("name"),
		buyerName:   q.Get("buyer_name"),
		payMethod:   q.Get("pay_method"),
		redirect:    q.Get("m_redirect_url"),
		pg:          q.Get("pg"),
		imp:         q.Get("imp"),
	}
	if u, err := url.Parse(wr.redirect); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return wr, "m_redirect_url must be an absolute http(s) URL", false
	}
	if wr.payMethod == "" {
		wr.payMethod = "card"
	}
	n, err := strconv.ParseInt(q.Get("amount"), 10, 64)
	switch {
	case wr.merchantUID == "" || len(wr.merchantUID) > maxMerchantUID:
		problem = "merchant_uid는 1자 이상 40자 이하여야 합니다"
	case err != nil || n <= 0:
		problem = "amount는 0보다 큰 정수여야 합니다"
	case len(wr.payMethod) > 20:
		problem = "pay_method가 올바르지 않습니다"
	}
	wr.amount = n
	return wr, problem, true
}

// blockedLocked says why the window must not open for wr, or ""; the caller
// holds s.mu. A pre-registered merchant_uid with another amount blocks it,
// which is the point of prepare (docs/providers.md §2.4). A merchant_uid that is
// already paid blocks it too, so one order cannot be paid twice (the
// sandbox's rule; PortOne's is not in the reference).
func (s *Sandbox) blockedLocked(wr windowRequest) string {
	if pr := s.prepared[wr.merchantUID]; pr != nil && pr.amount != wr.amount {
		return "사전등록된 결제금액(" + strconv.FormatInt(pr.amount, 10) + ")과 요청금액(" +
			strconv.FormatInt(wr.amount, 10) + ")이 일치하지 않아 결제창을 열 수 없습니다"
	}
	for _, p := range s.byMerchant[wr.merchantUID] {
		if p.status == statusPaid || p.status == statusCancelled {
			return "이미 결제가 완료된 merchant_uid입니다"
		}
	}
	return ""
}

// serveCheckout is the buyer's side of PortOne: GET opens the window (and,
// as IMP.request_pay does, starts a payment with its own imp_uid, status
// ready); POST is the buyer pressing a button, answered with a 303 to
// m_redirect_url carrying PortOne's redirect parameters.
func (s *Sandbox) serveCheckout(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.openWindow(w, r)
	case http.MethodPost:
		s.submitWindow(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		renderWindow(w, r, http.StatusMethodNotAllowed, windowView{Message: windowPage.Msg(r, "method_na")})
	}
}

func (s *Sandbox) openWindow(w http.ResponseWriter, r *http.Request) {
	wr, problem, redirectOK := parseWindow(r.URL.Query())
	if !redirectOK {
		renderWindow(w, r, http.StatusBadRequest, windowView{Message: problem})
		return
	}
	s.mu.Lock()
	if problem == "" {
		problem = s.blockedLocked(wr)
	}
	if problem != "" {
		s.mu.Unlock()
		renderWindow(w, r, http.StatusOK, windowView{Message: problem, Blocked: true})
		return
	}
	p := s.startLocked(r, wr)
	v := windowView{
		ImpUID: p.impUID, MerchantUID: p.merchantUID, Name: p.name, BuyerName: p.buyerName,
		PayMethod: p.payMethod, PG: p.pgProvider, Amount: i18n.Won(p.amount),
	}
	s.mu.Unlock()
	renderWindow(w, r, http.StatusOK, v)
}

func (s *Sandbox) submitWindow(w http.ResponseWriter, r *http.Request) {
	wr, problem, redirectOK := parseWindow(r.URL.Query())
	if !redirectOK {
		renderWindow(w, r, http.StatusBadRequest, windowView{Message: problem})
		return
	}
	if err := sandbox.ReadForm(w, r); err != nil {
		renderWindow(w, r, http.StatusBadRequest, windowView{Message: windowPage.Msg(r, "bad_form")})
		return
	}
	act, impUID := r.PostForm.Get("action"), r.PostForm.Get("imp_uid")

	s.mu.Lock()
	var p *payment
	if impUID != "" {
		p = s.payments[impUID]
		switch {
		case p == nil || p.merchantUID != wr.merchantUID || p.amount != wr.amount:
			s.mu.Unlock()
			renderWindow(w, r, http.StatusBadRequest, windowView{Message: windowPage.Msg(r, "not_this")})
			return
		case p.status != statusReady:
			// A double submit or the back button: one window pays once.
			s.mu.Unlock()
			renderWindow(w, r, http.StatusConflict, windowView{Message: fmt.Sprintf(windowPage.Msg(r, "used"), p.status)})
			return
		}
	}
	if problem == "" {
		problem = s.blockedLocked(wr)
	}
	if problem != "" {
		// Whatever was pressed, a blocked window only goes back. This also
		// stops a second window of an order paid in the meantime.
		s.mu.Unlock()
		http.Redirect(w, r, sandbox.WithQuery(wr.redirect, url.Values{
			"merchant_uid": {wr.merchantUID}, "imp_success": {"false"},
			"error_code": {codeBlocked}, "error_msg": {problem},
		}), http.StatusSeeOther)
		return
	}
	if act != actionApprove && act != actionCancel && act != actionFail {
		s.mu.Unlock()
		renderWindow(w, r, http.StatusBadRequest, windowView{Message: windowPage.Msg(r, "bad_action")})
		return
	}
	if p == nil {
		// A POST without opening the window first (a test, a script):
		// start the payment now.
		p = s.startLocked(r, wr)
	}

	now := s.now()
	p.updatedAt = now
	q := url.Values{"imp_uid": {p.impUID}, "merchant_uid": {p.merchantUID}, "imp_success": {"false"}}
	var paid *notice
	switch act {
	case actionApprove:
		p.status, p.paidAt = statusPaid, now
		p.pgTID = s.newIDLocked("StdpayCARD", 16)
		if p.payMethod == "card" {
			p.applyNum = s.newIDLocked("", 8)
		}
		q.Set("imp_success", "true")
		paid = &notice{ImpUID: p.impUID, MerchantUID: p.merchantUID, Status: statusPaid}
	case actionCancel:
		p.status, p.failedAt, p.failReason = statusFailed, now, reasonCancel
		q.Set("error_msg", reasonCancel)
	case actionFail:
		p.status, p.failedAt, p.failReason = statusFailed, now, reasonDeclined
		q.Set("error_code", codeDeclined)
		q.Set("error_msg", reasonDeclined)
	}
	status := p.status
	s.mu.Unlock()

	s.log.Info("iamport sandbox: buyer acted", "imp_uid", p.impUID, "merchant_uid", p.merchantUID, "action", act, "status", status)
	if paid != nil {
		// Only a payment notifies; a failure never does (§2.6).
		s.notify(*paid)
	}
	http.Redirect(w, r, sandbox.WithQuery(wr.redirect, q), http.StatusSeeOther)
}

// startLocked records the payment a window opening starts; the caller
// holds s.mu.
func (s *Sandbox) startLocked(r *http.Request, wr windowRequest) *payment {
	now := s.now()
	s.seq++
	p := &payment{
		seq:         s.seq,
		impUID:      s.newIDLocked("imp_", 12),
		merchantUID: wr.merchantUID,
		name:        wr.name,
		buyerName:   wr.buyerName,
		payMethod:   wr.payMethod,
		pgProvider:  "html5_inicis",
		pgID:        "INIpayTest",
		channel:     "pc",
		userAgent:   r.UserAgent(),
		amount:      wr.amount,
		status:      statusReady,
		startedAt:   now,
		updatedAt:   now,
	}
	if prov, mid, _ := strings.Cut(wr.pg, "."); prov != "" {
		p.pgProvider, p.pgID = prov, mid
	}
	p.receiptURL = s.baseURL(r) + "/receipt/" + url.PathEscape(p.impUID)
	s.payments[p.impUID] = p
	s.byMerchant[p.merchantUID] = append(s.byMerchant[p.merchantUID], p)
	s.log.Info("iamport sandbox: window opened", "imp_uid", p.impUID, "merchant_uid", p.merchantUID, "amount", p.amount)
	return p
}
