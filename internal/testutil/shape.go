package testutil

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
)

// ShapeDiff compares the shape of got with a recorded example from a
// provider's documentation, for providers that publish no schema: every
// field of the example must be in got with the same JSON type, and got may
// have no field that is neither in the example nor listed in optional
// (fields the documentation describes as present only sometimes, which may
// be in either or both, or in neither). Paths are
// dotted ("amount.total"; array elements as "cancels[]"). A null on either
// side matches any type: the documentation's samples and the providers
// alike write null for a field that does not apply. It returns one line per
// difference, none when the shapes agree.
func ShapeDiff(example, got []byte, optional ...string) []string {
	var ex, g any
	if err := json.Unmarshal(example, &ex); err != nil {
		return []string{"the example is not JSON: " + err.Error()}
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return []string{"the answer is not JSON: " + err.Error()}
	}
	var diffs []string
	shapeDiff("", ex, g, optional, &diffs)
	return diffs
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func shapeDiff(path string, ex, got any, optional []string, diffs *[]string) {
	if ex == nil || got == nil {
		return
	}
	if te, tg := jsonType(ex), jsonType(got); te != tg {
		*diffs = append(*diffs, fmt.Sprintf("%s: %s in the answer, %s in the documentation", orRoot(path), tg, te))
		return
	}
	switch e := ex.(type) {
	case map[string]any:
		g := got.(map[string]any)
		keys := make([]string, 0, len(e)+len(g))
		for k := range e {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := e[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := join(path, k)
			ev, inEx := e[k]
			gv, inGot := g[k]
			switch {
			case !inGot && !slices.Contains(optional, p):
				*diffs = append(*diffs, fmt.Sprintf("%s: missing from the answer", p))
			case !inEx && !slices.Contains(optional, p):
				*diffs = append(*diffs, fmt.Sprintf("%s: in the answer, not in the documentation", p))
			case inEx && inGot:
				shapeDiff(p, ev, gv, optional, diffs)
			}
		}
	case []any:
		g := got.([]any)
		if len(e) > 0 {
			for _, gv := range g {
				shapeDiff(path+"[]", e[0], gv, optional, diffs)
			}
		}
	}
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

func orRoot(path string) string {
	if path == "" {
		return "(the answer)"
	}
	return path
}
