package httpapi

import (
	_ "embed"
	"net/http"
)

// OpenAPI is the OpenAPI 3.1 description of the API (openapi.json). It is
// written by hand from the handlers; openapi_test.go checks that it is
// well-formed and internal/app's openapi_test.go that the running server
// answers as it says.
//
//go:embed openapi.json
var OpenAPI []byte

// handleOpenAPI serves GET /openapi.json.
func handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(OpenAPI)
}
