//go:build windows

package dll

import (
	"errors"
	"fmt"
	"path/filepath"
	"syscall"
	"unsafe"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
)

// CurrentSPIVersion is CURRENT_SPI_VERSION of mapispi.h: the version of the
// service provider interface MAPI passes to MSProviderInit.
const CurrentSPIVersion = 0x00010010

// Options adjust how a DLL is loaded.
type Options struct {
	// Guard is the path of mapiconf-guard.dll (built from dll/guard/guard.c):
	// every call into the provider goes through its exception frame, so
	// that a crash fails the spec it happened in instead of ending the
	// process. Empty: calls are made directly, and a crash ends the run.
	Guard string
}

// A Library is a loaded provider DLL.
type Library struct {
	Path   string
	module *syscall.DLL
	init   uintptr // MSProviderInit
	guard  uintptr // guardedCall, or 0
	malloc uintptr // the IMalloc MSProviderInit gets, from CoGetMalloc
}

// Open loads the DLL at path and checks its MSProviderInit once: it must be
// exported, return S_OK with a provider, and speak MAPI's SPI version. The
// provider of that check is shut down and released at once. Every failure
// is one error that says which of these went wrong.
func Open(path string, opts Options) (*Library, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	l := &Library{Path: abs}
	if opts.Guard != "" {
		g, err := syscall.LoadDLL(opts.Guard)
		if err != nil {
			return nil, fmt.Errorf("dll: loading the guard %s: %w", opts.Guard, err)
		}
		p, err := g.FindProc("guardedCall")
		if err != nil {
			return nil, fmt.Errorf("dll: %s is not mapiconf's guard: %w", opts.Guard, err)
		}
		l.guard = p.Addr()
	}
	l.module, err = syscall.LoadDLL(abs)
	if err != nil {
		return nil, fmt.Errorf("dll: loading %s: %w (a 64-bit DLL is needed; see docs/dll.md)", abs, err)
	}
	proc, err := l.module.FindProc("MSProviderInit")
	if err != nil {
		return nil, fmt.Errorf("dll: %s exports no MSProviderInit, the entry point of a message store provider (msproviderinit.md): %w", abs, err)
	}
	l.init = proc.Addr()
	ole32 := syscall.NewLazyDLL("ole32.dll")
	var m uintptr
	if r, _, _ := ole32.NewProc("CoGetMalloc").Call(1, uintptr(unsafe.Pointer(&m))); r == 0 {
		l.malloc = m
	}
	p, err := l.NewProvider()
	if err != nil {
		return nil, err
	}
	p.Shutdown(0)
	p.Release()
	return l, nil
}

// initOut is what MSProviderInit returns through its pointers.
type initOut struct {
	version  uint32
	provider uintptr
}

// NewProvider calls MSProviderInit(HINSTANCE hInstance, LPMALLOC lpMalloc,
// LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER, ULONG ulFlags, ULONG
// ulMAPIVer, ULONG *lpulProviderVer, LPMSPROVIDER *lppMSProvider) as MAPI
// does, and returns the provider with the one reference MAPI holds.
func (l *Library) NewProvider() (p mapi.IMSProvider, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, ok := r.(*Crash)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("dll: %s: %w", l.Path, c)
		}
	}()
	out := new(initOut)
	r := l.call(l.init, "MSProviderInit", uintptr(l.module.Handle), l.malloc, allocateBuffer, allocateMore, freeBuffer,
		0, CurrentSPIVersion, uintptr(unsafe.Pointer(&out.version)), uintptr(unsafe.Pointer(&out.provider)))
	if err := result(r); err != nil {
		return nil, fmt.Errorf("dll: %s: MSProviderInit returned %v", l.Path, err)
	}
	if out.provider == 0 {
		return nil, errors.New("dll: " + l.Path + ": MSProviderInit returned S_OK and a NULL provider")
	}
	if out.version>>16 != CurrentSPIVersion>>16 {
		prov := provider{object{l, out.provider, "IMSProvider"}}
		prov.Release()
		return nil, fmt.Errorf("dll: %s: MSProviderInit reports SPI version 0x%08X; MAPI speaks 0x%08X (CURRENT_SPI_VERSION)",
			l.Path, out.version, CurrentSPIVersion)
	}
	return provider{object{l, out.provider, "IMSProvider"}}, nil
}

// Config is the conformance adapter of the DLL: a fresh provider from
// MSProviderInit for every spec, in the profile and with the capabilities
// the provider's author declares.
func (l *Library) Config(profile conformance.Profile, caps conformance.Capabilities) conformance.Config {
	return conformance.Config{
		Name:         filepath.Base(l.Path),
		NewProvider:  l.NewProvider,
		Profile:      profile,
		Capabilities: caps,
	}
}
