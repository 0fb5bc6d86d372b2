//go:build windows

package dll

import (
	"fmt"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// recordMem is a call record in memory (record.go has the layout).
type recordMem struct {
	magic [8]byte
	seq   atomic.Uint64
	spec  [256]byte
	crash [264]byte // guard.c's ThreadCrash, which guardWatch fills
	_     [8]byte
	slots [recordSlots]recordSlot
}

type recordSlot struct {
	seq   atomic.Uint64
	state atomic.Uint32
	n     uint32
	name  [48]byte
}

var _ [recordSize - unsafe.Sizeof(recordMem{})]byte // the layout's size, checked at compile time
var _ [unsafe.Sizeof(recordMem{}) - recordSize]byte

// callRecord notes the calls into one library: in a file the parent maps
// too (Options.Record), or in memory.
type callRecord struct {
	m        *recordMem
	inflight atomic.Int32 // calls started and not returned, on any goroutine
}

// newCallRecord maps the file at path as the library's call record, or
// makes one in memory for path "".
func newCallRecord(path string) (*callRecord, error) {
	if path == "" {
		m := new(recordMem)
		copy(m.magic[:], recordMagic)
		return &callRecord{m: m}, nil
	}
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	const shareAll = syscall.FILE_SHARE_READ | syscall.FILE_SHARE_WRITE | syscall.FILE_SHARE_DELETE
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, shareAll, nil, syscall.OPEN_ALWAYS, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, fmt.Errorf("dll: the call record %s: %w", path, err)
	}
	defer syscall.CloseHandle(h)
	mh, err := syscall.CreateFileMapping(h, nil, syscall.PAGE_READWRITE, 0, 8192, nil)
	if err != nil {
		return nil, fmt.Errorf("dll: mapping the call record %s: %w", path, err)
	}
	defer syscall.CloseHandle(mh)
	addr, err := syscall.MapViewOfFile(mh, syscall.FILE_MAP_WRITE, 0, 0, 8192)
	if err != nil {
		return nil, fmt.Errorf("dll: mapping the call record %s: %w", path, err)
	}
	m := *(**recordMem)(unsafe.Pointer(&addr)) // a mapped view, never unmapped
	copy(m.magic[:], recordMagic)
	return &callRecord{m: m}, nil
}

// begin notes a call as it starts and returns its number.
func (r *callRecord) begin(name string) uint64 {
	r.inflight.Add(1)
	seq := r.m.seq.Add(1)
	s := &r.m.slots[seq%recordSlots]
	s.seq.Store(0) // the slot is being written
	s.state.Store(1)
	s.n = uint32(copy(s.name[:], name))
	s.seq.Store(seq)
	return seq
}

// end notes that call seq returned.
func (r *callRecord) end(seq uint64) {
	if s := &r.m.slots[seq%recordSlots]; s.seq.Load() == seq {
		s.state.Store(2)
	}
	r.inflight.Add(-1)
}

// spec notes the spec that is running.
func (r *callRecord) spec(text string) {
	b := r.m.spec[:]
	n := copy(b[:len(b)-1], text)
	clear(b[n:])
}

// inProgress names the calls started and not returned that the record
// still holds, innermost first.
func (r *callRecord) inProgress() string {
	var s string
	for i := range recordSlots {
		sl := &r.m.slots[i]
		if seq := sl.seq.Load(); seq != 0 && sl.state.Load() == 1 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("#%d %s", seq, string(sl.name[:sl.n]))
		}
	}
	if s == "" {
		s = "a call no longer in the record"
	}
	return s
}

// last names the latest call the record holds.
func (r *callRecord) last() string {
	seq := r.m.seq.Load()
	if seq == 0 {
		return "no call yet"
	}
	s := &r.m.slots[seq%recordSlots]
	if s.seq.Load() != seq {
		return fmt.Sprintf("call #%d", seq)
	}
	return fmt.Sprintf("#%d %s", seq, string(s.name[:s.n]))
}

// Spec tells the call record which spec runs now, so that a process the DLL
// ends can be reported with it (ReadCallRecord).
func (l *Library) Spec(text string) { l.rec.spec(text) }
