//go:build !unix

package keptdir

// lock: no file locks here, so no kept directory.
func lock(string) (func(), bool) { return nil, false }
