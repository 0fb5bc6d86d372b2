// Package winetest is what the tests that run Windows code under Wine
// share: finding the tools or skipping, and the DLLs of the C reference
// provider and its known-bad variants that package dll's tests load.
package winetest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

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
	{Name: "fresh-uids", Define: "DESIGN_FRESH_UIDS", Doc: "a correct design: a fresh MAPIUID at every logon, from a process-wide counter, as CoCreateGuid gives (RULES.md revision 4)"},
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
// tools' bitness: the guard, the C provider's variants, the hostile DLLs
// that fail specs and the bad MSProviderInits. root is the module's root
// directory.
func Build(t wine.Tools, root, dir string) error {
	// Each DLL is one gcc: they are built side by side, a core each.
	var jobs []func() error
	jobs = append(jobs, func() error { _, err := dll.BuildGuard(t.CC, dir); return err })
	for _, v := range Variants {
		var flags []string
		if v.Define != "" {
			flags = append(flags, "-D"+v.Define)
		}
		jobs = append(jobs, func() error {
			return t.BuildDLL(filepath.Join(dir, v.Name+".dll"), filepath.Join(root, "reference/c/provider.c"), flags...)
		})
	}
	for _, h := range Hostile {
		if !h.Process {
			jobs = append(jobs, func() error { return BuildHostile(t, root, dir, h) })
		}
	}
	for _, d := range BadInits {
		jobs = append(jobs, func() error {
			return t.BuildDLL(filepath.Join(dir, strings.ToLower(d)+".dll"), filepath.Join(root, "dll/testdata/badinit.c"), "-D"+d, "-Wno-unused-parameter")
		})
	}
	errs := make([]error, len(jobs))
	slots := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			errs[i] = job()
			<-slots
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// A HostileDLL breaks the way native code breaks, one way each (the rows
// of issue 17): `mapiconf test -dll` must end it on its own, with a
// verdict that names the call and the fault (exit status 1) or a load
// error that names the cause (2). The list is the same for every machine
// the DLLs are built for.
type HostileDLL struct {
	Name   string // the DLL is Name + ".dll"
	Source string // the C file, from the module's root: hostile.c's variants, or badinit.c's
	Define string
	Exit   int      // the exit status mapiconf test must end with
	Says   []string // what its output must say: the call and the fault, or the cause
	// Process: the DLL ends or never starts the process that loads it,
	// so only mapiconf test's parent can answer (cmd/mapiconf's
	// TestHostileDLL); the others fail specs, which package dll's tests
	// check in one process (TestHostile), far cheaper under Wine.
	Process bool
	// Hangs: the run waits out a timeout (the load's, MSProviderInit's or
	// a call's) before its verdict, using little CPU meanwhile.
	Hangs bool
}

const hostileC, badinitC = "reference/c/hostile.c", "dll/testdata/badinit.c"

// Hostile are the hostile DLLs and the answer each must get.
var Hostile = []HostileDLL{
	{"init-hangs", badinitC, "INIT_HANGS", 2, []string{"MSProviderInit did not return within 2s: it hangs"}, true, true},
	{"dllmain-hangs", badinitC, "DLLMAIN_HANGS", 2, []string{"does not load: loading it did not end within 10s: its DllMain (DLL_PROCESS_ATTACH) hangs"}, true, true},
	{"not-pe", "", "NOT_PE", 2, []string{"is no Windows DLL mapiconf can read"}, true, false},
	{"wrong-machine", badinitC, "WRONG_MACHINE", 2, []string{"is built for machine 0xaa64; mapiconf tests x64 (x86-64) and x86 (i386) provider DLLs"}, true, false},
	{"dllmain-false", badinitC, "DLLMAIN_FALSE", 2, []string{"does not load: its DllMain returned FALSE"}, true, false},
	{"missing-dependency", badinitC, "MISSING_DEPENDENCY", 2, []string{"does not load: a DLL it imports is missing: mapiconf-gone.dll"}, true, false},
	{"thread-crash", hostileC, "HOSTILE_THREAD_CRASH", 1, []string{"a thread the provider started", "crashed: EXCEPTION_ACCESS_VIOLATION (0xC0000005) at thread-crash.dll+", "in the spec"}, true, false},
	{"release-deadlock", hostileC, "HOSTILE_RELEASE_DEADLOCK", 1, []string{"the provider hung in call #", "IMsgStore::Release", "an earlier call into it never returned"}, true, true},
	{"stack-overflow", hostileC, "HOSTILE_STACK_OVERFLOW", 1, []string{"IMsgStore::StoreLogoff crashed: EXCEPTION_STACK_OVERFLOW (0xC00000FD)"}, false, false},
	{"cxx-exception", hostileC, "HOSTILE_CXX_EXCEPTION", 1, []string{"IMSProvider::Logon crashed: a C++ exception (0xE06D7363)"}, false, false},
	{"raise", hostileC, "HOSTILE_RAISE", 1, []string{"IMSLogon::Logoff crashed: an exception raised by the provider (RaiseException) (0xE0000BAD)"}, false, false},
	{"exit-in-logoff", hostileC, "HOSTILE_EXIT_IN_LOGOFF", 1, []string{"ended with exit status 0 during call #", "IMSLogon::Logoff", "in the spec"}, true, false},
	{"terminate-in-release", hostileC, "HOSTILE_TERMINATE_IN_RELEASE", 1, []string{"ended with exit status 3 during call #", "IMsgStore::Release"}, true, false},
	{"abort-in-release", hostileC, "HOSTILE_ABORT_IN_RELEASE", 1, []string{"ended with exit status 3 during call #", "IMsgStore::Release"}, true, false},
	{"dangling-store", hostileC, "HOSTILE_DANGLING_STORE", 1, []string{"could not be called: the object at 0x", "(a dangling or wild pointer)"}, false, false},
	{"wild-stlt-flags", hostileC, "HOSTILE_WILD_STLT_FLAGS", 1, []string{"IMAPISupport::StoreLogoffTransports got lpulFlags = 0x", "which cannot be read: EXCEPTION_ACCESS_VIOLATION"}, false, false},
	{"bad-stlt-flags", hostileC, "HOSTILE_BAD_STLT_FLAGS", 1, []string{"IMAPISupport::StoreLogoffTransports got lpulFlags = 0x1 from the provider, which cannot be read"}, false, false},
	{"storelogoff-s-false", hostileC, "HOSTILE_STORELOGOFF_S_FALSE", 1, []string{"SL-01", "IMsgStore::StoreLogoff(LOGOFF_NO_WAIT) = S_FALSE"}, false, false},
	{"storelogoff-success-code", hostileC, "HOSTILE_STORELOGOFF_SUCCESS_CODE", 1, []string{"SL-01", "= HRESULT(0x0BADF00D)"}, false, false},
	{"double-free", hostileC, "HOSTILE_DOUBLE_FREE", 1, []string{"IMsgStore::Release freed memory that is not allocated: HeapFree("}, false, false},
}

// BuildHostile builds h into dir as h.Name + ".dll". root is the module's
// root directory.
func BuildHostile(t wine.Tools, root, dir string, h HostileDLL) error {
	out, src := filepath.Join(dir, h.Name+".dll"), filepath.Join(root, h.Source)
	flags := []string{"-D" + h.Define, "-Wno-unused-parameter"}
	switch h.Define {
	case "NOT_PE":
		return os.WriteFile(out, []byte("a text file named .dll\n"), 0o644)
	case "WRONG_MACHINE":
		// A DLL of this machine whose header says ARM64, as one built
		// for Windows on ARM does.
		if err := t.BuildDLL(out, src, "-DINIT_FAILS", "-Wno-unused-parameter"); err != nil {
			return err
		}
		return setMachine(out, 0xAA64)
	case "MISSING_DEPENDENCY":
	default:
		return t.BuildDLL(out, src, flags...)
	}
	// Linked against a DLL that is then removed.
	sub, err := os.MkdirTemp(dir, "gone")
	if err != nil {
		return err
	}
	defer os.RemoveAll(sub)
	gone := filepath.Join(sub, "gone.c")
	if err := os.WriteFile(gone, []byte("__declspec(dllexport) void gone(void) {}\n"), 0o644); err != nil {
		return err
	}
	dep := filepath.Join(sub, "mapiconf-gone.dll")
	if err := t.BuildDLL(dep, gone); err != nil {
		return err
	}
	return t.BuildDLL(out, src, append(flags, dep)...)
}

// setMachine writes machine into the PE file header of the DLL at path.
func setMachine(path string, machine uint16) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if len(b) < 0x40 {
		return fmt.Errorf("%s: too short for a PE file", path)
	}
	at := int(binary.LittleEndian.Uint32(b[0x3C:])) + 4 // after "PE\0\0"
	if at+2 > len(b) {
		return fmt.Errorf("%s: no PE header", path)
	}
	binary.LittleEndian.PutUint16(b[at:], machine)
	return os.WriteFile(path, b, 0o644)
}
