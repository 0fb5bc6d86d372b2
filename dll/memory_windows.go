//go:build windows

package dll

import (
	"fmt"
	"sync/atomic"
	"syscall"
	"unicode/utf16"
	"unsafe"
)

// Memory the DLL handed over (an out-parameter's target, a flags word, a
// property array, a string) is read and written only through the functions
// here: a bad pointer is then an error naming the call, the parameter and
// the address, never a fault in Go's own code, which the Go runtime cannot
// survive. With the guard the access is made inside its exception frame
// (guardCopy); without it, the pages are asked first (VirtualQuery).

// A BadPointer is a pointer the DLL handed over that does not point to
// memory the access can use.
type BadPointer struct {
	Call  string  // the method that was given it, e.g. "IMAPISupport::StoreLogoffTransports"
	Param string  // the parameter, e.g. "lpulFlags"
	Addr  uintptr // the pointer
	Write bool    // a write through it, not a read
	Fault uint32  // the exception the access raised, or 0 if the pages were refused beforehand
}

func (b *BadPointer) Error() string {
	op := "read"
	if b.Write {
		op = "written"
	}
	why := "no memory of the process's there"
	if b.Fault != 0 {
		why = fmt.Sprintf("%s (0x%08X)", exceptionName(b.Fault), b.Fault)
	}
	return fmt.Sprintf("%s got %s = 0x%X from the provider, which cannot be %s: %s", b.Call, b.Param, b.Addr, op, why)
}

// guardCopy is the guard's guardCopy, once a library with a guard is open:
// the support's callbacks and the allocators serve every library.
var guardCopy atomic.Uintptr

// readInto copies n bytes from addr, the DLL's, into Go memory at dst;
// writeFrom copies n bytes of Go memory at src to addr, the DLL's. Each
// returns the exception code of a faulting access, or 0. The Go memory may
// be on the goroutine's stack: the guard's copy calls no Go code, so the
// stack cannot move while it runs, and the conversion to uintptr in the
// argument list of syscall.SyscallN keeps it alive (unsafe.Pointer's rule
// 4). A read or write allocates nothing.
func readInto(dst unsafe.Pointer, addr, n uintptr) (ok bool, code uint32) {
	if n == 0 {
		return true, 0
	}
	if g := guardCopy.Load(); g != 0 {
		var f fault
		r, _, _ := syscall.SyscallN(g, uintptr(dst), addr, n, uintptr(unsafe.Pointer(&f)))
		return r != 0, uint32(f.code)
	}
	if !usable(addr, n, false) {
		return false, 0
	}
	copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice(*(**byte)(unsafe.Pointer(&addr)), n))
	return true, 0
}

func writeFrom(addr uintptr, src unsafe.Pointer, n uintptr) (ok bool, code uint32) {
	if n == 0 {
		return true, 0
	}
	if g := guardCopy.Load(); g != 0 {
		var f fault
		r, _, _ := syscall.SyscallN(g, addr, uintptr(src), n, uintptr(unsafe.Pointer(&f)))
		return r != 0, uint32(f.code)
	}
	if !usable(addr, n, true) {
		return false, 0
	}
	copy(unsafe.Slice(*(**byte)(unsafe.Pointer(&addr)), n), unsafe.Slice((*byte)(src), n))
	return true, 0
}

// usable asks Windows whether [addr, addr+n) is committed memory that can
// be read (or written), page range by page range.
func usable(addr, n uintptr, write bool) bool {
	const (
		memCommit      = 0x1000
		pageNoAccess   = 0x01
		pageGuard      = 0x100
		pageReadonly   = 0x02
		pageExecRead   = 0x20
		pageExecute    = 0x10
		pageWritecopy  = 0x08
		pageExecWrcopy = 0x80
	)
	if addr < 0x10000 || addr+n < addr {
		return false // the first 64 KB are never mapped on Windows
	}
	for end := addr + n; addr < end; {
		var mbi memoryBasicInformation
		// SyscallN, not Proc.Call, whose arguments escape: mbi stays on the stack.
		if r, _, _ := syscall.SyscallN(procVirtualQuery.Addr(), addr, uintptr(unsafe.Pointer(&mbi)), unsafe.Sizeof(mbi)); r == 0 {
			return false
		}
		p := mbi.Protect
		if mbi.State != memCommit || p&(pageNoAccess|pageGuard) != 0 || p&0xFF == pageExecute {
			return false
		}
		if write && (p&0xFF == pageReadonly || p&0xFF == pageExecRead || p&0xFF == pageWritecopy || p&0xFF == pageExecWrcopy) {
			return false
		}
		addr = mbi.BaseAddress + mbi.RegionSize
	}
	return true
}

