// Package winetest is what the tests that run Windows code under Wine
// share: finding the tools or skipping, and the DLLs of the C reference
// provider and its known-bad variants that package dll's tests load.
package winetest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/mapiconf/mapiconf/dll"
	"github.com/mapiconf/mapiconf/internal/wine"
)

// RequireEnv, when "1", makes missing tools a failure of the tests that
// need them instead of a skip (.ci/run sets it).
const RequireEnv = "MAPICONF_REQUIRE_WINE"

// A TB is the part of testing.TB that ForTest uses.
type TB interface {
	Helper()
	Fatal(args ...any)
	Skipf(format string, args ...any)
}

// Arches are the bitnesses a provider DLL is built for, and the tests
// run in: x64 and x86, as 64-bit and 32-bit Outlook load them.
var Arches = []string{wine.AMD64, wine.I386}

// ForTest finds the tools for a test that runs Windows code of bitness
// arch (wine.AMD64 or wine.I386) under Wine: it skips the test, saying what
// to install, when this is no x86-64 machine or the tools are missing, and
// fails it instead when RequireEnv is "1".
func ForTest(t TB, arch string) wine.Tools {
	t.Helper()
	if runtime.GOARCH != "amd64" {
		t.Skipf("running Windows code under Wine needs an x86-64 machine; this is %s", runtime.GOARCH)
	}
	tools, err := wine.Find(arch)
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatal(err)
		}
		t.Skipf("%v (set %s=1 to make this a failure)", err, RequireEnv)
	}
	return tools
}

// A Variant is the C reference provider built with one define.
type Variant struct {
	Name   string // the DLL is Name + ".dll"
	Define string // "" for the provider itself
	Doc    string
	// Declares lists the rules the suite must find broken, in the
	// deferred profile the provider follows, as reference.Bad does.
	Declares []string
	// Hostile, for a variant that crashes or hangs, names the Go hostile
	// provider (reference.HostileProviders) that panics or hangs in the
	// same call: the variant must fail exactly the rules it fails, each
	// failure naming the call, and Fault what went wrong there.
	Hostile, Call, Fault string
}

// Variants are the C provider and its known-bad variants.
var Variants = []Variant{
	{Name: "provider", Doc: "the C reference provider: no flaw"},
	{Name: "no-stlt", Define: "FLAW_NO_STLT", Doc: "StoreLogoffTransports is never called",
		Declares: []string{"STLT-01", "STLT-02", "STLT-04", "SS-02", "SP-01", "SP-02"}},
	{Name: "wrong-flag", Define: "FLAW_WRONG_FLAG", Doc: "StoreLogoff saves LOGOFF_ABORT instead of the caller's flag",
		Declares: []string{"STLT-03", "STLT-06", "SS-02"}},
	{Name: "stlt-after-support-release", Define: "FLAW_STLT_AFTER_SUPPORT_RELEASE", Doc: "the store's end releases the support, then calls StoreLogoffTransports",
		Declares: []string{"STLT-05", "RL-03", "E-05"}},
	{Name: "support-released-twice", Define: "FLAW_SUPPORT_RELEASED_TWICE", Doc: "the store's end releases the support twice",
		Declares: []string{"RL-01", "RL-03"}},
	{Name: "crash-in-storelogoff", Define: "FLAW_CRASH_IN_STORELOGOFF", Doc: "StoreLogoff writes through a NULL pointer",
		Hostile: "panic-in-storelogoff", Call: "IMsgStore::StoreLogoff", Fault: "EXCEPTION_ACCESS_VIOLATION (0xC0000005)"},
	{Name: "hang-in-logoff", Define: "FLAW_HANG_IN_LOGOFF", Doc: "IMSLogon::Logoff never returns",
		Hostile: "hang-in-logoff", Call: "IMSLogon::Logoff", Fault: "hung"},
}

// BadInits are the test DLLs whose MSProviderInit is wrong, by define.
var BadInits = []string{"INIT_FAILS", "INIT_WRONG_VERSION", "INIT_NULL_PROVIDER", "INIT_CRASHES", "INIT_STDCALL", "INIT_STDCALL_RENAMED"}

// Build builds every DLL package dll's Windows tests load into dir, for the
// tools' bitness: the guard, the C provider's variants and the bad
// MSProviderInits. root is the module's root directory.
func Build(t wine.Tools, root, dir string) error {
	if _, err := dll.BuildGuard(t.CC, dir); err != nil {
		return err
	}
	for _, v := range Variants {
		var flags []string
		if v.Define != "" {
			flags = append(flags, "-D"+v.Define)
		}
		if err := t.BuildDLL(filepath.Join(dir, v.Name+".dll"), filepath.Join(root, "reference/c/provider.c"), flags...); err != nil {
			return err
		}
	}
	for _, d := range BadInits {
		if err := t.BuildDLL(filepath.Join(dir, strings.ToLower(d)+".dll"), filepath.Join(root, "dll/testdata/badinit.c"), "-D"+d, "-Wno-unused-parameter"); err != nil {
			return err
		}
	}
	return nil
}
