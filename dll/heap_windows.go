//go:build windows

package dll

import (
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// Heap damage a provider does shows late or never: Windows' heap may end
// the process at a later allocation, Wine's refuses a double free quietly.
// So the adapter looks for it where it happens. With the guard, HeapFree in
// the provider's import table is the guard's guardHeapFree, which refuses
// a block the heap does not hold and notes it: the call in progress fails
// naming it. And before every provider (each spec's first call) the
// process's heaps are validated (HeapValidate), so that damage done by other
// means fails the next spec, naming what ran last.

// heapDamageMem is guard.c's HeapDamage.
type heapDamageMem struct {
	count               atomic.Int32
	_                   int32
	heap, block, caller uint64
	call                uint64 // the *fault of the guarded call it happened in, or 0
}

// A HeapDamage is a free the guard refused: a block its heap does not
// hold, freed twice or never allocated there.
type HeapDamage struct {
	Call        string // the call in progress
	Heap, Block uint64
	Caller      string // the provider's code that called HeapFree
	Count       int32  // refused frees so far
}

func (h *HeapDamage) Error() string {
	return fmt.Sprintf("%s freed memory that is not allocated: HeapFree(0x%X, 0, 0x%X) called at %s, a block the heap does not hold (freed already, or never allocated there); Windows' heap may end the process on such a free, Wine's refuses it quietly (%d refused so far)",
		h.Call, h.Heap, h.Block, h.Caller, h.Count)
}

// watchHeap puts the guard's guardHeapFree in place of HeapFree in the
// import table of the module, and keeps where the guard notes what it
// refused.
func (l *Library) watchHeap(guard *syscall.DLL) error {
	free, err := guard.FindProc("guardHeapFree")
	if err != nil {
		return err
	}
	damage, err := guard.FindProc("guardHeapDamage")
	if err != nil {
		return err
	}
	r, _, _ := syscall.SyscallN(damage.Addr())
	l.damage = *(**heapDamageMem)(unsafe.Pointer(&r))
	l.damageSeen = l.damage.count.Load()
	patchImport(uintptr(l.module), "HeapFree", free.Addr())
	return nil
}

// checkHeap panics with the free the guard refused since the last look,
// in the guarded call whose fault is f: the call the free happened in (an
// outer call is told when it returns), or any, for a free on a thread the
// provider started.
func (l *Library) checkHeap(call string, f *fault) {
	n := l.damage.count.Load()
	if n == l.damageSeen {
		return
	}
	if in := l.damage.call; in != 0 && in != uint64(uintptr(unsafe.Pointer(f))) {
		return
	}
	l.damageSeen = n
	panic(&HeapDamage{Call: call, Heap: l.damage.heap, Block: l.damage.block, Caller: moduleOf(uintptr(l.damage.caller)), Count: n})
}

// patchImport points every import of the function name in the module at
// base (its import table, kernel32's or an API set's) to fn. The image is
// the library's own, loaded and mapped: reading it cannot fault.
func patchImport(base uintptr, name string, fn uintptr) {
	nt := base + uintptr(peek32(base+0x3C))
	opt := nt + 0x18 // the optional header
	// The import directory is the second data directory; its place and
	// the size of a thunk depend on PE32 (x86) or PE32+ (x64).
	dirs, thunkSize, ordinalFlag := opt+0x70, uintptr(8), uint64(1)<<63
	if peek32(opt)&0xFFFF == 0x10B { // PE32
		dirs, thunkSize, ordinalFlag = opt+0x60, 4, 1<<31
	}
	rva := peek32(dirs + 8)
	if rva == 0 {
		return
	}
	thunkAt := func(a uintptr) uint64 {
		if thunkSize == 4 {
			return uint64(peek32(a))
		}
		return uint64(peek32(a)) | uint64(peek32(a+4))<<32
	}
	for d := base + uintptr(rva); peek32(d+12) != 0; d += 20 { // IMAGE_IMPORT_DESCRIPTOR: Name at 12
		names, iat := peek32(d), peek32(d+16) // OriginalFirstThunk, FirstThunk
		if names == 0 {
			names = iat
		}
		for i := uintptr(0); ; i += thunkSize {
			thunk := thunkAt(base + uintptr(names) + i)
			if thunk == 0 {
				break
			}
			if thunk&ordinalFlag != 0 || cName(base+uintptr(thunk)+2) != name {
				continue
			}
			slot := base + uintptr(iat) + i
			var old uint32
			const pageReadWrite = 0x04
			procVirtualProtect.Call(slot, thunkSize, pageReadWrite, uintptr(unsafe.Pointer(&old)))
			poke(slot, fn) // a pointer's size: the thunk's
			procVirtualProtect.Call(slot, thunkSize, uintptr(old), uintptr(unsafe.Pointer(&old)))
		}
	}
}

// cName reads a NUL-terminated name from a loaded image, which is the
// library's own and mapped.
func cName(addr uintptr) string {
	var b strings.Builder
	for ; ; addr++ {
		c := byte(peek32(addr))
		if c == 0 {
			return b.String()
		}
		b.WriteByte(c)
	}
}

var (
	procVirtualProtect  = kernel32.NewProc("VirtualProtect")
	procGetProcessHeaps = kernel32.NewProc("GetProcessHeaps")
	procHeapValidate    = kernel32.NewProc("HeapValidate")
)

// validateHeaps validates every heap of the process, the provider's
// included (HeapValidate); what it finds damaged was damaged by the calls
// before, which the error names.
func (l *Library) validateHeaps() error {
	// SyscallN, not Proc.Call, whose arguments escape: heaps stays on the
	// stack. This runs for every provider (13 to 20 µs under Wine).
	var heaps [64]uintptr
	n, _, _ := syscall.SyscallN(procGetProcessHeaps.Addr(), uintptr(len(heaps)), uintptr(unsafe.Pointer(&heaps[0])))
	for _, h := range heaps[:min(int(n), len(heaps))] {
		if ok, _, _ := syscall.SyscallN(procHeapValidate.Addr(), h, 0, 0); ok == 0 {
			return fmt.Errorf("dll: %s: the heap 0x%X is damaged (HeapValidate): the provider wrote past a block, or freed one twice, in the calls before this spec (the last: %s)", l.Path, h, l.rec.last())
		}
	}
	return nil
}
