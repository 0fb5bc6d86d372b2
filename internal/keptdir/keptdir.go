// Package keptdir gives a test a directory at the same path on every run:
// Go's build cache keys a package by its directory, so a module the test
// builds from a directory of its own (a module cache it fills, a copy of a
// module) builds from the cache on the next run only if the directory is
// the same. The directory is emptied before and after the test, so the test
// starts from nothing as with t.TempDir, and held with a lock meanwhile:
// a second run at the same time gets a t.TempDir instead, and builds it all.
package keptdir

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// For returns the kept directory name, empty and held until t ends, or
// t.TempDir() where it cannot be had: no user cache directory, another
// process holds it, or this system has no file locks.
func For(t testing.TB, name string) string {
	t.Helper()
	base, err := os.UserCacheDir()
	if err != nil {
		return t.TempDir()
	}
	dir := filepath.Join(base, "mapiconf-test", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return t.TempDir()
	}
	unlock, ok := lock(dir + ".lock")
	if !ok {
		return t.TempDir()
	}
	if err := empty(dir); err != nil {
		unlock()
		return t.TempDir()
	}
	t.Cleanup(func() {
		empty(dir)
		unlock()
	})
	return dir
}

// empty removes what dir holds, read-only files and directories too (a
// module cache makes its files read-only).
func empty(dir string) error {
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(path, 0o755)
		}
		return nil
	})
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
