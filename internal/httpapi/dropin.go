package httpapi

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
)

// The drop-in API answers the original sample's web client, which posts
// form fields and reads KakaoPay's own JSON. Behind it these are ordinary
// payments: the amount is computed here (from the price list when there is
// one, dropin_prices.go), the tid must belong to the user.

var kst = time.FixedZone("KST", 9*3600)

// kakaoTime formats a time the way KakaoPay does: KST, no offset.
func kakaoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(kst).Format("2006-01-02T15:04:05")
}

type dropInReadyJSON struct {
	TID                   string `json:"tid"`
	NextRedirectAppURL    string `json:"next_redirect_app_url"`
	NextRedirectMobileURL string `json:"next_redirect_mobile_url"`
	NextRedirectPCURL     string `json:"next_redirect_pc_url"`
	CreatedAt             string `json:"created_at"`
}

type dropInAmountJSON struct {
	Total   int64 `json:"total"`
	TaxFree int64 `json:"tax_free"`
}

type dropInApproveJSON struct {
	AID               string           `json:"aid"`
	TID               string           `json:"tid"`
	CID               string           `json:"cid"`
	PartnerOrderID    string           `json:"partner_order_id"`
	PartnerUserID     string           `json:"partner_user_id"`
	PaymentMethodType string           `json:"payment_method_type"`
	Amount            dropInAmountJSON `json:"amount"`
	ItemName          string           `json:"item_name"`
	Quantity          int64            `json:"quantity"`
	CreatedAt         string           `json:"created_at"`
	ApprovedAt        string           `json:"approved_at"`
}

// parseForm reads an urlencoded or multipart form of at most MaxBodyBytes.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	ct := r.Header.Get("Content-Type")
	var err error
	if strings.HasPrefix(ct, "multipart/form-data") {
		err = r.ParseMultipartForm(MaxBodyBytes)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return payment.Errorf(payment.ETOOLARGE, "request body must be at most %d bytes", MaxBodyBytes)
		}
		return payment.Errorf(payment.EINVALID, "malformed form body")
	}
	return nil
}

func formInt(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return 0, payment.Errorf(payment.EINVALID, "%s is required", name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, payment.Errorf(payment.EINVALID, "%s must be a whole number of won within range", name)
	}
	return n, nil
}

func (a *API) handleDropInReady(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	product := r.PostFormValue("product")
	price, err := a.dropInPrice(r, product)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	quantity, err := formInt(r, "quantity")
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	p, err := a.svc.DropInReady(r.Context(), a.dropIn.MerchantID, a.dropIn.URLs,
		r.PostFormValue("userId"), product, price, quantity)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	WriteJSON(w, http.StatusOK, dropInReadyJSON{
		TID: p.ProviderTID, NextRedirectAppURL: p.RedirectApp, NextRedirectMobileURL: p.RedirectMobile,
		NextRedirectPCURL: p.RedirectPC, CreatedAt: kakaoTime(p.CreatedAt),
	})
}

func (a *API) handleDropInApprove(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(w, r); err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	userID, token, tid := r.PostFormValue("userId"), r.PostFormValue("pg_token"), r.PostFormValue("tid")
	if userID == "" || token == "" || tid == "" {
		WriteError(w, r, a.log, payment.Errorf(payment.EINVALID, "userId, pg_token and tid are required"))
		return
	}
	p, err := a.svc.DropInApprove(r.Context(), a.dropIn.MerchantID, userID, token, tid)
	if err != nil {
		WriteError(w, r, a.log, err)
		return
	}
	switch {
	case p.Status.Settled():
	case p.Status == payment.StatusApproving:
		WriteError(w, r, a.log, payment.Errorf(payment.EUPSTREAM, "the payment is not confirmed yet; paybridge is asking KakaoPay"))
		return
	default:
		msg := "the payment was not approved (" + string(p.Status) + ")"
		if p.FailureMessage != "" {
			msg += ": " + p.FailureMessage
		}
		WriteError(w, r, a.log, payment.Errorf(payment.EDECLINED, "%s", msg))
		return
	}
	WriteJSON(w, http.StatusOK, dropInApproveJSON{
		AID: p.ProviderApprovalID, TID: p.ProviderTID, CID: p.ProviderCID, PartnerOrderID: p.ProviderOrderID,
		PartnerUserID: p.ProviderUserID, PaymentMethodType: p.ProviderMethodType,
		Amount:   dropInAmountJSON{Total: p.Amount, TaxFree: p.TaxFreeAmount},
		ItemName: p.OrderName, Quantity: p.Quantity,
		CreatedAt: kakaoTime(p.CreatedAt), ApprovedAt: kakaoTime(p.ApprovedAt),
	})
}

// cors allows the configured origins to call the drop-in API from a
// browser. A nil next answers a preflight.
func (a *API) cors(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		w.Header().Add("Vary", "Origin")
		allowed := origin != "" && slices.Contains(a.dropIn.CORSOrigins, origin)
		if allowed {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
			w.Header().Set("Access-Control-Max-Age", "600")
		}
		if next == nil {
			if !allowed {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next(w, r)
	}
}
