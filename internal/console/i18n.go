package console

import (
	"net/http"

	"golang.org/x/text/language"
)

// The console's languages. English is the key of every message; ko holds
// the Korean.
const (
	langEn = "en"
	langKo = "ko"
)

var langMatcher = language.NewMatcher([]language.Tag{language.English, language.Korean})

// lang picks the page's language: the switch's cookie, else the browser's
// Accept-Language, else English.
func (c *Console) lang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && (ck.Value == langKo || ck.Value == langEn) {
		return ck.Value
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return langEn
	}
	_, i, conf := langMatcher.Match(tags...)
	if i == 1 && conf != language.No {
		return langKo
	}
	return langEn
}

func translate(lang, msg string) string {
	if lang == langKo {
		if s, ok := ko[msg]; ok {
			return s
		}
	}
	return msg
}

// notices are the one-line results shown after an action (?notice=…).
var notices = map[string]string{
	"refund.succeeded":    "The refund went through.",
	"refund.pending":      "The provider has not confirmed the refund yet; paybridge settles it by asking the provider.",
	"refund.failed":       "The provider refused the refund. See the refunds below.",
	"refund.unknown":      "The refund's outcome is not known yet; paybridge settles it by asking the provider.",
	"refund.in_progress":  "This refund is already being sent.",
	"sandbox.done":        "The sandbox window's button was pressed.",
	"sandbox.failed":      "The sandbox window could not be driven. See the log.",
	"sandbox.not_waiting": "The payment is no longer waiting in a sandbox window.",
	"endpoint.enabled":    "The endpoint is enabled.",
	"endpoint.disabled":   "The endpoint is disabled.",
	"endpoint.deleted":    "The endpoint is deleted.",
	"event.resent":        "The event is queued for delivery again.",
	"merchant.created":    "The merchant is created.",
	"key.revoked":         "The key is revoked.",
	"disabled.operator":   "The operator is disabled and signed out.",
	"enabled.operator":    "The operator is enabled.",
}

func noticeText(key string) string { return notices[key] }
