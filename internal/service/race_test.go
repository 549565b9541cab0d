//go:build race

package service_test

// raceBuild is set under the race detector, which slows the model-based
// test about twentyfold: it then takes fewer steps per seed.
const raceBuild = true
