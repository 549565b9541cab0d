package console

import (
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paybridge/paybridge/internal/httpapi"
	"github.com/paybridge/paybridge/internal/payment"
)

type merchantRow struct {
	M    *payment.Merchant
	Keys []*payment.APIKey
}

type merchantsView struct {
	Merchants []merchantRow
	CanCreate bool // only an owner of every merchant creates merchants
}

// handleMerchants lists the merchants the owner sees, with their keys
// (prefixes only: keys are stored as hashes).
func (c *Console) handleMerchants(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	ms, err := c.st.FindMerchants(r.Context())
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	v := merchantsView{CanCreate: rc.merchantScope() == ""}
	for _, m := range ms {
		if !rc.Op.Sees(m.ID) {
			continue
		}
		ks, err := c.st.FindAPIKeys(r.Context(), m.ID)
		if err != nil {
			c.fail(w, r, rc, err)
			return
		}
		v.Merchants = append(v.Merchants, merchantRow{M: m, Keys: ks})
	}
	c.render(w, r, rc, http.StatusOK, "merchants", "Merchants and API keys", v)
}

func (c *Console) handleMerchantCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	if rc.merchantScope() != "" {
		c.renderError(w, r, rc, http.StatusForbidden, "Your role does not allow this.")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || utf8.RuneCountInString(name) > 100 {
		c.renderError(w, r, rc, http.StatusBadRequest, "A merchant needs a name of at most 100 characters.")
		return
	}
	m := &payment.Merchant{ID: payment.NewID("mer", c.now()), Name: name}
	if err := c.st.CreateMerchant(r.Context(), m); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	c.audit(r.Context(), r, rc.Op, "", m.ID, "merchant_created", m.ID, name)
	back(w, r, "/console/merchants", "merchant.created")
}

func (c *Console) handleKeyCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx, mid string) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if utf8.RuneCountInString(name) > 100 {
		c.renderError(w, r, rc, http.StatusBadRequest, "A key's name may be at most 100 characters.")
		return
	}
	key, rec := httpapi.NewAPIKey(mid, name, r.PostFormValue("live") == "yes", c.now())
	if err := c.st.CreateAPIKey(r.Context(), rec); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	c.audit(r.Context(), r, rc.Op, "", mid, "api_key_created", rec.ID, rec.Prefix+"… "+name)
	c.showSecret(w, r, rc, secretView{Kind: "key", ID: rec.ID, Label: name, Secret: key, Back: "/console/merchants"})
}

func (c *Console) handleKeyRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx, mid string) {
	keyID := r.PathValue("key")
	if err := c.st.RevokeAPIKey(r.Context(), mid, keyID); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	c.audit(r.Context(), r, rc.Op, "", mid, "api_key_revoked", keyID, "")
	back(w, r, "/console/merchants", "key.revoked")
}

type operatorsView struct {
	Operators []*payment.Operator
	Merchants []option
	Roles     []string
	Now       time.Time
	Error     string
}

func (c *Console) handleOperators(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	c.renderOperators(w, r, rc, http.StatusOK, "")
}

func (c *Console) renderOperators(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errMsg string) {
	ops, err := c.st.FindOperators(r.Context())
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	v := operatorsView{Roles: payment.Roles, Now: c.now(), Error: errMsg}
	for _, o := range ops {
		if rc.merchantScope() == "" || o.MerchantID == rc.merchantScope() {
			v.Operators = append(v.Operators, o)
		}
	}
	if v.Merchants, err = c.merchantOptions(r, rc, ""); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	c.render(w, r, rc, status, "operators", "Operators", v)
}

// NewOperator checks and builds an operator; the CLI and the console both
// create operators through it. merchantID "" means every merchant.
func NewOperator(email, role, merchantID, password string, now time.Time) (*payment.Operator, error) {
	email = normalizeEmail(email)
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email || len(email) > 254 {
		return nil, payment.Errorf(payment.EINVALID, "%q is not an email address", truncate(email, 64))
	}
	if !slices.Contains(payment.Roles, role) {
		return nil, payment.Errorf(payment.EINVALID, "role must be one of %s", strings.Join(payment.Roles, ", "))
	}
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return nil, err
	}
	return &payment.Operator{ID: payment.NewID("op", now), Email: email, PasswordHash: hash, Role: role, MerchantID: merchantID}, nil
}

func (c *Console) handleOperatorCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	mid := strings.TrimSpace(r.PostFormValue("merchant"))
	if scope := rc.merchantScope(); scope != "" {
		mid = scope // a merchant's owner creates operators of that merchant only
	} else if mid != "" {
		if _, err := c.st.FindMerchantByID(r.Context(), mid); err != nil {
			c.fail(w, r, rc, err)
			return
		}
	}
	pw := GeneratePassword()
	op, err := NewOperator(r.PostFormValue("email"), r.PostFormValue("role"), mid, pw, c.now())
	if err == nil {
		err = c.st.CreateOperator(r.Context(), op)
	}
	if err != nil {
		if code := payment.ErrorCode(err); code == payment.EINVALID || code == payment.ECONFLICT {
			c.renderOperators(w, r, rc, http.StatusBadRequest, payment.ErrorMessage(err))
			return
		}
		c.fail(w, r, rc, err)
		return
	}
	c.audit(r.Context(), r, rc.Op, "", mid, "operator_created", op.ID, op.Email+" ("+op.Role+")")
	c.showSecret(w, r, rc, secretView{Kind: "password", ID: op.ID, Label: op.Email, Secret: pw, Back: "/console/operators"})
}

func (c *Console) handleOperatorStatus(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	id := r.PathValue("id")
	target, err := c.st.FindOperatorByID(r.Context(), id)
	if err == nil && rc.merchantScope() != "" && target.MerchantID != rc.merchantScope() {
		err = payment.Errorf(payment.ENOTFOUND, "operator not found")
	}
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	if target.ID == rc.Op.ID {
		c.renderError(w, r, rc, http.StatusConflict, "You cannot disable yourself.")
		return
	}
	disable := r.PostFormValue("status") == "disabled"
	if err := c.st.SetOperatorDisabled(r.Context(), id, disable); err != nil {
		c.fail(w, r, rc, err)
		return
	}
	action := "operator_enabled"
	if disable {
		action = "operator_disabled"
	}
	c.audit(r.Context(), r, rc.Op, "", target.MerchantID, action, id, target.Email)
	back(w, r, "/console/operators", strings.TrimPrefix(action, "operator_")+".operator")
}

type auditView struct {
	Entries []*payment.AuditEntry
	NextURL string
}

// handleAudit shows the audit log, newest first; an operator limited to a
// merchant sees that merchant's entries.
func (c *Console) handleAudit(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	const pageSize = 100
	es, err := c.st.FindAudit(r.Context(), payment.AuditFilter{MerchantID: rc.merchantScope(),
		BeforeID: r.URL.Query().Get("before"), Limit: pageSize + 1})
	if err != nil {
		c.fail(w, r, rc, err)
		return
	}
	v := auditView{Entries: es}
	if len(es) > pageSize {
		v.Entries = es[:pageSize]
		v.NextURL = "/console/audit?before=" + es[pageSize-1].ID
	}
	c.render(w, r, rc, http.StatusOK, "audit", "Audit log", v)
}
