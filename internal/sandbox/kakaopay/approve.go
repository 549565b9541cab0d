package kakaopay

import (
	"fmt"
	"math"
	"net/http"
)

// approveResponse is KakaoPay's answer to approve (docs/providers.md §1.4).
type approveResponse struct {
	AID string `json:"aid"`
	paymentHead
	PaymentMethodType string    `json:"payment_method_type"`
	CardInfo          *cardInfo `json:"card_info,omitempty"`
	ApprovedAt        string    `json:"approved_at"`
	Payload           string    `json:"payload,omitempty"`
}

// cardInfo is approve's card_info, present only for CARD payments. The
// values are fixed test data in KakaoPay's formats (all strings).
type cardInfo struct {
	KakaopayPurchaseCorp     string `json:"kakaopay_purchase_corp"`
	KakaopayPurchaseCorpCode string `json:"kakaopay_purchase_corp_code"`
	KakaopayIssuerCorp       string `json:"kakaopay_issuer_corp"`
	KakaopayIssuerCorpCode   string `json:"kakaopay_issuer_corp_code"`
	Bin                      string `json:"bin"`
	CardType                 string `json:"card_type"`
	InstallMonth             string `json:"install_month"`
	ApprovedID               string `json:"approved_id"`
	CardMID                  string `json:"card_mid"`
	InterestFreeInstall      string `json:"interest_free_install"`
	InstallmentType          string `json:"installment_type"`
	CardItemCode             string `json:"card_item_code"`
}

// Test card the sandbox "pays" with.
const (
	testCardCorp     = "비씨카드"
	testCardCorpCode = "104"
	testCardBin      = "621640"
)

func (p *payment) cardInfo() *cardInfo {
	if p.method != methodCard {
		return nil
	}
	return &cardInfo{
		KakaopayPurchaseCorp:     testCardCorp,
		KakaopayPurchaseCorpCode: testCardCorpCode,
		KakaopayIssuerCorp:       testCardCorp,
		KakaopayIssuerCorpCode:   testCardCorpCode,
		Bin:                      testCardBin,
		CardType:                 "신용",
		InstallMonth:             fmt.Sprintf("%02d", p.installMonth),
		ApprovedID:               p.aid[len(p.aid)-8:],
		CardMID:                  "123456789",
		InterestFreeInstall:      "N",
		InstallmentType:          "CARD_INSTALLMENT",
	}
}

// approve finishes a payment the buyer authenticated. The checks follow
// KakaoPay's contract: the pg_token from the buyer's redirect, the partner ids
// and (if sent) the total of the ready request, within the tid's lifetime.
// A refused approve changes nothing, so a client may retry a mistake.
func (s *Sandbox) approve(_ *http.Request, in params) (any, *apiError) {
	f := newFields(in)
	cid := f.Str("cid", true, 0)
	tid := f.Str("tid", true, 0)
	orderID := f.Str("partner_order_id", true, 100)
	userID := f.Str("partner_user_id", true, 100)
	token := f.Str("pg_token", true, 0)
	payload := f.Str("payload", false, 200)
	total, hasTotal := f.num("total_amount", false, 1, math.MaxInt64)
	p, err := s.lockPayment(f, cid, tid)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	switch {
	case p.approved():
		return nil, errAlreadyApproved()
	case p.expired:
		return nil, errInvalid("tid expired")
	case p.status != statusAuthPassword:
		// The buyer has not authenticated (READY, OPEN_PAYMENT), or quit,
		// or the payment failed: nothing can be approved.
		return nil, errApprovalFailure(nil)
	case token != p.pgToken:
		return nil, errInvalid("pg_token does not match")
	case orderID != p.partnerOrderID || userID != p.partnerUserID:
		return nil, errInvalid("partner_order_id and partner_user_id must equal the ready request's")
	case hasTotal && total != p.amount.Total:
		return nil, errInvalid("total_amount %d does not equal the ready request's %d", total, p.amount.Total)
	}

	now := s.now()
	p.status = statusSuccess
	p.aid = s.newIDLocked("A")
	p.approvedAt = now
	p.payload = payload
	p.actions = append(p.actions, action{aid: p.aid, at: now, amount: p.amount, kind: actionPay, payload: payload})
	s.log.Info("kakaopay sandbox: approved", "tid", tid, "aid", p.aid, "method", p.method, "total", p.amount.Total)

	return &approveResponse{
		AID:               p.aid,
		paymentHead:       p.head(),
		PaymentMethodType: p.method,
		CardInfo:          p.cardInfo(),
		ApprovedAt:        kakaoTime(now),
		Payload:           payload,
	}, nil
}
