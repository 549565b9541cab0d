package console

import "github.com/paybridge/paybridge/internal/i18n"

// The console's languages are the pages' (internal/i18n: Korean by
// default, English from Accept-Language or the ?lang= switch, remembered in
// a cookie shared with the shop's pages). English is the key of every
// message; ko holds the Korean.
const (
	langEn = i18n.English
	langKo = i18n.Korean
)

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
