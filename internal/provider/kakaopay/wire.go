package kakaopay

import "github.com/paybridge/paybridge/internal/provider"

// Wire structs mirror KakaoPay's field names (docs/providers.md §1.2–§1.6), which
// are the same in both generations. Request structs are encoded as JSON or,
// for the legacy API, as a form built from the same json tags (formValues),
// so they may hold only strings and integers. Fields paybridge does not send
// are left out rather than declared unused.
//
// Required fields never carry omitempty: KakaoPay wants tax_free_amount and
// cancel_tax_free_amount even when they are 0 (docs/providers.md §5.7).

// readyRequest is the body of POST …/payment/ready.
type readyRequest struct {
	CID            string `json:"cid"`
	PartnerOrderID string `json:"partner_order_id"`
	PartnerUserID  string `json:"partner_user_id"`
	ItemName       string `json:"item_name"`
	Quantity       int64  `json:"quantity"`
	TotalAmount    int64  `json:"total_amount"`
	TaxFreeAmount  int64  `json:"tax_free_amount"`
	ApprovalURL    string `json:"approval_url"`
	CancelURL      string `json:"cancel_url"`
	FailURL        string `json:"fail_url"`
}

// readyResponse is KakaoPay's answer to ready.
type readyResponse struct {
	TID                   string    `json:"tid"`
	NextRedirectAppURL    string    `json:"next_redirect_app_url"`
	NextRedirectMobileURL string    `json:"next_redirect_mobile_url"`
	NextRedirectPCURL     string    `json:"next_redirect_pc_url"`
	AndroidAppScheme      string    `json:"android_app_scheme"`
	IOSAppScheme          string    `json:"ios_app_scheme"`
	CreatedAt             kakaoTime `json:"created_at"`
}

// approveRequest is the body of POST …/payment/approve.
type approveRequest struct {
	CID            string `json:"cid"`
	TID            string `json:"tid"`
	PartnerOrderID string `json:"partner_order_id"`
	PartnerUserID  string `json:"partner_user_id"`
	PGToken        string `json:"pg_token"`
	// TotalAmount is optional for KakaoPay, but when sent it must equal
	// ready's total: a second, provider-side guard against a tampered amount.
	TotalAmount int64 `json:"total_amount"`
}

// amount is KakaoPay's amount breakdown, used for the total, cancelled and
// cancelable amounts alike.
type amount struct {
	Total        int64 `json:"total"`
	TaxFree      int64 `json:"tax_free"`
	VAT          int64 `json:"vat"`
	Point        int64 `json:"point"`
	Discount     int64 `json:"discount"`
	GreenDeposit int64 `json:"green_deposit"`
}

// cardInfo is present in an approve response when the buyer paid by card.
// paybridge does not use it (ProviderPayment has no card fields), so its
// fields are looseStrings: a card detail sent as a number instead of a string
// must not fail the decode of a successful approval.
type cardInfo struct {
	KakaopayPurchaseCorp     looseString `json:"kakaopay_purchase_corp"`
	KakaopayPurchaseCorpCode looseString `json:"kakaopay_purchase_corp_code"`
	KakaopayIssuerCorp       looseString `json:"kakaopay_issuer_corp"`
	KakaopayIssuerCorpCode   looseString `json:"kakaopay_issuer_corp_code"`
	BIN                      looseString `json:"bin"`
	CardType                 looseString `json:"card_type"`
	InstallMonth             looseString `json:"install_month"`
	ApprovedID               looseString `json:"approved_id"`
	CardMID                  looseString `json:"card_mid"`
	InterestFreeInstall      looseString `json:"interest_free_install"`
	InstallmentType          looseString `json:"installment_type"`
	CardItemCode             looseString `json:"card_item_code"`
}

