//go:build windows

package dll

import (
	"fmt"
	"sync"
	"syscall"
	"unsafe"

	"github.com/mapiconf/mapiconf/mapi"
)

// A Crash is an exception that ended a call into the DLL: an access
// violation, say. The guard caught it; the adapter panics with it inside the
// Go method that made the call, so the suite reports it as it reports a Go
// provider's panic: the spec fails naming the call, and the run goes on.
type Crash struct {
	Call    string  // the method, e.g. "IMsgStore::StoreLogoff"
	Code    uint32  // the exception code, e.g. 0xC0000005
	Address uintptr // where it happened
	Module  string  // the DLL that holds Address, and the offset in it
	Info    []uintptr
}

func (c *Crash) Error() string {
	if c.Code == stackImbalance && len(c.Info) == 2 {
		return c.imbalance()
	}
	s := fmt.Sprintf("%s crashed: %s (0x%08X) at %s", c.Call, exceptionName(c.Code), c.Code, c.Module)
	if c.Code == 0xC0000005 && len(c.Info) == 2 {
		op := map[uintptr]string{0: "reading", 1: "writing", 8: "executing"}[c.Info[0]]
		s += fmt.Sprintf(", %s address 0x%X", op, c.Info[1])
	}
	switch c.Code {
	case 0xC00000FD:
		s += " (the stack was unwound to the call and its guard page set again)"
	case 0xE06D7363:
		s += " thrown out of the call and not caught in the provider (a COM method must not let one escape)"
	}
	return s
}

// stackImbalance is guard.c's STACK_IMBALANCE: on x86, a call returned
// but took other than its convention's bytes of arguments off the stack
// (Info: what it took, what it should have).
const stackImbalance = 0xE0535450

// imbalance says what a call that left the stack unbalanced did, and the
// fix: on x86 the caller and the callee agree on who removes the
// arguments, or the stack pointer ends wrong and the caller's frame is
// corrupted (in Outlook, a crash somewhere later).
func (c *Crash) imbalance() string {
	took, want := c.Info[0], c.Info[1]
	if c.Call == "MSProviderInit" {
		return fmt.Sprintf("MSProviderInit is declared __stdcall: it took %d bytes of arguments off the stack on return, where MAPI calls it __cdecl "+
			"(STDMAPIINITCALLTYPE, mapidefs.h) and removes them itself; in 32-bit Outlook its caller's stack ends %d bytes off. "+
			"Declare it as mapispi.h's MSPROVIDERINIT: HRESULT STDMAPIINITCALLTYPE MSProviderInit(...), with no WINAPI, STDMETHODCALLTYPE or __stdcall", took, took)
	}
	return fmt.Sprintf("%s took %d bytes of arguments off the stack on return, want %d: on x86 a COM method is __stdcall (STDMETHODCALLTYPE) "+
		"and removes exactly its own arguments; declare it STDMETHODCALLTYPE with the parameters of mapidefs.h and mapispi.h "+
		"(in 32-bit Outlook its caller's stack ends %d bytes off)", c.Call, took, want, int64(took)-int64(want))
}

// The calling conventions of guard.c: on x86, COM methods and MAPI's
// allocators are __stdcall (the callee removes its arguments),
// MSProviderInit is __cdecl (STDMAPIINITCALLTYPE); on x64 there is one.
const (
	stdcall = 0
	cdecl   = 1
)

// fault is guard.c's Fault.
type fault struct {
	code    uintptr
	address uintptr
	info    [2]uintptr
	ninfo   uintptr
	phase   uintptr // guard.c's Phase
}

// The guard's phases (guard.c): the guard's own reads of the object.
const (
	phaseReadObject = 1
	phaseReadSlot   = 2
)

// callSlot calls slot n of a COM object's vtable with the object and args.
// It is marked like syscall.SyscallN: a pointer converted to uintptr in its
// arguments escapes to the heap, so memory the DLL writes through stays put
// even if a callback into Go moves the calling goroutine's stack. With the
// guard, the guard reads the vtable, so that a bad object is a caught
// fault; without it, the adapter does. The arguments go into an array on
// the stack (they are plain words by now): a call allocates nothing.
//
//go:uintptrescapes
func (l *Library) callSlot(obj uintptr, slot int, name string, args ...uintptr) uintptr {
	var a [maxArgs]uintptr
	a[0] = obj
	n := 1 + copyArgs(name, a[1:], args)
	if l.guard != 0 {
		return l.guarded(0, slot, stdcall, name, &a, n)
	}
	vtbl := peek(obj)
	fn := peek(vtbl + uintptr(slot)*unsafe.Sizeof(uintptr(0)))
	return l.direct(fn, name, a[:n])
}

// call calls fn in the calling convention conv, inside the guard's
// exception frame when there is a guard. A fault, or on x86 a stack pointer
// the call left other than its convention does, becomes a panic with a
// *Crash. Without a guard, syscall.SyscallN restores the stack pointer
// after either convention, and a crash ends the process.
//
//go:uintptrescapes
func (l *Library) call(fn, conv uintptr, name string, args ...uintptr) uintptr {
	if l.guard != 0 {
		var a [maxArgs]uintptr
		return l.guarded(fn, 0, conv, name, &a, copyArgs(name, a[:], args))
	}
	return l.direct(fn, name, args)
}

// maxArgs is the most arguments a call passes, the object included: the
// guard passes sixteen, and no MAPI method has more.
const maxArgs = 16

func copyArgs(name string, dst, args []uintptr) int {
	if len(args) > len(dst) {
		panic(fmt.Sprintf("dll: %s takes %d arguments; the guard passes at most %d", name, len(args), maxArgs))
	}
	return copy(dst, args)
}

