package kakaopay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/paybridge/paybridge/internal/payment"
	"github.com/paybridge/paybridge/internal/provider"
)

// maxResponseBody bounds what is read from KakaoPay. Real answers are a few
// kilobytes; anything larger is not a KakaoPay answer.
const maxResponseBody = 1 << 20

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
	auth       string // the whole Authorization header value
	key        string // kept only to redact it from anything KakaoPay echoes
	cid        string
	baseURL    string // without a trailing slash; any path prefix kept
	http       *http.Client
	log        *slog.Logger
	// lookupBackoff are the pauses before each lookup retry; its length is
	// the number of retries. A field so that tests can shorten it.
	lookupBackoff []time.Duration
}

var _ payment.Provider = (*Client)(nil)

// New validates c and returns a client for the generation its key selects.
func New(c Config) (*Client, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	cl := &Client{
		generation:    c.Generation(),
		cid:           c.CID,
		baseURL:       c.BaseURL,
		http:          c.HTTPClient,
		log:           c.Logger,
		lookupBackoff: []time.Duration{100 * time.Millisecond, 300 * time.Millisecond},
	}
	if cl.generation == GenerationCurrent {
		cl.key, cl.auth = c.SecretKey, "SECRET_KEY "+c.SecretKey
		if cl.baseURL == "" {
			cl.baseURL = DefaultCurrentBaseURL
		}
	} else {
		cl.key, cl.auth = c.AdminKey, "KakaoAK "+c.AdminKey
		if cl.baseURL == "" {
			cl.baseURL = DefaultLegacyBaseURL
		}
	}
	cl.baseURL = strings.TrimRight(cl.baseURL, "/")
	if cl.cid == "" {
		cl.cid = DefaultCID
	}
	if cl.http == nil {
		cl.http = provider.NewHTTPClient()
	}
	if cl.log == nil {
		cl.log = slog.New(slog.DiscardHandler)
	}
	return cl, nil
}

// Name is the provider's name in paybridge, "kakaopay".
func (c *Client) Name() string { return payment.ProviderKakaoPay }

// Finishing implements payment.Provider: KakaoPay's approve moves the money,
// refuses a repeat with -702, and the tid dies with its 15-minute window.
func (c *Client) Finishing() payment.Finishing { return payment.Finishing{} }

// Generation is GenerationCurrent or GenerationLegacy.
func (c *Client) Generation() string { return c.generation }

// endpoint is the URL of op for this client's generation.
func (c *Client) endpoint(op string) string {
	if c.generation == GenerationCurrent {
		return c.baseURL + "/online/v1/payment/" + op
	}
	return c.baseURL + "/v1/payment/" + op
}

// call POSTs in to op's endpoint and decodes a 2xx answer into out. Every
// failure comes back as a classified *payment.Error; see errors.go. call
// never retries: whether that is safe depends on op.
func (c *Client) call(ctx context.Context, op, paymentID string, in, out any) error {
	start := time.Now()
	body, contentType, err := c.encode(in)
	if err != nil {
		// Nothing was sent, so nothing happened at KakaoPay.
		return payment.Wrap(payment.EINTERNAL, err, "could not encode the KakaoPay %s request", op)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint(op), bytes.NewReader(body))
	if err != nil {
		return payment.Wrap(payment.EINTERNAL, err, "could not build the KakaoPay %s request", op)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")

	resp, err := c.http.Do(req)
	if err != nil {
		c.logCall(ctx, op, paymentID, 0, start, err)
		return transportError(op, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		// The status line arrived, so KakaoPay did handle the call; without
		// the body we cannot tell how.
		c.logCall(ctx, op, paymentID, resp.StatusCode, start, err)
		return transportError(op, err)
	}
	if len(data) > maxResponseBody {
		err = unreadableResponse(op, resp.StatusCode, fmt.Errorf("body over %d bytes", maxResponseBody))
	} else if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err = classify(op, resp.StatusCode, data, c.key)
	} else if jerr := json.Unmarshal(data, out); jerr != nil {
		err = unreadableResponse(op, resp.StatusCode, jerr)
	}
	c.logCall(ctx, op, paymentID, resp.StatusCode, start, err)
	return err
}

// logCall writes one debug line per call. Only the outcome is logged, never
// the request or response body, which would carry buyer data.
func (c *Client) logCall(ctx context.Context, op, paymentID string, status int, start time.Time, err error) {
	provider.LogCall(ctx, c.log, provider.CallLog{Provider: payment.ProviderKakaoPay, Op: op, PaymentID: paymentID,
		Status: status, Extra: []any{"generation", c.generation}}, start, err)
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
