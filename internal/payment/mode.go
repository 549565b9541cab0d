package payment

import "context"

type livemodeKey struct{}

// WithLivemode records in ctx the mode of the API key a request came with:
// such a request sees and creates only payments of that mode.
func WithLivemode(ctx context.Context, live bool) context.Context {
	return context.WithValue(ctx, livemodeKey{}, live)
}

// LivemodeFrom returns the key mode recorded by WithLivemode; ok is false
// for requests without a key (the demo shop, the drop-in API, workers).
func LivemodeFrom(ctx context.Context) (live, ok bool) {
	live, ok = ctx.Value(livemodeKey{}).(bool)
	return live, ok
}

// Providers lists every provider paybridge knows, in the order it offers them.
var Providers = []string{ProviderKakaoPay, ProviderPortOne, ProviderIamport, ProviderToss}
