package kakaopay

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// Content types per generation (docs/providers.md §1.1).
const (
	contentTypeJSON = "application/json"
	contentTypeForm = "application/x-www-form-urlencoded;charset=utf-8"
)

// KakaoPay API operations; each is the last path segment of its endpoint.
const (
	opReady   = "ready"
	opApprove = "approve"
	opOrder   = "order"
	opCancel  = "cancel"
)

// Client talks to KakaoPay's single-payment API, either generation. It
// implements payment.Provider and is safe for concurrent use.
type Client struct {
	generation string
	key        string // kept only to redact it from anything KakaoPay echoes
	cid        string
	t          *provider.Transport
}

var _ payment.Provider = (*Client)(nil)

// New validates c and returns a client for the generation its key selects.
func New(c Config) (*Client, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	cl := &Client{generation: c.Generation(), cid: c.CID}
	auth, baseURL := "", c.BaseURL
	if cl.generation == GenerationCurrent {
		cl.key, auth = c.SecretKey, "SECRET_KEY "+c.SecretKey
		if baseURL == "" {
			baseURL = DefaultCurrentBaseURL
		}
	} else {
		cl.key, auth = c.AdminKey, "KakaoAK "+c.AdminKey
		if baseURL == "" {
			baseURL = DefaultLegacyBaseURL
		}
	}
	if cl.cid == "" {
		cl.cid = DefaultCID
	}
	cl.t = provider.NewTransport(provider.Transport{
		Provider: payment.ProviderKakaoPay, Label: "KakaoPay", BaseURL: baseURL,
		HTTP: c.HTTPClient, Log: c.Logger, LogExtra: []any{"generation", cl.generation},
		Auth: auth, Secrets: []string{cl.key}, Encode: cl.encode,
		LookupOp: opOrder,
	})
	return cl, nil
}

// Name is the provider's name in paybridge, "kakaopay".
func (c *Client) Name() string { return payment.ProviderKakaoPay }

// Finishing implements payment.Provider: KakaoPay's approve moves the money,
// refuses a repeat with -702, and the tid dies with its 15-minute window.
func (c *Client) Finishing() payment.Finishing { return payment.Finishing{} }

// Generation is GenerationCurrent or GenerationLegacy.
func (c *Client) Generation() string { return c.generation }

// path is the path of op's endpoint for this client's generation.
func (c *Client) path(op string) string {
	if c.generation == GenerationCurrent {
		return "/online/v1/payment/" + op
	}
	return "/v1/payment/" + op
}

// endpoint is the URL of op for this client's generation.
func (c *Client) endpoint(op string) string { return c.t.BaseURL + c.path(op) }

// call POSTs in to op's endpoint and decodes a 2xx answer into out. Every
// failure comes back as a classified *payment.Error; see errors.go. call
// never retries: whether that is safe depends on op.
func (c *Client) call(ctx context.Context, op, paymentID string, in, out any) error {
	return c.t.JSON(ctx, provider.Call{Op: op, Method: http.MethodPost, Path: c.path(op), PaymentID: paymentID, Body: in},
		func(status int, body []byte) error { return c.classify(op, status, body) }, out)
}

// encode renders a request struct as this generation expects it: JSON for
// the current API, a form for the legacy one. Both come from the same struct,
// so the two generations can never send different fields.
func (c *Client) encode(in any) (body []byte, contentType string, err error) {
	if c.generation == GenerationCurrent {
		body, err = json.Marshal(in)
		return body, contentTypeJSON, err
	}
	form, err := formValues(in)
	if err != nil {
		return nil, "", err
	}
	return []byte(form.Encode()), contentTypeForm, nil
}

// formValues turns a flat request struct into form values named after its
// json tags; integers become decimal strings. Only the kinds the request
// structs use are supported, so a new field of another kind fails loudly in
// tests instead of silently vanishing from legacy requests.
func formValues(in any) (url.Values, error) {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("kakaopay: form encoding of %T", in)
	}
	form := url.Values{}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			return nil, fmt.Errorf("kakaopay: field %s of %T has no json name", f.Name, in)
		}
		fv := v.Field(i)
		if opts == "omitempty" && fv.IsZero() {
			continue
		}
		switch fv.Kind() {
		case reflect.String:
			form.Set(name, fv.String())
		case reflect.Int, reflect.Int64:
			form.Set(name, strconv.FormatInt(fv.Int(), 10))
		default:
			return nil, fmt.Errorf("kakaopay: field %s of %T: unsupported kind %s", f.Name, in, fv.Kind())
		}
	}
	return form, nil
}
