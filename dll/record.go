package dll

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A call record is a small file in which the process that runs the suite
// against a DLL notes each call into the DLL as it starts and as it
// returns, and the spec that is running; the guard adds a crash on a thread
// the provider started. It is mapped into that process's memory, so that
// noting a call costs a few stores and no system call, and it survives the
// process: when a DLL ends the process (ExitProcess, TerminateProcess,
// abort, a crash on its own thread), the process that started it reads the
// record and says which call was running (ReadCallRecord).
//
// The layout, little-endian, is shared with guard.c's ThreadCrash:
//
//	0    magic "MAPICREC"
//	8    uint64 calls started
//	16   [256]byte the spec running, NUL-padded
//	272  ThreadCrash (264 bytes): int32 state (1: filled), uint32 thread
//	     ID, the Fault (6 uint64: code, address, info[2], ninfo, phase),
//	     uint64 module base, [200]byte module path
//	544  64 slots of 64 bytes, call n in slot n%64: uint64 n, uint32 state
//	     (1 started, 2 returned), uint32 name length, [48]byte name
const (
	recordMagic    = "MAPICREC"
	recordSpecAt   = 16
	recordCrashAt  = 272
	recordSlotsAt  = 544
	recordSlots    = 64
	recordSlotSize = 64
	recordSize     = recordSlotsAt + recordSlots*recordSlotSize
)

// loadingMarker is the record's spec while LoadLibrary runs the DLL's
// DllMain: a DllMain that never returns holds the loader's lock, and the
// process may not even be able to print why.
const loadingMarker = "(loading the DLL: its DllMain runs)"

// LoadHangs is the cause of a DLL whose loading did not end within timeout.
func LoadHangs(timeout time.Duration) string {
	return fmt.Sprintf("loading it did not end within %v: its DllMain (DLL_PROCESS_ATTACH) hangs", timeout)
}

// A CallRecord is what a call record said when it was read.
type CallRecord struct {
	Loading bool           // the process was loading the DLL: its DllMain was running
	Spec    string         // the spec that was running, if the suite said
	Calls   []RecordedCall // the latest calls, in the order they started
	Crash   *ThreadCrash   // a crash on a thread the provider started, or nil
}

// A RecordedCall is one call into the DLL.
type RecordedCall struct {
	Seq      uint64 // its number, counting from 1
	Name     string // e.g. "IMsgStore::StoreLogoff"
	Returned bool
}

// A ThreadCrash is an exception no frame on its thread handled: on a thread
// the provider started, since the suite's calls are guarded.
type ThreadCrash struct {
	Thread  uint32
	Code    uint32
	Address uint64
	Info    []uint64 // for an access violation: 0 read, 1 write, 8 execute; and the address
	Module  string   // "provider.dll+0x1a2b", or the address in no module
}

func (c *ThreadCrash) Error() string {
	s := fmt.Sprintf("a thread the provider started (thread 0x%X) crashed: %s (0x%08X) at %s", c.Thread, exceptionName(c.Code), c.Code, c.Module)
	if c.Code == 0xC0000005 && len(c.Info) == 2 {
		s += fmt.Sprintf(", %s address 0x%X", accessKinds[c.Info[0]], c.Info[1])
	}
	return s
}

var accessKinds = map[uint64]string{0: "reading", 1: "writing", 8: "executing"}

