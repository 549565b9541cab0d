// Package providertest holds the provider contract: one end-to-end test
// that runs every registration in internal/provider/registry against its
// own sandbox, built the way paybridge serve builds it (the
// Registration's Sandbox.New and its Adapter). A provider added to the
// registry gets the contract without writing it; its package's own
// sandbox tests keep only what is its provider's (fault codes, replays,
// window details).
package providertest