// direct makes one call without the guard, recorded as it starts (l.rec).
func (l *Library) direct(fn uintptr, name string, args []uintptr) uintptr {
	seq := l.rec.begin(name)
	r, _, _ := syscall.SyscallN(fn, args...)
	l.rec.end(seq)
	return r
}

// guarded makes one call through the guard: fn, or with fn 0 the slot of
// the vtable of the object a[0], in the convention conv, with the first n
// words of a. Each call is recorded as it starts (l.rec), so that a
// process the DLL ends can still say which call was running. A fault, or a
// bad pointer the DLL passed the support meanwhile, becomes a panic.
func (l *Library) guarded(fn uintptr, slot int, conv uintptr, name string, a *[maxArgs]uintptr, n int) uintptr {
	buf := guardCalls.Get().(*guardCall)
	buf.args, buf.fault = *a, fault{}
	seq := l.rec.begin(name)
	r, _, _ := syscall.SyscallN(l.guard, fn, uintptr(unsafe.Pointer(&buf.args)), uintptr(unsafe.Pointer(&buf.fault)), uintptr(slot),
		uintptr(n), conv)
	l.rec.end(seq)
	f := buf.fault
	if f.code != 0 {
		guardCalls.Put(buf)
		info := append([]uintptr(nil), f.info[:min(int(f.ninfo), 2)]...) // f stays on the stack
		if f.phase == phaseReadObject || f.phase == phaseReadSlot {
			what, addr := "object", a[0]
			if f.phase == phaseReadSlot {
				what = "object's vtable"
				addr = f.info[1]
			}
			panic(&BadObject{Call: name, What: what, Addr: addr, Code: uint32(f.code), Info: info})
		}
		panic(&Crash{Call: name, Code: uint32(f.code), Address: f.address, Module: moduleOf(f.address), Info: info})
	}
	if l.damage != nil {
		l.checkHeap(name, &buf.fault) // which call's record the heap watch saw: buf is not put back before
	}
	guardCalls.Put(buf)
	if l.bad.Load() != nil {
		if b := l.bad.Swap(nil); b != nil {
			panic(fmt.Errorf("%s: %w", name, b))
		}
	}
	return r
}

// A BadObject is an object pointer the DLL handed over (a store, a logon,
// an object OpenEntry returned) whose vtable cannot be read: freed or
// never valid. The call was not made.
type BadObject struct {
	Call string  // the method that was to be called
	What string  // "object" or "object's vtable"
	Addr uintptr // the pointer that could not be read
	Code uint32
	Info []uintptr
}

func (b *BadObject) Error() string {
	s := fmt.Sprintf("%s could not be called: the %s at 0x%X, as the provider handed it over, cannot be read: %s (0x%08X)",
		b.Call, b.What, b.Addr, exceptionName(b.Code), b.Code)
	if len(b.Info) == 2 {
		s += fmt.Sprintf(" reading address 0x%X", b.Info[1])
	}
	return s + " (a dangling or wild pointer)"
}

// guardCall is the memory one guarded call shares with guard.c: on the
// heap, since the guard writes the fault while callbacks may have moved the
// calling goroutine's stack; pooled, so that a call allocates nothing.
type guardCall struct {
	args  [maxArgs]uintptr
	fault fault
}

var guardCalls = sync.Pool{New: func() any { return new(guardCall) }}

// hresult turns a Go error into the HRESULT a slot returns.
func hresult(err error) uintptr {
	if err == nil {
		return 0
	}
	if h, ok := err.(mapi.HResult); ok {
		return uintptr(h)
	}
	return uintptr(mapi.ErrCallFailed)
}

// result turns an HRESULT into the model's error, exactly: nil for S_OK
// only. A success code other than S_OK (S_FALSE, a MAPI_W_ warning) is an
// HResult whose Failed is false, so that the rules that say S_OK see it.
func result(r uintptr) error {
	if h := mapi.HResult(uint32(r)); h != 0 {
		return h
	}
	return nil
}

// The adapter's own memory (the allocators' block headers), and the
// vtables when there is no guard, are read and written through these, which
// say in one place that the address came from native code.

func peek(addr uintptr) uintptr { return **(**uintptr)(unsafe.Pointer(&addr)) }

func poke(addr, v uintptr) { **(**uintptr)(unsafe.Pointer(&addr)) = v }

func peek32(addr uintptr) uint32 { return **(**uint32)(unsafe.Pointer(&addr)) }

var (
	kernel32              = syscall.NewLazyDLL("kernel32.dll")
	procGetModuleHandleEx = kernel32.NewProc("GetModuleHandleExW")
	procGetModuleFileName = kernel32.NewProc("GetModuleFileNameW")
	procGetProcessHeap    = kernel32.NewProc("GetProcessHeap")
	procHeapAlloc         = kernel32.NewProc("HeapAlloc")
	procHeapFree          = kernel32.NewProc("HeapFree")
)

// moduleOf names the module that holds addr, as "provider.dll+0x1a2b".
func moduleOf(addr uintptr) string {
	const fromAddress, unchangedRefcount = 0x4, 0x2
	var h uintptr
	r, _, _ := procGetModuleHandleEx.Call(fromAddress|unchangedRefcount, addr, uintptr(unsafe.Pointer(&h)))
	if r == 0 || addr < h {
		return fmt.Sprintf("0x%X (in no module)", addr)
	}
	var name [260]uint16
	n, _, _ := procGetModuleFileName.Call(h, uintptr(unsafe.Pointer(&name[0])), uintptr(len(name)))
	full := syscall.UTF16ToString(name[:n])
	base := full
	for i := len(full) - 1; i >= 0; i-- {
		if full[i] == '\\' || full[i] == '/' {
			base = full[i+1:]
			break
		}
	}
	return fmt.Sprintf("%s+0x%X", base, addr-h)
}
