package testutil

import "net/http"

// RecordPathAndReplay is a fake's handler (see FakeProvider) that records
// the path of each decoded request, as path reads it from the adapter's
// own request type, and answers every call with status and body: the
// tests of which resource an adapter asks for (an escaped id, the id it
// trusts).
func RecordPathAndReplay[R any](rec *Recorder[string], path func(R) string, status int, body []byte) func(http.ResponseWriter, *http.Request, R) {
	return func(w http.ResponseWriter, _ *http.Request, req R) {
		rec.Add(path(req))
		Reply(w, status, body)
	}
}
