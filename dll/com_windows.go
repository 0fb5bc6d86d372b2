//go:build windows

package dll

import (
	"fmt"
	"syscall"
	"unicode/utf16"
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

var exceptionNames = map[uint32]string{
	0xC0000005: "EXCEPTION_ACCESS_VIOLATION",
	0xC000001D: "EXCEPTION_ILLEGAL_INSTRUCTION",
	0xC0000094: "EXCEPTION_INT_DIVIDE_BY_ZERO",
	0xC00000FD: "EXCEPTION_STACK_OVERFLOW",
	0xC0000096: "EXCEPTION_PRIV_INSTRUCTION",
	0xC0000006: "EXCEPTION_IN_PAGE_ERROR",
	0x80000003: "EXCEPTION_BREAKPOINT",
	0xC0000409: "STATUS_STACK_BUFFER_OVERRUN",
	0xE06D7363: "a C++ exception (0xE06D7363)",
}

func (c *Crash) Error() string {
	name := exceptionNames[c.Code]
	if name == "" {
		name = "exception"
	}
	s := fmt.Sprintf("%s crashed: %s (0x%08X) at %s", c.Call, name, c.Code, c.Module)
	if c.Code == 0xC0000005 && len(c.Info) == 2 {
		op := map[uintptr]string{0: "reading", 1: "writing", 8: "executing"}[c.Info[0]]
		s += fmt.Sprintf(", %s address 0x%X", op, c.Info[1])
	}
	return s
}

// fault is guard.c's Fault.
type fault struct {
	code    uintptr
	address uintptr
	info    [2]uintptr
	ninfo   uintptr
}

// callSlot calls slot n of a COM object's vtable with the object and args.
// It is marked like syscall.SyscallN: a pointer converted to uintptr in its
// arguments escapes to the heap, so memory the DLL writes through stays put
// even if a callback into Go moves the calling goroutine's stack.
//
//go:uintptrescapes
func (l *Library) callSlot(obj uintptr, slot int, name string, args ...uintptr) uintptr {
	vtbl := peek(obj)
	fn := peek(vtbl + uintptr(slot)*unsafe.Sizeof(uintptr(0)))
	return l.call(fn, name, append([]uintptr{obj}, args...)...)
}

// call calls fn, inside the guard's exception frame when there is a
// guard. A fault becomes a panic with a *Crash.
//
//go:uintptrescapes
func (l *Library) call(fn uintptr, name string, args ...uintptr) uintptr {
	if l.guard == 0 {
		r, _, _ := syscall.SyscallN(fn, args...)
		return r
	}
	var a [16]uintptr
	if len(args) > len(a) {
		panic(fmt.Sprintf("dll: %s takes %d arguments; the guard passes at most %d", name, len(args), len(a)))
	}
	copy(a[:], args)
	buf := &guardCall{args: a}
	r, _, _ := syscall.SyscallN(l.guard, fn, uintptr(unsafe.Pointer(&buf.args)), uintptr(unsafe.Pointer(&buf.fault)))
	if buf.fault.code != 0 {
		f := buf.fault
		panic(&Crash{Call: name, Code: uint32(f.code), Address: f.address, Module: moduleOf(f.address),
			Info: f.info[:min(int(f.ninfo), 2)]})
	}
	return r
}

// guardCall is the memory one guarded call shares with guard.c: on the
// heap, since the DLL writes it while callbacks may move Go stacks.
type guardCall struct {
	args  [16]uintptr
	fault fault
}

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

// result turns an HRESULT into the model's error: nil for success codes,
// warnings included.
func result(r uintptr) error {
	h := mapi.HResult(uint32(r))
	if h.Failed() {
		return h
	}
	return nil
}

// Memory the DLL owns is read and written through these, which say in one
// place that the address came from native code.

func peek(addr uintptr) uintptr { return **(**uintptr)(unsafe.Pointer(&addr)) }

func poke(addr, v uintptr) { **(**uintptr)(unsafe.Pointer(&addr)) = v }

func peek32(addr uintptr) uint32 { return **(**uint32)(unsafe.Pointer(&addr)) }

func poke32(addr uintptr, v uint32) { **(**uint32)(unsafe.Pointer(&addr)) = v }

func peekBytes(addr uintptr, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = **(**byte)(unsafe.Pointer(&addr))
		addr++
	}
	return out
}

// cString reads a NUL-terminated 8-bit string.
func cString(addr uintptr) string {
	var b []byte
	for ; addr != 0; addr++ {
		c := **(**byte)(unsafe.Pointer(&addr))
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}

// wString reads a NUL-terminated UTF-16 string.
func wString(addr uintptr) string {
	var u []uint16
	for ; addr != 0; addr += 2 {
		c := **(**uint16)(unsafe.Pointer(&addr))
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

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
