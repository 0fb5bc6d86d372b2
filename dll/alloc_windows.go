//go:build windows

package dll

import (
	"sync"
	"syscall"

	"github.com/mapiconf/mapiconf/mapi"
)

// MAPI's allocators, as MSProviderInit receives them (mapiallocatebuffer.md,
// mapiallocatemore.md, mapifreebuffer.md): MAPIAllocateBuffer makes a
// buffer, MAPIAllocateMore links more memory to it, and MAPIFreeBuffer frees
// a buffer with everything linked to it. Blocks come from the process heap;
// each has a header that chains the blocks of one buffer.
//
//	header: next block of the same buffer (0 at the end), then padding to 16
//	bytes so that the memory handed out is aligned as HeapAlloc's.
const headerSize = 16

var (
	allocMu sync.Mutex // guards the chains: AllocateMore may run on any thread

	allocateBuffer = syscall.NewCallback(mapiAllocateBuffer)
	allocateMore   = syscall.NewCallback(mapiAllocateMore)
	freeBuffer     = syscall.NewCallback(mapiFreeBuffer)
)

func heapAlloc(size uintptr) uintptr {
	heap, _, _ := procGetProcessHeap.Call()
	const zeroMemory = 0x8
	p, _, _ := procHeapAlloc.Call(heap, zeroMemory, size)
	return p
}

func heapFree(p uintptr) {
	heap, _, _ := procGetProcessHeap.Call()
	procHeapFree.Call(heap, 0, p)
}

// mapiAllocateBuffer is SCODE MAPIAllocateBuffer(ULONG cbSize, LPVOID *lppBuffer).
func mapiAllocateBuffer(size, out uintptr) uintptr {
	if out == 0 {
		return uintptr(mapi.ErrInvalidParameter)
	}
	block := heapAlloc(headerSize + uintptr(uint32(size)))
	if block == 0 {
		poke(out, 0)
		return uintptr(errNotEnoughMemory)
	}
	poke(out, block+headerSize)
	return 0
}

// mapiAllocateMore is SCODE MAPIAllocateMore(ULONG cbSize, LPVOID lpObject,
// LPVOID *lppBuffer): the new block goes into lpObject's chain, right after
// its first block.
func mapiAllocateMore(size, object, out uintptr) uintptr {
	if out == 0 || object == 0 {
		return uintptr(mapi.ErrInvalidParameter)
	}
	block := heapAlloc(headerSize + uintptr(uint32(size)))
	if block == 0 {
		poke(out, 0)
		return uintptr(errNotEnoughMemory)
	}
	head := object - headerSize
	allocMu.Lock()
	poke(block, peek(head))
	poke(head, block)
	allocMu.Unlock()
	poke(out, block+headerSize)
	return 0
}

// mapiFreeBuffer is ULONG MAPIFreeBuffer(LPVOID lpBuffer): it frees the
// buffer and every block MAPIAllocateMore linked to it.
func mapiFreeBuffer(buffer uintptr) uintptr {
	if buffer == 0 {
		return 0
	}
	allocMu.Lock()
	defer allocMu.Unlock()
	for block := buffer - headerSize; block != 0; {
		next := peek(block)
		heapFree(block)
		block = next
	}
	return 0
}

// errNotEnoughMemory is MAPI_E_NOT_ENOUGH_MEMORY (E_OUTOFMEMORY).
const errNotEnoughMemory mapi.HResult = 0x8007000E

// freeMAPIBuffer frees a buffer the DLL allocated with our allocators and
// handed to MAPI (spooler security data, a MAPIERROR, property values).
func freeMAPIBuffer(p uintptr) { mapiFreeBuffer(p) }

// cBytes copies b into a NUL-terminated buffer on the Go heap, which does
// not move, for a string parameter.
func cBytes(s string) *byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return &b[0]
}
