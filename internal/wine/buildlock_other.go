//go:build !unix

package wine

// buildLock: no file locks here, so the builds are not serialized.
func buildLock(string) (unlock func()) { return func() {} }
