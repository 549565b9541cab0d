package provider

import "strings"

// Masked renders settings, a value of the provider's settings type, the way
// paybridge prints its configuration: "PAYBRIDGE_…=value" for each of the
// Configuration's settings, with every Secret one masked (see Mask). Each
// provider's Settings type returns it from String, GoString and LogValue,
// and MarshalJSON as a JSON string, so that no %v, %+v, %#v, log line (text
// or JSON) or JSON encoding of the settings, or of a slice, map or struct
// field that holds them, ever shows a secret: the settings' fields are
// exported, and fmt and encoding/json would otherwise print them all. (A
// holder's unexported field printed with %v is out of reach: fmt does not
// call methods through unexported fields.)
func (c Configuration) Masked(settings any) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range c.Settings {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := s.Get(settings)
		if s.Secret {
			v = Mask(v)
		}
		b.WriteString(s.Env + "=" + v)
	}
	b.WriteByte('}')
	return b.String()
}
