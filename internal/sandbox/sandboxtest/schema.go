package sandboxtest

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is a provider's own published schema, kept in the sandbox's
// testdata, against which the sandbox's answers are checked: a field the
// sandbox misnames fails here, independently of the adapter that reads it.
type Schema struct {
	Doc      map[string]any // the file as decoded, after fix
	url      string
	compiler *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

// LoadSchema reads file, lets fix adjust the decoded document (each
// provider's schema has quirks a validator must be told about), and
// compiles it under url with draft as the default. assertFormat makes
// "format" keywords (date-time, …) checked rather than informative.
func LoadSchema(t *testing.T, file, url string, draft *jsonschema.Draft, assertFormat bool, fix func(doc map[string]any)) *Schema {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	fix(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(draft)
	if assertFormat {
		c.AssertFormat()
	}
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	return &Schema{Doc: doc, url: url, compiler: c, compiled: map[string]*jsonschema.Schema{}}
}

// Check reports (with t.Errorf) whether body, an answer with status,
// does not match the schema at ref ("#/definitions/…"), and fails the test
// if body is not JSON at all.
func (s *Schema) Check(t *testing.T, ref string, status int, body []byte) {
	t.Helper()
	sch, ok := s.compiled[ref]
	if !ok {
		var err error
		if sch, err = s.compiler.Compile(s.url + ref); err != nil {
			t.Fatalf("compile %s: %v", ref, err)
		}
		s.compiled[ref] = sch
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not JSON: %s", body)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%d %s\ndoes not match %s: %v", status, body, ref, err)
	}
}
