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
// notes it as late (RULES.md revision 4), for as long as the MAPI lives,
// whatever the garbage collector does meanwhile; once the MAPI is gone, so
// is the support, with everything it held, and a call on it is answered
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
	m, addr := endedRun(t, lib)
	release := func() uintptr {
		r, _, _ := syscall.SyscallN(supportVtbl[slotRelease], addr)
		return r
	}

	runtime.GC()
	runtime.GC()
	release()
	late := m.Late()
	if len(late) != 1 || late[0].Event.Method != "Release" {
		t.Fatalf("a Release of support 1 after its store ended and the provider's final Release, with the MAPI still held: Late() = %+v, want that Release", late)
	}
	runtime.KeepAlive(m)

	m = nil
	runtime.GC()
	runtime.GC()
	if r := release(); r != uintptr(mapi.ErrInvalidObject) {
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