// ReadCallRecord reads the call record at path.
func ReadCallRecord(path string) (CallRecord, error) {
	var r CallRecord
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if len(b) < recordSize || string(b[:8]) != recordMagic {
		return r, errors.New(path + " is no call record (or the process ended before it made one)")
	}
	le := binary.LittleEndian
	r.Spec = cstr(b[recordSpecAt : recordSpecAt+256])
	if r.Spec == loadingMarker {
		r.Spec, r.Loading = "", true
	}
	if c := b[recordCrashAt:]; le.Uint32(c) == 1 {
		tc := &ThreadCrash{Thread: le.Uint32(c[4:]), Code: uint32(le.Uint64(c[8:])), Address: le.Uint64(c[16:])}
		if n := min(le.Uint64(c[40:]), 2); n > 0 {
			tc.Info = []uint64{le.Uint64(c[24:]), le.Uint64(c[32:])}[:n]
		}
		tc.Module = fmt.Sprintf("0x%X (in no module)", tc.Address)
		if base := le.Uint64(c[56:]); base != 0 && tc.Address >= base {
			name := cstr(c[64:264])
			if i := strings.LastIndexAny(name, `\/`); i >= 0 {
				name = name[i+1:]
			}
			tc.Module = fmt.Sprintf("%s+0x%X", filepath.Base(name), tc.Address-base)
		}
		r.Crash = tc
	}
	for i := range recordSlots {
		s := b[recordSlotsAt+i*recordSlotSize:]
		seq, state, n := le.Uint64(s), le.Uint32(s[8:]), min(le.Uint32(s[12:]), 48)
		if seq != 0 && state != 0 {
			r.Calls = append(r.Calls, RecordedCall{Seq: seq, Name: string(s[16 : 16+n]), Returned: state == 2})
		}
	}
	slices.SortFunc(r.Calls, func(a, b RecordedCall) int { return int(a.Seq - b.Seq) })
	return r, nil
}

func cstr(b []byte) string {
	if i := slices.Index(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// InProgress is the calls that started and never returned, innermost (the
// latest) first.
func (r CallRecord) InProgress() []RecordedCall {
	var out []RecordedCall
	for i := len(r.Calls) - 1; i >= 0; i-- {
		if !r.Calls[i].Returned {
			out = append(out, r.Calls[i])
		}
	}
	return out
}

// Where says in words where the process was: the call in progress and the
// calls it was made inside of, or the last call that returned, and the
// spec.
func (r CallRecord) Where() string {
	var s string
	if open := r.InProgress(); len(open) > 0 {
		s = fmt.Sprintf("during call #%d %s", open[0].Seq, open[0].Name)
		if len(open) > 1 {
			s = fmt.Sprintf("during call #%d %s (the innermost call in progress)", open[0].Seq, open[0].Name)
		}
		for _, c := range open[1:] {
			s += fmt.Sprintf(", inside #%d %s", c.Seq, c.Name)
		}
	} else if n := len(r.Calls); n > 0 {
		s = fmt.Sprintf("between calls into the DLL (the last, #%d %s, had returned)", r.Calls[n-1].Seq, r.Calls[n-1].Name)
	} else {
		s = "before the first call into the DLL"
	}
	if r.Spec != "" {
		s += fmt.Sprintf(", in the spec %q", r.Spec)
	}
	return s
}

var exceptionNames = map[uint32]string{
	0xC0000005: "EXCEPTION_ACCESS_VIOLATION",
	0xC000001D: "EXCEPTION_ILLEGAL_INSTRUCTION",
	0xC0000094: "EXCEPTION_INT_DIVIDE_BY_ZERO",
	0xC00000FD: "EXCEPTION_STACK_OVERFLOW",
	0xC0000096: "EXCEPTION_PRIV_INSTRUCTION",
	0xC0000006: "EXCEPTION_IN_PAGE_ERROR",
	0x80000001: "EXCEPTION_GUARD_PAGE",
	0x80000002: "EXCEPTION_DATATYPE_MISALIGNMENT",
	0x80000003: "EXCEPTION_BREAKPOINT",
	0xC0000025: "EXCEPTION_NONCONTINUABLE_EXCEPTION",
	0xC0000026: "EXCEPTION_INVALID_DISPOSITION",
	0xC0000374: "STATUS_HEAP_CORRUPTION",
	0xC0000409: "STATUS_STACK_BUFFER_OVERRUN",
	0xE06D7363: "a C++ exception",
}

// exceptionName is the name of an exception code; an application's own
// code (RaiseException, the customer bit set) is "an exception raised by
// the provider".
func exceptionName(code uint32) string {
	if n, ok := exceptionNames[code]; ok {
		return n
	}
	if code&0x20000000 != 0 {
		return "an exception raised by the provider (RaiseException)"
	}
	return "an exception"
}
