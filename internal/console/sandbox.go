package console

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/sandbox"
)

// hiddenInput finds the sandbox windows' hidden fields (PortOne V1's
// imp_uid); the windows are paybridge's own plain forms.
var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// handleSandboxAction presses the approve, cancel or fail button of the
// sandbox window a test payment waits in, the way the buyer would: it opens
// the window, posts its form, and follows the window's redirect to
// paybridge's return route, which finishes the payment as for a buyer. All
// of it runs in-process through paybridge's own handler.
func (c *Console) handleSandboxAction(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	p, err := c.findPayment(r, rc, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	action := r.PostFormValue("action")
	page := "/console/payments/" + p.ID
	switch {
	case action != "approve" && action != "cancel" && action != "fail":
		c.renderError(w, r, rc, http.StatusBadRequest, "Unknown test action.")
		return
	case !c.opts.Sandboxes[p.Provider] || c.opts.Self == nil:
		c.renderError(w, r, rc, http.StatusConflict, "This payment's provider is not a sandbox: the console cannot press its buttons.")
		return
	case p.Status != payment.StatusReady || p.RedirectPC == "":
		back(w, r, page, "sandbox.not_waiting")
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 30*time.Second)
	defer cancel()
	err = c.pressWindowButton(ctx, p, action)
	notice := "sandbox.done"
	detail := action
	if err != nil {
		c.log.Warn("console sandbox action failed", "payment_id", p.ID, "action", action, "error", err)
		notice, detail = "sandbox.failed", action+": "+err.Error()
	}
	if np, ferr := c.st.FindPaymentByID(ctx, p.ID); ferr == nil {
		detail += " → " + string(np.Status)
	}
	c.audit(ctx, r, rc.Op, "", p.MerchantID, "sandbox_"+action, p.ID, detail)
	back(w, r, page, notice)
}

func (c *Console) pressWindowButton(ctx context.Context, p *payment.Payment, action string) error {
	returnPrefix := "/pay/" + p.ID + "/"
	client := &http.Client{
		Transport: sandbox.Transport(c.opts.Self),
		// Follow the window's redirect to paybridge's return route only:
		// where the buyer goes after that (the shop) does not matter here.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) == 1 && strings.HasPrefix(req.URL.Path, returnPrefix) {
				return nil
			}
			return http.ErrUseLastResponse
		},
	}
	get, err := http.NewRequestWithContext(ctx, http.MethodGet, p.RedirectPC, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(get)
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the sandbox window answered %d", resp.StatusCode)
	}
	form := url.Values{"action": {action}}
	for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
		form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	post, err := http.NewRequestWithContext(ctx, http.MethodPost, p.RedirectPC, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(post)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("the sandbox window answered %d", resp.StatusCode)
	}
	return nil
}
