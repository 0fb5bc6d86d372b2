package mapisim

import (
	"reflect"
	"runtime"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// Which thread a support call came from. A call the provider makes into
// MAPI from inside a call into it runs on the goroutine that made that
// call, below MAPI.call's frame; one from a thread of the provider's own
// (a timer, a worker, a DLL's thread) has no such frame. The trace orders
// calls by time, and a timer's call may land inside an unrelated call:
// only the stack tells them apart (trace.Event.OwnThread). The rules that
// attribute a call to the call it landed in judge by it and leave such a
// call alone: SS-04 (which store's call it was made for), E-02 (the row's
// last update by the store's own calls), RB-02 (the calls the steps
// brought about). The rules that ask what came during a call (LG-01,
// LG-02: during Logon) take the time order, as the pages do: a provider
// may do its Logon's work on a thread of its own while Logon waits.

// callCode is where MAPI.call's code lies, found once.
var callCode = codeOf((*MAPI).call)

// insideCall reports whether the calling goroutine is inside a call MAPI
// made into the provider: whether MAPI.call is among its frames. Reading
// a stack costs by the frame, and a provider's call to the support is a
// few frames above MAPI.call (the reference's, four or five): those are
// read first.
func insideCall() bool {
	var pcs [64]uintptr
	n := runtime.Callers(3, pcs[:6])
	if n == 6 && !callIn(pcs[:n]) {
		n = runtime.Callers(3, pcs[:])
	}
	if callIn(pcs[:n]) {
		return true
	}
	// A stack deeper than that: let it count as inside, as a call whose
	// thread is not known does (the time order decides then).
	return n == len(pcs)
}

func callIn(pcs []uintptr) bool {
	for _, pc := range pcs {
		if callCode.has(pc) {
			return true
		}
	}
	return false
}

// code is a function's machine code: from its entry to the next function.
type code struct{ entry, end uintptr }

func (c code) has(pc uintptr) bool { return pc > c.entry && pc <= c.end }

// codeOf finds the code of fn by asking the runtime which function each
// address after its entry belongs to, once, at start-up.
func codeOf(fn func(*MAPI, trace.Event, func() ([]any, error)) error) code {
	entry := reflect.ValueOf(fn).Pointer()
	f := runtime.FuncForPC(entry)
	end := entry + 1
	for end-entry < 1<<16 && runtime.FuncForPC(end) == f {
		end++
	}
	return code{entry, end}
}
