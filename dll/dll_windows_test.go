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
	"github.com/mapiconf/mapiconf/reference"
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
// the Go kill matrix does (reference.KillMatrix). A variant that crashes or
// hangs must fail exactly what the Go provider that panics or hangs in the
// same call fails, each failure naming the call and the exception or hang.
func TestCProvider(t *testing.T) {
	for _, v := range wine.Variants {
		t.Run(v.Name, func(t *testing.T) {
			cfg := open(t, v.Name).Config(conformance.Deferred, cCapabilities)
			cfg.Strict = true
			want := slices.Clone(v.Declares)
			if v.Hostile != "" {
				cfg.CallTimeout = 200 * time.Millisecond // each hang costs this
				want = append(want, hostileFails(t, v.Hostile)...)
			}
			res, err := conformance.Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := conformance.FailedRules(res); !slices.Equal(got, ordered(want)) {
				t.Errorf("%s (%s) fails %v, want %v", v.Name, v.Doc, got, ordered(want))
				for _, r := range res {
					if r.Status == conformance.Failed && !slices.Equal(r.Failed, ordered(intersect(r.Failed, want))) {
						t.Logf("%s:\n%s", r.Spec, r.Message)
					}
				}
			}
			if v.Hostile == "" {
				return
			}
			for _, r := range res {
				if len(r.Unjudged) == 0 {
					continue
				}
				for _, s := range []string{v.Call, v.Fault, "Call sequence"} {
					if !strings.Contains(r.Message, s) {
						t.Errorf("%q: the failure does not say %q:\n%s", r.Spec, s, r.Message)
					}
				}
			}
		})
	}
}

// hostileFails returns the rules the Go hostile provider of that name fails.
func hostileFails(t *testing.T, name string) []string {
	for _, h := range reference.HostileProviders() {
		if h.Name == name {
			cfg := h.Config()
			cfg.CallTimeout = 50 * time.Millisecond
			res, err := conformance.Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			return conformance.FailedRules(res)
		}
	}
	t.Fatalf("no hostile provider %q in reference.HostileProviders", name)
	return nil
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

// nullSupport is a support that answers everything, for tests that drive a
// provider without the simulated MAPI.
type nullSupport struct{}

func (nullSupport) AddRef() uint32  { return 2 }
func (nullSupport) Release() uint32 { return 1 }
func (nullSupport) StoreLogoffTransports(mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	return mapi.LogoffComplete, nil
}
func (nullSupport) SetProviderUID(mapi.MAPIUID, mapi.ReservedFlags) error     { return nil }
func (nullSupport) ModifyStatusRow(mapi.StatusRow, mapi.StatusRowFlags) error { return nil }

// A crash in the DLL is contained call after call: each StoreLogoff of the
// crashing variant panics with a *dll.Crash naming the call and the code,
// and the process goes on.
func TestCrashContained(t *testing.T) {
	lib := open(t, "crash-in-storelogoff")
	p, err := lib.NewProvider()
	if err != nil {
		t.Fatal(err)
	}
	_, store, err := p.Logon(nullSupport{}, "mapiconf", mapi.MDBNoDialog)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	const n = 200
	for i := range n {
		func() {
			defer func() {
				c, ok := recover().(*dll.Crash)
				if !ok || c.Code != 0xC0000005 || c.Call != "IMsgStore::StoreLogoff" {
					t.Fatalf("crash %d: recovered %v, want an access violation in IMsgStore::StoreLogoff", i, c)
				}
			}()
			store.StoreLogoff(mapi.LogoffOrderly)
		}()
	}
	t.Logf("%d contained crashes in %v (Wine's clock is coarse)", n, time.Since(start))
}

// A DLL whose MSProviderInit is missing or wrong is one clear error from
// Open, not a crash and not a failure per spec.
func TestBadInit(t *testing.T) {
	dir := testDir(t)
	guard := os.Getenv("MAPICONF_GUARD")
	for _, tt := range []struct {
		dll, want string
	}{
		{"mapiconf-guard", "exports no MSProviderInit"},
		{"init_fails", "MSProviderInit returned MAPI_E_CALL_FAILED"},
		{"init_wrong_version", "MSProviderInit reports SPI version 0x00020000; MAPI speaks 0x00010010"},
		{"init_null_provider", "MSProviderInit returned S_OK and a NULL provider"},
		{"init_crashes", "MSProviderInit crashed: EXCEPTION_ACCESS_VIOLATION (0xC0000005) at init_crashes.dll+"},
		{"no-such-provider", "loading"},
	} {
		_, err := dll.Open(filepath.Join(dir, tt.dll+".dll"), dll.Options{Guard: guard})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%s.dll): %v, want an error saying %q", tt.dll, err, tt.want)
		}
	}
}
