//go:build windows

package dll

import (
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/mapi"
)

// A call on a support, however late, reaches the simulated MAPI, which
// notes it as late (RULES.md revision 4), for as long as the suite keeps
// what it reads late calls from, whatever the garbage collector does
// meanwhile: the named specs keep the MAPI, the enumeration and the
// exploration only its LateLog (mapisim.MAPI.Lates). The DLL's reference to
// the support is invisible to Go, and the adapter's table holds supports
// only weakly (support_windows.go): this is what keeps them reachable. Once
// the suite lets go, the support goes too, and a call on it is answered
// MAPI_E_INVALID_OBJECT without reaching anything. The late call is made
// here as the DLL would make it: through the support's vtable, at the
// address the DLL was given.
func TestLateCallAfterCollections(t *testing.T) {
	dir := os.Getenv("MAPICONF_DLL_TESTDIR")
	if dir == "" {
		t.Skip("MAPICONF_DLL_TESTDIR names no directory of built DLLs (TestUnderWine builds them)")
	}
	lib, err := Open(filepath.Join(dir, "provider.dll"), Options{Guard: os.Getenv("MAPICONF_GUARD")})
	if err != nil {
		t.Fatal(err)
	}
	release := func(addr uintptr) uintptr {
		r, _, _ := syscall.SyscallN(supportVtbl[slotRelease], addr)
		return r
	}
	wantLate := func(what string, late []mapisim.Late) {
		t.Helper()
		if len(late) != 1 || late[0].Event.Method != "Release" {
			t.Errorf("a Release of support 1 after its store ended and the provider's final Release, with %s held: the late calls are %+v, want that Release", what, late)
		}
	}

	// A named spec's MAPI.
	m, addr := endedRun(t, lib)
	runtime.GC()
	runtime.GC()
	release(addr)
	wantLate("the MAPI", m.Late())
	runtime.KeepAlive(m)

	// An enumerated lifecycle's: the suite keeps only the log.
	m, addr = endedRun(t, lib)
	lates := m.Lates()
	m = nil
	runtime.GC()
	runtime.GC()
	release(addr)
	wantLate("only its LateLog", lates.Calls())
	runtime.KeepAlive(lates)

	lates = nil
	runtime.GC()
	runtime.GC()
	if r := release(addr); r != uintptr(mapi.ErrInvalidObject) {
		t.Errorf("a Release of a support whose MAPI is gone returned 0x%X, want MAPI_E_INVALID_OBJECT", r)
	}
	if s := supportTable.find(addr); s != nil {
		t.Errorf("the support table still finds the support of a MAPI that is gone")
	}
}

// endedRun logs on to one store of a provider of lib through the simulated
// MAPI, ends the store and shuts the provider down, and returns the MAPI
// (which holds the provider and nothing else does) and the address of the
// support the provider was given.
func endedRun(t *testing.T, lib *Library) (*mapisim.MAPI, uintptr) {
	p, err := lib.NewProvider()
	if err != nil {
		t.Fatal(err)
	}
	m := mapisim.New(p, mapisim.Options{})
	s, err := m.Logon()
	if err != nil {
		t.Fatal(err)
	}
	s.Client().StoreLogoff(mapi.LogoffOrderly)
	s.Client().Release()
	m.Shutdown()
	if !s.TornDown() {
		t.Fatal("the store was not torn down")
	}
	if late := m.Late(); len(late) != 0 {
		t.Fatalf("the C provider made late calls: %+v", late)
	}
	return m, p.(provider).sups.get(0).addr
}
