package provider

import (
	"bytes"
	"encoding/json"
	"strings"
)

// MaxRawAnswer bounds the provider answer kept on a payment for the
// operator (payment.ProviderPayment.Raw). Real payment answers are a few
// kilobytes; a larger one is kept not at all rather than cut into broken
// JSON.
const MaxRawAnswer = 16 << 10

// sensitiveKeys are the object keys dropped, at any depth, from an answer
// before it is kept, compared after lowercasing and removing '_' and '-'
// (so access_token, accessToken and ACCESS-TOKEN are one key). They are
// credentials and anything that lets someone act for the shop or the buyer:
// API keys and secrets (imp_key, imp_secret, secretKey, apiSecret), bearer
// and refresh tokens (PortOne V1 getToken's access_token, should such an
// answer ever be passed here), KakaoPay's pg_token, Toss's billingKey,
// passwords, and card security codes.
var sensitiveKeys = map[string]bool{
	"accesstoken": true, "refreshtoken": true, "token": true, "idtoken": true,
	"secret": true, "secretkey": true, "apisecret": true, "clientsecret": true, "impsecret": true,
	"apikey": true, "impkey": true, "adminkey": true, "authorization": true,
	"pgtoken": true, "billingkey": true, "password": true, "cvc": true, "cvv": true,
}

// cardNumberKeys name a card number, dropped unless it is masked (see
// maskedNumber): true for a key that names one anywhere, false for one that
// names it only inside a card object (a value of a cardObjectKeys key).
var cardNumberKeys = map[string]bool{"cardnumber": true, "number": false}

// cardObjectKeys are the keys whose value is a card object, in which a
// "number" is a card number.
var cardObjectKeys = map[string]bool{"card": true, "cardinfo": true}

// cardNumber reports whether nk, a normalized key, names a card number;
// inCard says its object is a card's. It is the one rule both redact and
// mayDrop (which knows no object, and so passes true) follow.
func cardNumber(nk string, inCard bool) bool {
	anywhere, ok := cardNumberKeys[nk]
	return ok && (anywhere || inCard)
}

// maxRuleKey bounds the normalized keys of the rules above, so mayDrop
// can normalize a key in a buffer on its stack. It is a constant, not
// the longest key's length, only because an array's length must be one;
// init checks every rule key against it.
const maxRuleKey = 32

func init() {
	for _, rules := range []map[string]bool{sensitiveKeys, cardNumberKeys} {
		for k := range rules {
			if len(k) > maxRuleKey || k != normalizeKey(k) {
				panic("provider: rule key " + k + " is not normalized or is longer than maxRuleKey, so mayDrop would miss it")
			}
		}
	}
}

// RedactAnswer returns body, a provider's JSON answer, fit to be stored and
// shown to an operator, or nil when it is not a JSON object or array, or
// over MaxRawAnswer. It drops every key in sensitiveKeys, and a card
// number (cardNumber, card_number, or number inside a card object) unless
// it is masked: providers send masked numbers ("4330-12**-****-123*"), and
// a number with 13 or more digits or without a mask character is dropped
// as a possibly full one. When nothing is dropped the body is kept as
// received; otherwise it is re-encoded, with keys in sorted order.
func RedactAnswer(body []byte) []byte { return redactOf(body, false) }

// redactOf is RedactAnswer; valid says body is known to be one valid JSON
// value (the decoder has just read it), which spares checking it again.
func redactOf(body []byte, valid bool) []byte {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || len(body) > MaxRawAnswer || (body[0] != '{' && body[0] != '[') {
		return nil
	}
	// Most answers hold nothing to drop (a KakaoPay approve never does):
	// one pass over the bytes proves it, without building a map of the
	// whole answer as redactAnswer does.
	if (valid || json.Valid(body)) && !mayDrop(body) {
		return bytes.Clone(body)
	}
	return redactAnswer(body)
}

// redactAnswer is RedactAnswer's full pass: decode, drop, re-encode.
func redactAnswer(body []byte) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // amounts and ids stay exactly as sent
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil
	}
	if !redact(v, false) {
		return bytes.Clone(body)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil
	}
	return bytes.TrimSpace(buf.Bytes())
}

// redact removes the sensitive keys from v in place and reports whether it
// removed any. inCard says v is the value of a "card" key.
func redact(v any, inCard bool) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			nk := normalizeKey(k)
			if sensitiveKeys[nk] || (cardNumber(nk, inCard) && !maskedNumber(val)) {
				delete(t, k)
				changed = true
				continue
			}
			if redact(val, cardObjectKeys[nk]) {
				changed = true
			}
		}
	case []any:
		for _, val := range t {
			if redact(val, false) {
				changed = true
			}
		}
	}
	return changed
}

// mayDrop reports whether redact could drop anything from body, valid
// JSON: whether any object key, normalized as redact does, is a sensitive
// key or a card number's (a card's number, wherever it is). A key
// with an escape or a byte outside ASCII counts as one: strings.ToLower
// maps some non-ASCII letters to ASCII ones (the Kelvin sign to k), and
// only the decoder knows what an escape spells. False means redact would
// keep body as it is.
func mayDrop(body []byte) bool {
	var norm [maxRuleKey]byte
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		// A string: find its end, normalizing it as a key would be.
		n, odd := 0, false
		j := i + 1
		for ; j < len(body) && body[j] != '"'; j++ {
			c := body[j]
			switch {
			case c == '\\' || c >= 0x80:
				odd = true
				if c == '\\' {
					j++ // the escaped byte cannot end the string
				}
			case c == '_' || c == '-':
			default:
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				if n < len(norm) {
					norm[n] = c
				}
				n++
			}
		}
		k := j + 1
		for k < len(body) && (body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r') {
			k++
		}
		if k < len(body) && body[k] == ':' { // the string was a key
			if odd {
				return true
			}
			if n <= len(norm) {
				key := string(norm[:n])
				if sensitiveKeys[key] || cardNumber(key, true) {
					return true
				}
			}
		}
		i = j
	}
	return false
}

// keySeparators is built once: a Replacer compiles its table on first use,
// and normalizeKey runs for every key of every answer a provider sends.
var keySeparators = strings.NewReplacer("_", "", "-", "")

func normalizeKey(k string) string {
	return keySeparators.Replace(strings.ToLower(k))
}

// maskedNumber reports whether v is a card number shown masked: a string
// (or nothing) with a mask character and too few digits to be whole.
func maskedNumber(v any) bool {
	s, ok := v.(string)
	if !ok {
		return v == nil
	}
	if s == "" {
		return true
	}
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	return digits < 13 && strings.ContainsAny(s, "*xX#•")
}

// Keep returns a json.Unmarshaler that decodes an answer into v, as
// json.Unmarshal would, and keeps its body, redacted by RedactAnswer, in
// *raw. Adapters hand it to their call function for the payment answers
// (approve, lookup, cancel) only, never for token or other answers.
func Keep(v any, raw *[]byte) json.Unmarshaler { return &keeper{v: v, raw: raw} }

type keeper struct {
	v   any
	raw *[]byte
}

func (k *keeper) UnmarshalJSON(b []byte) error {
	if err := unmarshalAnswer(b, k.v); err != nil {
		return err
	}
	// unmarshalAnswer read the whole of b as one value, so b is valid
	// JSON here.
	*k.raw = redactOf(b, true)
	return nil
}
