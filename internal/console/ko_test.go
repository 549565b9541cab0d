package console

import (
	"io/fs"
	"regexp"
	"testing"
)

var (
	templateMessage = regexp.MustCompile(`\.Tf? "([^"]+)"`)
	pluralMessage   = regexp.MustCompile(`\.N [^ ]+ "([^"]+)" "([^"]+)"`)
)

// Ensure every message of the templates, notices and handler errors has
// its Korean text, so that no page falls back to English half-way.
func TestKoreanCatalogueComplete(t *testing.T) {
	msgs := map[string]string{}
	files, _ := fs.Glob(templateFiles, "templates/*.html")
	for _, f := range files {
		b, _ := fs.ReadFile(templateFiles, f)
		for _, m := range templateMessage.FindAllStringSubmatch(string(b), -1) {
			msgs[m[1]] = f
		}
		for _, m := range pluralMessage.FindAllStringSubmatch(string(b), -1) {
			msgs[m[1]], msgs[m[2]] = f, f
		}
	}
	for _, n := range notices {
		msgs[n] = "notices"
	}
	for _, m := range []string{
		// Page titles and the errors handlers show.
		"Dashboard", "Payments", "Webhooks", "Audit log", "Merchants and API keys", "Operators", "Refund", "Confirm the refund",
		"Shown once", "Sign in", "Bad Request", "Forbidden", "Not Found", "Conflict", "Internal Server Error", "Not found.",
		"Something went wrong. Try again.", "The form could not be read.",
		"This form has expired or did not come from the console. Reload the page and try again.",
		"Your role does not allow this.", "This form has expired. Try again.",
		"Too many sign-in attempts. Wait a few minutes and try again.",
		"The email or password is wrong, or the account is locked. After 5 failures in a row an account is locked for 15 minutes.",
		"Enter the amount to refund, in won.", "The amount is more than what can still be refunded.", "A reason is required.",
		"The reason is too long.", "This payment has nothing left to refund.", "Any status", "Any provider", "All merchants",
		"viewer", "admin", "owner", "created", "ready", "approving", "paid", "partially_canceled", "canceled", "aborted",
		"failed", "expired", "pending", "succeeded", "dead", "enabled", "disabled",
		"LIVE", "TEST", "Real money (live credentials)", "No real money (sandbox or test credentials)", "mode must be live or test",
		"Live and test", "Live (real money)", "Test",
	} {
		msgs[m] = "handlers"
	}
	for m, where := range msgs {
		if _, ok := ko[m]; !ok {
			t.Errorf("no Korean for %q (%s)", m, where)
		}
	}
}
