package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// JSON is how a sandbox writes its JSON answers: the Content-Type its
// provider sends (spelt as the provider spells it, since clients have been
// known to compare it) and whether a newline ends the body.
type JSON struct {
	ContentType string
	Newline     bool
}

// Write encodes body and sends it with status. Only a sandbox's own
// answer types get here, and they always encode.
func (j JSON) Write(w http.ResponseWriter, status int, body any) {
	j.WriteRaw(w, status, MustMarshal(body))
}

// WriteRaw sends an already encoded answer, for a sandbox that replays a
// stored answer byte for byte.
func (j JSON) WriteRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", j.ContentType)
	w.WriteHeader(status)
	if j.Newline {
		body = append(body[:len(body):len(body)], '\n')
	}
	_, _ = w.Write(body)
}

// MustMarshal encodes one of a sandbox's own answer types, which always
// encode; it panics otherwise, as that is a bug in the sandbox.
func MustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("sandbox: marshal response: %v", err))
	}
	return b
}