// memoryBasicInformation is MEMORY_BASIC_INFORMATION for this process's
// bitness: x64 has a WORD PartitionId in the padding after
// AllocationProtect, x86 no padding there, so RegionSize is at 24 or 12,
// which Go's alignment of a uintptr gives without naming the field.
type memoryBasicInformation struct {
	BaseAddress       uintptr
	AllocationBase    uintptr
	AllocationProtect uint32
	RegionSize        uintptr
	State             uint32
	Protect           uint32
	Type              uint32
}

// sizeofMBI is sizeof(MEMORY_BASIC_INFORMATION), winnt.h: 48 bytes on x64,
// 28 on x86; checked at compile time for the bitness built.
const sizeofMBI = 28 + 20*(unsafe.Sizeof(uintptr(0))/8)

var _ [sizeofMBI - unsafe.Sizeof(memoryBasicInformation{})]byte
var _ [unsafe.Sizeof(memoryBasicInformation{}) - sizeofMBI]byte

var procVirtualQuery = kernel32.NewProc("VirtualQuery")

// readMem reads n bytes at addr, the DLL's.
func readMem(call, param string, addr uintptr, n int) ([]byte, error) {
	b := make([]byte, n)
	if n == 0 {
		return b, nil
	}
	return b, readTo(call, param, unsafe.Pointer(&b[0]), addr, uintptr(n))
}

// readTo reads n bytes at addr, the DLL's, into Go memory at dst.
func readTo(call, param string, dst unsafe.Pointer, addr, n uintptr) error {
	if ok, code := readInto(dst, addr, n); !ok {
		return &BadPointer{Call: call, Param: param, Addr: addr, Fault: code}
	}
	return nil
}

func read32(call, param string, addr uintptr) (uint32, error) {
	var v uint32
	err := readTo(call, param, unsafe.Pointer(&v), addr, 4)
	return v, err
}

func readPtr(call, param string, addr uintptr) (uintptr, error) {
	var v uintptr
	err := readTo(call, param, unsafe.Pointer(&v), addr, unsafe.Sizeof(v))
	return v, err
}

func write32(call, param string, addr uintptr, v uint32) error {
	if ok, code := writeFrom(addr, unsafe.Pointer(&v), 4); !ok {
		return &BadPointer{Call: call, Param: param, Addr: addr, Write: true, Fault: code}
	}
	return nil
}

func writePtr(call, param string, addr, v uintptr) error {
	if ok, code := writeFrom(addr, unsafe.Pointer(&v), unsafe.Sizeof(v)); !ok {
		return &BadPointer{Call: call, Param: param, Addr: addr, Write: true, Fault: code}
	}
	return nil
}

// readString reads a NUL-terminated string of 8-bit (width 1) or UTF-16
// (width 2) characters, never past the page the string ends in, in pieces
// of at most a chunk: a short string, as a display name is, is one read into
// the stack and one allocation, the string's.
func readString(call, param string, addr uintptr, width int) (string, error) {
	const page, limit = 4096, 1 << 16
	var chunk [64]byte
	var b []byte // what was read before this chunk
	for p := addr; len(b) < limit; {
		n := min(len(chunk), int(page-p%page))
		if n < width {
			n = width // a character across the page's end
		}
		if err := readTo(call, param, unsafe.Pointer(&chunk[0]), p, uintptr(n)); err != nil {
			err.(*BadPointer).Addr = addr
			return "", err
		}
		for i := 0; i+width <= n; i += width {
			if chunk[i] == 0 && (width == 1 || chunk[i+1] == 0) {
				if b == nil {
					return decode(chunk[:i], width), nil // the usual string: one allocation
				}
				return decode(append(b, chunk[:i]...), width), nil
			}
		}
		n = n / width * width
		b = append(b, chunk[:n]...)
		p += uintptr(n)
	}
	return decode(b, width), nil // no NUL within 64 KB: what was read
}

func decode(b []byte, width int) string {
	if width == 1 {
		return string(b)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}