// approveResponse is KakaoPay's answer to a successful approve.
type approveResponse struct {
	AID               string    `json:"aid"`
	TID               string    `json:"tid"`
	CID               string    `json:"cid"`
	SID               string    `json:"sid"`
	PartnerOrderID    string    `json:"partner_order_id"`
	PartnerUserID     string    `json:"partner_user_id"`
	PaymentMethodType string    `json:"payment_method_type"`
	Amount            amount    `json:"amount"`
	CardInfo          *cardInfo `json:"card_info"`
	ItemName          string    `json:"item_name"`
	ItemCode          string    `json:"item_code"`
	Quantity          int64     `json:"quantity"`
	CreatedAt         kakaoTime `json:"created_at"`
	ApprovedAt        kakaoTime `json:"approved_at"`
	Payload           string    `json:"payload"`
}

// orderRequest is the body of POST …/payment/order (POST, not GET, in both
// generations).
type orderRequest struct {
	CID string `json:"cid"`
	TID string `json:"tid"`
}

// selectedCardInfo is the card the buyer chose, in an order response. Loose
// for the same reason as cardInfo.
type selectedCardInfo struct {
	CardBIN             looseString `json:"card_bin"`
	InstallMonth        looseString `json:"install_month"`
	InstallmentType     looseString `json:"installment_type"`
	CardCorpName        looseString `json:"card_corp_name"`
	InterestFreeInstall looseString `json:"interest_free_install"`
}

// Payment action types of payment_action_details.
const (
	actionPayment   = "PAYMENT"
	actionCancel    = "CANCEL"
	actionIssuedSID = "ISSUED_SID"
)

// paymentAction is one approval or cancellation in an order's history.
type paymentAction struct {
	AID               string    `json:"aid"`
	ApprovedAt        kakaoTime `json:"approved_at"`
	Amount            int64     `json:"amount"`
	PointAmount       int64     `json:"point_amount"`
	DiscountAmount    int64     `json:"discount_amount"`
	GreenDeposit      int64     `json:"green_deposit"`
	PaymentActionType string    `json:"payment_action_type"`
	Payload           string    `json:"payload"`
}

// paymentState is what order and cancel responses both report about a
// payment: its status and its amounts so far.
type paymentState struct {
	TID                   string    `json:"tid"`
	CID                   string    `json:"cid"`
	Status                string    `json:"status"`
	PartnerOrderID        string    `json:"partner_order_id"`
	PartnerUserID         string    `json:"partner_user_id"`
	PaymentMethodType     string    `json:"payment_method_type"`
	Amount                amount    `json:"amount"`
	CanceledAmount        amount    `json:"canceled_amount"`
	CancelAvailableAmount amount    `json:"cancel_available_amount"`
	ItemName              string    `json:"item_name"`
	ItemCode              string    `json:"item_code"`
	Quantity              int64     `json:"quantity"`
	CreatedAt             kakaoTime `json:"created_at"`
	ApprovedAt            kakaoTime `json:"approved_at"`
	CanceledAt            kakaoTime `json:"canceled_at"`
}

// orderResponse is KakaoPay's answer to order.
type orderResponse struct {
	paymentState
	SelectedCardInfo     *selectedCardInfo `json:"selected_card_info"`
	PaymentActionDetails []paymentAction   `json:"payment_action_details"`
}

// cancelRequest is the body of POST …/payment/cancel.
type cancelRequest struct {
	CID                 string `json:"cid"`
	TID                 string `json:"tid"`
	CancelAmount        int64  `json:"cancel_amount"`
	CancelTaxFreeAmount int64  `json:"cancel_tax_free_amount"`
	// CancelAvailableAmount is what paybridge believes is still cancelable,
	// this refund included. KakaoPay rejects the cancel if its own remainder
	// differs, so a retried or stale refund cannot refund twice.
	CancelAvailableAmount int64 `json:"cancel_available_amount"`
}

// cancelResponse is KakaoPay's answer to a successful cancel.
type cancelResponse struct {
	paymentState
	AID                  string `json:"aid"`
	ApprovedCancelAmount amount `json:"approved_cancel_amount"` // this refund alone
	Payload              string `json:"payload"`
}

// looseString is provider.LooseString: a scalar of a type the public
// material does not pin down, kept as text.
type looseString = provider.LooseString
