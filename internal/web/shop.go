package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/i18n"
	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/service"
)

// providerOption is one provider the demo shop offers.
type providerOption struct {
	Name, Label string
	Checked     bool
}

func (s *Site) providerOptions(m map[string]string, chosen string) []providerOption {
	var opts []providerOption
	for i, name := range s.opts.Providers {
		opts = append(opts, providerOption{Name: name, Label: m["prov_"+name],
			Checked: name == chosen || (chosen == "" && i == 0)})
	}
	return opts
}

func (s *Site) handleShop(w http.ResponseWriter, r *http.Request) {
	lang := i18n.FromRequest(nil, r)
	m := text.For(lang)
	product := "아메리카노"
	if lang == i18n.English {
		product = "Americano"
	}
	s.render(w, r, http.StatusOK, "shop.html", page{TitleKey: "shop_title", Providers: s.providerOptions(m, ""), CSRF: s.csrfToken(w, r),
		Form: map[string]string{"buyer": "buyer-1", "product": product, "price": "6000", "quantity": "2"}})
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
	m := text.For(i18n.FromRequest(nil, r))
	fail := func(msg string) {
		s.render(w, r, http.StatusBadRequest, "shop.html", page{TitleKey: "shop_title", Error: msg, Form: form,
			Providers: s.providerOptions(m, form["provider"]), CSRF: s.csrfToken(w, r)})
	}
	if !checkCSRF(r) {
		s.log.Warn("demo checkout without a valid CSRF token", "path", r.URL.Path)
		s.render(w, r, http.StatusForbidden, "shop.html", page{TitleKey: "shop_title", Form: form, Error: m["err_csrf"],
			Providers: s.providerOptions(m, form["provider"]), CSRF: s.csrfToken(w, r)})
		return
	}
	if !slices.Contains(s.opts.Providers, form["provider"]) {
		fail(m["err_provider"])
		return
	}
	price, err := strconv.ParseInt(form["price"], 10, 64)
	if err != nil || price < 1 {
		fail(m["err_price"])
		return
	}
	qty, err := strconv.ParseInt(form["quantity"], 10, 64)
	if err != nil || qty < 1 || qty > payment.MaxQuantity {
		fail(fmt.Sprintf(m["err_quantity"], formatWon(payment.MaxQuantity)))
		return
	}
	total, ok := payment.MulAmount(price, qty)
	if !ok || total > payment.MaxAmount {
		fail(fmt.Sprintf(m["err_total"], i18n.Won(payment.MaxAmount)))
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
