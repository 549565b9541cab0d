package kakaopay

import (
	"net/http"

	"github.com/paybridge/paybridge/internal/sandbox"
)

// orderResponse is KakaoPay's answer to order (docs/providers.md §1.6).
// Timestamps and the method are null until they happen, as at KakaoPay.
type orderResponse struct {
	paymentHead
	Status                string           `json:"status"`
	PaymentMethodType     *string          `json:"payment_method_type"`
	CanceledAmount        amount           `json:"canceled_amount"`
	CancelAvailableAmount amount           `json:"cancel_available_amount"`
	ApprovedAt            *string          `json:"approved_at"`
	CanceledAt            *string          `json:"canceled_at"`
	SelectedCardInfo      *selectedCard    `json:"selected_card_info,omitempty"`
	PaymentActionDetails  []actionResponse `json:"payment_action_details"`
}

// selectedCard is order's selected_card_info, present only for CARD.
type selectedCard struct {
	CardBin             string `json:"card_bin"`
	InstallMonth        int64  `json:"install_month"`
	InstallmentType     string `json:"installment_type"`
	CardCorpName        string `json:"card_corp_name"`
	InterestFreeInstall string `json:"interest_free_install"`
}

// actionResponse is one payment_action_details entry.
type actionResponse struct {
	AID               string `json:"aid"`
	ApprovedAt        string `json:"approved_at"`
	Amount            int64  `json:"amount"`
	PointAmount       int64  `json:"point_amount"`
	DiscountAmount    int64  `json:"discount_amount"`
	GreenDeposit      int64  `json:"green_deposit"`
	PaymentActionType string `json:"payment_action_type"`
	Payload           string `json:"payload"`
}

// order reports a payment's state. It is the call clients make when an
// approve or cancel outcome is unknown, so it must tell the truth: an
// approve whose response was lost shows here as SUCCESS_PAYMENT.
func (s *Sandbox) order(_ *http.Request, in params) (any, *apiError) {
	f := newFields(in)
	cid := f.Str("cid", true, 0)
	tid := f.Str("tid", true, 0)
	p, err := s.lockPayment(f, cid, tid)
	if err != nil {
		return nil, err
	}
	defer s.mu.Unlock()

	resp := &orderResponse{
		paymentHead:           p.head(),
		Status:                p.status,
		CanceledAmount:        p.canceled,
		CancelAvailableAmount: p.cancellable(),
		ApprovedAt:            sandbox.OptTime(p.approvedAt, kakaoTime),
		CanceledAt:            sandbox.OptTime(p.canceledAt, kakaoTime),
		PaymentActionDetails:  []actionResponse{},
	}
	if p.method != "" {
		m := p.method
		resp.PaymentMethodType = &m
	}
	if p.method == methodCard {
		resp.SelectedCardInfo = &selectedCard{
			CardBin:             testCardBin,
			InstallMonth:        p.installMonth,
			InstallmentType:     "CARD_INSTALLMENT",
			CardCorpName:        testCardCorp,
			InterestFreeInstall: "N",
		}
	}
	for _, a := range p.actions {
		resp.PaymentActionDetails = append(resp.PaymentActionDetails, actionResponse{
			AID:               a.aid,
			ApprovedAt:        kakaoTime(a.at),
			Amount:            a.amount.Total,
			PointAmount:       a.amount.Point,
			DiscountAmount:    a.amount.Discount,
			GreenDeposit:      a.amount.GreenDeposit,
			PaymentActionType: a.kind,
			Payload:           a.payload,
		})
	}
	return resp, nil
}
