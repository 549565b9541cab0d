package provider

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// MaskedFields renders cfg, an adapter's Config struct, the way %+v would
// ({Name:value …}, exported fields only) but with the named secret fields
// shown as Mask shows a setting, and pointer and func fields only as set or
// unset. An adapter's Config holds the provider's keys in exported fields,
// as its Settings do; its String, GoString, LogValue and MarshalJSON
// return this, so that printing or logging one never shows a key.
func MaskedFields(cfg any, secrets ...string) string {
	v := reflect.ValueOf(cfg)
	t := v.Type()
	var b strings.Builder
	b.WriteByte('{')
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(' ')
		}
		fv := v.Field(i)
		var s string
		switch fv.Kind() {
		case reflect.Pointer, reflect.Func, reflect.Interface, reflect.Map, reflect.Chan:
			s = setOrUnset(fv.IsNil())
		default:
			if slices.Contains(secrets, f.Name) {
				s = setOrUnset(fv.IsZero())
			} else {
				s = fmt.Sprint(fv.Interface())
			}
		}
		b.WriteString(f.Name + ":" + s)
	}
	b.WriteByte('}')
	return b.String()
}

func setOrUnset(unset bool) string {
	if unset {
		return "(unset)"
	}
	return "(set)"
}
