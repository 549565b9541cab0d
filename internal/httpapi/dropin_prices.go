package httpapi

import (
	"net/http"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
)

// dropInPrice is the unit price POST /ready charges for product.
//
// The original sample's form posts the price, so without a price list
// (PAYBRIDGE_DROPIN_PRICES) the browser's price is taken: anyone can then
// buy anything for 1 won, which is why live mode refuses to mount the
// drop-in without a list (config) and test mode warns. With a list, the
// list's price is charged and the browser's is only compared with it: a
// product not on the list, or a price that differs, is refused rather than
// silently corrected, so a tampered form or a shop page showing a stale
// price never charges the buyer an amount the page did not show. A form
// without a price takes the list's.
func (a *API) dropInPrice(r *http.Request, product string) (int64, error) {
	if a.dropIn.Prices == nil {
		return formInt(r, "price")
	}
	listed, ok := a.dropIn.Prices[product]
	if !ok {
		return 0, payment.Errorf(payment.EINVALID, "product %q is not for sale here", product)
	}
	if strings.TrimSpace(r.PostFormValue("price")) == "" {
		return listed, nil
	}
	price, err := formInt(r, "price")
	if err != nil {
		return 0, err
	}
	if price != listed {
		return 0, payment.Errorf(payment.EINVALID, "the price of %q is %d won, not %d", product, listed, price)
	}
	return listed, nil
}
