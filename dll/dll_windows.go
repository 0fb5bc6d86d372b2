//go:build windows

package dll

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
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

	// CallTimeout bounds MSProviderInit, as conformance.Config.CallTimeout
	// bounds the calls of a spec (default 2s); loading the DLL, its
	// DllMain included, gets five times as long.
	CallTimeout time.Duration

	// Record is a file in which each call into the DLL is noted as it
	// starts and returns, for the process that started this one to read
	// if the DLL ends this one (ReadCallRecord); with the guard, a crash on
	// a thread the provider started is noted there too, and ends the
	// process. Empty: the calls are noted in memory only.
	Record string

	// ContinueAfterHang lets specs go on after a call into the DLL hung.
	// By default every provider asked for after that is refused, naming
	// the hung call: the hung call's thread is still in the DLL, holding
	// whatever it holds, and a DLL that hangs in every spec would
	// otherwise cost a call timeout per spec.
	ContinueAfterHang bool
}

// A Library is a loaded provider DLL.
type Library struct {
	Path   string
	module syscall.Handle
	init   uintptr // MSProviderInit
	guard  uintptr // guardedCall, or 0
	malloc uintptr // the IMalloc MSProviderInit gets, from CoGetMalloc
	opts   Options
	rec    *callRecord
	stuck  atomic.Bool
	// damage is where the guard notes the frees it refused (heap_windows.go),
	// damageSeen how many were reported.
	damage     *heapDamageMem
	damageSeen int32
	guardDLL   *syscall.DLL
	bad        atomic.Pointer[BadPointer] // a bad pointer a callback was given, for the call in progress to report
}

// Open loads the DLL at path and checks its MSProviderInit once: it must be
// exported, return S_OK with a provider, and speak MAPI's SPI version. The
// provider of that check is shut down and released at once. Every failure
// is one error that says which of these went wrong; a DLL that does not
// load is a *LoadError.
func Open(path string, opts Options) (*Library, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 2 * time.Second
	}
	l := &Library{Path: abs, opts: opts}
	if l.rec, err = newCallRecord(opts.Record); err != nil {
		return nil, err
	}
	if opts.Guard != "" {
		if err := l.loadGuard(opts.Guard); err != nil {
			return nil, err
		}
	}
	if l.module, err = load(abs, 5*opts.CallTimeout, l.rec); err != nil {
		return nil, err
	}
	if l.guardDLL != nil {
		if err := l.watchHeap(l.guardDLL); err != nil {
			return nil, fmt.Errorf("dll: %s is not this mapiconf's guard (rebuild it: dll.BuildGuard): %w", opts.Guard, err)
		}
	}
	// MAPI looks the entry point up by its undecorated name; one declared
	// __stdcall exports a decorated name instead (on x86), said apart.
	proc, err := syscall.GetProcAddress(l.module, entryPoint)
	if err != nil {
		if img, ierr := Inspect(abs); ierr == nil {
			return nil, fmt.Errorf("dll: %w", img.CheckEntryPoint(abs))
		}
		return nil, fmt.Errorf("dll: %w: %w", noEntryPoint(abs), err)
	}
	l.init = proc
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

// loadGuard loads mapiconf-guard.dll and takes its entry points; with a
// call record, its filter for crashes on the provider's threads is set.
func (l *Library) loadGuard(path string) error {
	g, err := syscall.LoadDLL(path)
	if err != nil {
		return fmt.Errorf("dll: loading the guard %s: %w", path, err)
	}
	var procs [3]uintptr
	for i, name := range []string{"guardedCall", "guardCopy", "guardWatch"} {
		p, err := g.FindProc(name)
		if err != nil {
			return fmt.Errorf("dll: %s is not this mapiconf's guard (rebuild it: dll.BuildGuard): %w", path, err)
		}
		procs[i] = p.Addr()
	}
	l.guard, l.guardDLL = procs[0], g
	guardCopy.Store(procs[1])
	if l.opts.Record != "" {
		syscall.SyscallN(procs[2], uintptr(unsafe.Pointer(&l.rec.m.crash)))
	}
	return nil
}

// initOut is what MSProviderInit returns through its pointers.
type initOut struct {
	version  uint32
	provider uintptr
}

// NewProvider calls MSProviderInit(HINSTANCE hInstance, LPMALLOC lpMalloc,
// LPALLOCATEBUFFER, LPALLOCATEMORE, LPFREEBUFFER, ULONG ulFlags, ULONG
// ulMAPIVer, ULONG *lpulProviderVer, LPMSPROVIDER *lppMSProvider) as MAPI
// does, and returns the provider with the one reference MAPI holds. The
// call is bounded by Options.CallTimeout; once a call into the DLL hung,
// every provider is refused (Options.ContinueAfterHang).
func (l *Library) NewProvider() (mapi.IMSProvider, error) {
	if err := l.hung(); err != nil {
		return nil, err
	}
	if err := l.validateHeaps(); err != nil {
		return nil, err
	}
	type answer struct {
		p   mapi.IMSProvider
		err error
	}
	done := make(chan answer, 1)
	go func() {
		p, err := l.newProvider()
		done <- answer{p, err}
	}()
	t := time.NewTimer(l.opts.CallTimeout)
	defer t.Stop()
	select {
	case a := <-done:
		return a.p, a.err
	case <-t.C:
		return nil, fmt.Errorf("dll: %s: MSProviderInit did not return within %v: it hangs", l.Path, l.opts.CallTimeout)
	}
}

// hung refuses a new provider while a call into the DLL has not returned
// for a call timeout: a spec starts with no call of its own in progress.
func (l *Library) hung() error {
	if l.opts.ContinueAfterHang || l.rec.inflight.Load() == 0 {
		return nil
	}
	for end := time.Now().Add(l.opts.CallTimeout); !l.stuck.Load() && time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if l.rec.inflight.Load() == 0 {
			return nil
		}
	}
	l.stuck.Store(true)
	return fmt.Errorf("dll: %s: not called again: an earlier call into it never returned (%s); its thread is still in the DLL, holding what it holds, so no later spec could be trusted. Fix that hang first", l.Path, l.rec.inProgress())
}

func (l *Library) newProvider() (p mapi.IMSProvider, err error) {
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(error)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("dll: %s: %w", l.Path, e)
		}
	}()
	out := new(initOut)
	// STDMAPIINITCALLTYPE: __cdecl, the caller removes the arguments.
	r := l.call(l.init, cdecl, "MSProviderInit", uintptr(l.module), l.malloc, allocateBuffer, allocateMore, freeBuffer,
		0, CurrentSPIVersion, uintptr(unsafe.Pointer(&out.version)), uintptr(unsafe.Pointer(&out.provider)))
	if h := mapi.HResult(uint32(r)); h.Failed() {
		return nil, fmt.Errorf("dll: %s: MSProviderInit returned %v", l.Path, h)
	}
	if out.provider == 0 {
		return nil, errors.New("dll: " + l.Path + ": MSProviderInit returned S_OK and a NULL provider")
	}
	if out.version>>16 != CurrentSPIVersion>>16 {
		prov := providerObject(l, out.provider)
		prov.Release()
		return nil, fmt.Errorf("dll: %s: MSProviderInit reports SPI version 0x%08X; MAPI speaks 0x%08X (CURRENT_SPI_VERSION)",
			l.Path, out.version, CurrentSPIVersion)
	}
	return providerObject(l, out.provider), nil
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
