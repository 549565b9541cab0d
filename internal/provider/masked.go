package provider

import "strings"

// Masked renders settings, a value of the provider's settings type, the way
// paybridge prints its configuration: "PAYBRIDGE_…=value" for each of the
// Configuration's settings, with every Secret one masked (see Mask). Each
// provider's Settings type returns it from String, GoString and LogValue,
// so that no %v, %+v, %#v or log line (text or JSON) of the settings, or
// of anything that holds them, ever shows a secret: the settings' fields
// are exported, and fmt and encoding/json would otherwise print them all.
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
