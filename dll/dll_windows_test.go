//go:build windows

package dll_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/dll"
	"github.com/mapiconf/mapiconf/dll/internal/wine"
	"github.com/mapiconf/mapiconf/mapi"
)

// testDir is where the DLLs under test were built: by TestUnderWine on
// Linux (dll/wine_test.go), or by hand on Windows (docs/dll.md).
func testDir(t testing.TB) string {
	d := os.Getenv("MAPICONF_DLL_TESTDIR")
	if d == "" {
		t.Skip("MAPICONF_DLL_TESTDIR names no directory of built DLLs: on Linux, TestUnderWine builds them and runs this; on Windows see docs/dll.md")
	}
	return d
}

func open(t testing.TB, name string) *dll.Library {
	t.Helper()
	lib, err := dll.Open(filepath.Join(testDir(t), name+".dll"), dll.Options{Guard: os.Getenv("MAPICONF_GUARD")})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

// every capability the C provider has: a status row, a root folder with a
// message in it, a status object, several stores at once.
var cCapabilities = conformance.Capabilities{StatusRow: true, Objects: true, Subobject: "msg-1", StatusObject: true, MultipleStores: true}

// TestCProvider runs the whole suite against the C reference provider and
// each of its known-bad variants through the DLL adapter, and requires each
// to fail exactly the rules it declares (dll/internal/wine.Variants), as
// the Go kill matrix does (reference.KillMatrix).
func TestCProvider(t *testing.T) {
	for _, v := range wine.Variants {
		t.Run(v.Name, func(t *testing.T) {
			cfg := open(t, v.Name).Config(conformance.Deferred, cCapabilities)
			cfg.Strict = true
			if v.Define == "FLAW_HANG_IN_LOGOFF" {
				cfg.CallTimeout = 200 * time.Millisecond // each hang costs this
			}
			res, err := conformance.Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			want := v.Declares
			got := conformance.FailedRules(res)
			if !slices.Equal(got, ordered(want)) {
				t.Errorf("%s (%s) fails %v, want %v", v.Name, v.Doc, got, ordered(want))
				for _, r := range res {
					if r.Status == conformance.Failed && !slices.Equal(r.Failed, ordered(intersect(r.Failed, want))) {
						t.Logf("%s:\n%s", r.Spec, r.Message)
					}
				}
			}
		})
	}
}

// ordered sorts rule IDs in the order of RULES.md.
func ordered(ids []string) []string {
	var out []string
	for _, r := range conformance.Rules {
		if slices.Contains(ids, r.ID) {
			out = append(out, r.ID)
		}
	}
	return out
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

var _ = mapi.LogoffAbort
var _ = strings.Contains
