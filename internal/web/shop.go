package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// providerOption is one provider the demo shop offers.
type providerOption struct {
	Name, Label string
	Checked     bool
}

var providerLabels = map[string]string{
	payment.ProviderKakaoPay: "KakaoPay",
	payment.ProviderPortOne:  "PortOne (V2)",
	payment.ProviderIamport:  "PortOne V1 (iamport)",
	payment.ProviderToss:     "Toss Payments",
}

func (s *Site) providerOptions(chosen string) []providerOption {
	var opts []providerOption
	for i, name := range s.opts.Providers {
		opts = append(opts, providerOption{Name: name, Label: providerLabels[name],
			Checked: name == chosen || (chosen == "" && i == 0)})
	}
	return opts
}

func (s *Site) handleShop(w http.ResponseWriter, r *http.Request) {
	s.render(w, http.StatusOK, "shop.html", page{Title: "paybridge demo shop", Providers: s.providerOptions(""), CSRF: s.csrfToken(w, r),
		Form: map[string]string{"buyer": "buyer-1", "product": "Americano", "price": "4500", "quantity": "2"}})
}

// handleShopCheckout is the sample's form done right: the total is computed here
// with an overflow check, and the browser only ever learns the provider's URL.
func (s *Site) handleShopCheckout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"buyer", "product", "price", "quantity", "provider"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	if form["provider"] == "" {
		form["provider"] = payment.ProviderKakaoPay
	}
	fail := func(msg string) {
		s.render(w, http.StatusBadRequest, "shop.html", page{Title: "paybridge demo shop", Error: msg, Form: form,
			Providers: s.providerOptions(form["provider"]), CSRF: s.csrfToken(w, r)})
	}
	if !checkCSRF(r) {
		s.log.Warn("demo checkout without a valid CSRF token", "path", r.URL.Path)
		s.render(w, http.StatusForbidden, "shop.html", page{Title: "paybridge demo shop", Form: form,
			Error:     "This form has expired or did not come from this shop: reload the page and try again.",
			Providers: s.providerOptions(form["provider"]), CSRF: s.csrfToken(w, r)})
		return
	}
	if !slices.Contains(s.opts.Providers, form["provider"]) {
		fail("Choose one of the payment providers offered.")
		return
	}
	price, err := strconv.ParseInt(form["price"], 10, 64)
	if err != nil || price < 1 {
		fail("Unit price must be a whole number of won, at least 1.")
		return
	}
	qty, err := strconv.ParseInt(form["quantity"], 10, 64)
	if err != nil || qty < 1 || qty > payment.MaxQuantity {
		fail("Quantity must be a whole number between 1 and " + formatWon(payment.MaxQuantity) + ".")
		return
	}
	total, ok := payment.MulAmount(price, qty)
	if !ok || total > payment.MaxAmount {
		fail("The total (unit price × quantity) must be at most " + formatWon(payment.MaxAmount) + " won.")
		return
	}
	p, err := s.svc.CreatePayment(r.Context(), s.opts.MerchantID, service.CreateInput{
		Provider:   form["provider"],
		Channel:    payment.ChannelDemo,
		OrderID:    payment.NewID("ord", s.svc.Now()),
		OrderName:  form["product"],
		CustomerID: form["buyer"],
		Amount:     total,
		Quantity:   qty,
	})
	if err != nil {
		if payment.ErrorCode(err) != payment.EINVALID {
			s.log.Error("demo checkout failed", "error", err)
		}
		fail(payment.ErrorMessage(err))
		return
	}
	target := p.RedirectPC
	if strings.Contains(r.UserAgent(), "Mobi") && p.RedirectMobile != "" {
		target = p.RedirectMobile
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
