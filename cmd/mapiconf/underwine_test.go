//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// In a checkout, mapiconf finds its own source with go list; MAPICONF_SOURCE
// overrides it and must name a mapiconf source tree.
func TestMapiconfSource(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(sourceEnv, "")
	os.Unsetenv(sourceEnv)
	if dir, err := mapiconfSource(); err != nil || dir != root {
		t.Errorf("in the checkout: %q, %v; want %q", dir, err, root)
	}
	t.Setenv(sourceEnv, t.TempDir())
	if _, err := mapiconfSource(); err == nil || !strings.Contains(err.Error(), "is not mapiconf's source") {
		t.Errorf("%s naming an empty directory: %v, want an error saying so", sourceEnv, err)
	}
}

// A pseudo-version, stamped on a build from a checkout, is no release to
// download.
func TestPseudoVersion(t *testing.T) {
	for v, want := range map[string]bool{
		"v0.0.0-20261125161500-f2749f5abc12":       true,
		"v0.4.1-0.20261125161500-f2749f5abc12":     true,
		"v0.4.0":                                   false,
		"v1.2.0-rc.1":                              false,
		"v0.0.0-20261125161500-f2749f5abc12+dirty": true,
	} {
		if got := pseudo.MatchString(v); got != want {
			t.Errorf("%s: pseudo %v, want %v", v, got, want)
		}
	}
}

// A mapiconf installed from a checkout (go install ./cmd/mapiconf, before a
// release) finds that checkout from any directory, as docs/dll.md has it
// run from the directory of a DLL.
func TestMapiconfSourceOutsideAModule(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(sourceEnv, "")
	os.Unsetenv(sourceEnv)
	t.Chdir(t.TempDir())
	if dir, err := mapiconfSource(); err != nil || dir != root {
		t.Errorf("outside any module: %q, %v; want the checkout it was built from, %q", dir, err, root)
	}
}
