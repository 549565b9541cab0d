package kakaopay

import (
	"math"
	"net/http"
	"net/url"
)

// readyResponse is KakaoPay's answer to ready (docs/providers.md §1.2).
type readyResponse struct {
	TID                   string `json:"tid"`
	TMSResult             bool   `json:"tms_result"`
	CreatedAt             string `json:"created_at"`
	NextRedirectAppURL    string `json:"next_redirect_app_url"`
	NextRedirectMobileURL string `json:"next_redirect_mobile_url"`
	NextRedirectPCURL     string `json:"next_redirect_pc_url"`
	AndroidAppScheme      string `json:"android_app_scheme"`
	IOSAppScheme          string `json:"ios_app_scheme"`
}

// ready starts a payment: it fixes the amount and the return URLs and hands
// out the buyer page's links.
func (s *Sandbox) ready(r *http.Request, in params) (any, *apiError) {
	f := newFields(in)
	p := &payment{
		cid:            f.Str("cid", true, 0),
		partnerOrderID: f.Str("partner_order_id", true, 100),
		partnerUserID:  f.Str("partner_user_id", true, 100),
		itemName:       f.Str("item_name", true, 100),
		itemCode:       f.Str("item_code", false, 100),
		approvalURL:    f.Str("approval_url", true, 255),
		cancelURL:      f.Str("cancel_url", true, 255),
		failURL:        f.Str("fail_url", true, 255),
		allowedMethod:  f.Str("payment_method_type", false, 0),
		status:         statusReady,
	}
	p.quantity, _ = f.num("quantity", true, 1, math.MaxInt32)
	total, _ := f.num("total_amount", true, 1, math.MaxInt64)
	taxFree, _ := f.num("tax_free_amount", true, 0, total)
	vat, hasVAT := f.num("vat_amount", false, 0, total-taxFree)
	green, _ := f.num("green_deposit", false, 0, total)
	p.installMonth, _ = f.num("install_month", false, 0, 12)
	if f.Err != nil {
		return nil, f.Err
	}
	if !validCID(p.cid) {
		return nil, errInvalidCID()
	}
	for _, u := range []struct{ name, v string }{
		{"approval_url", p.approvalURL}, {"cancel_url", p.cancelURL}, {"fail_url", p.failURL},
	} {
		if !absoluteHTTP(u.v) {
			return nil, errInvalid("%s must be an absolute http(s) URL", u.name)
		}
	}
	switch p.allowedMethod {
	case "", methodCard, methodMoney:
	default:
		return nil, errInvalid("payment_method_type must be CARD or MONEY")
	}
	if !hasVAT {
		vat = defaultVAT(total, taxFree)
	}
	p.amount = amount{Total: total, TaxFree: taxFree, VAT: vat, GreenDeposit: green}

	s.mu.Lock()
	p.tid = s.newIDLocked("T")
	p.createdAt = s.now()
	s.payments[p.tid] = p
	s.mu.Unlock()
	s.log.Info("kakaopay sandbox: ready", "tid", p.tid, "partner_order_id", p.partnerOrderID, "total", total)

	pc := s.baseURL(r) + "/checkout/" + p.tid
	mobile := pc + "?device=mobile"
	scheme := "kakaotalk://kakaopay/pg?url=" + url.QueryEscape(mobile)
	return &readyResponse{
		TID:                   p.tid,
		CreatedAt:             kakaoTime(p.createdAt),
		NextRedirectAppURL:    pc + "?device=app",
		NextRedirectMobileURL: mobile,
		NextRedirectPCURL:     pc,
		AndroidAppScheme:      scheme,
		IOSAppScheme:          scheme,
	}, nil
}

// absoluteHTTP reports whether u is an absolute http or https URL: the
// sandbox redirects the buyer's browser there.
func absoluteHTTP(u string) bool {
	v, err := url.Parse(u)
	return err == nil && (v.Scheme == "http" || v.Scheme == "https") && v.Host != ""
}
