//go:build windows

package dll

import (
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
	"weak"

	"github.com/mapiconf/mapiconf/mapi"
)

// The slots the suite models.
const (
	slotQueryInterface        = 0
	slotAddRef                = 1
	slotRelease               = 2
	slotModifyStatusRow       = 8
	slotSetProviderUID        = 16
	slotStoreLogoffTransports = 38
)

// supportVtbl is the vtable every support object shares: a callback per
// slot. Callbacks are few (Go allows about 2000 per process) and made once.
var supportVtbl [len(supportMethods)]uintptr

func init() {
	for i := range supportVtbl {
		supportVtbl[i] = supportCallback(i)
	}
}

// recorder is what mapisim.Support offers for the slots the suite does not
// model: the call goes into the trace with its answer.
type recorder interface {
	Record(method string, args []any, answer func() ([]any, error)) error
}

// comSupport is one IMAPISupport COM object: in memory the DLL sees (addr,
// a slot of the support table), whose first word points to supportVtbl. It
// stands for the Go support the simulated MAPI passed to Logon.
type comSupport struct {
	addr uintptr
	sup  mapi.IMAPISupport
	lib  *Library // whose provider got it: a bad pointer it passes is reported there
}

// newComSupport makes the COM support the provider p is given for sup.
func newComSupport(p provider, sup mapi.IMAPISupport) *comSupport {
	s := &comSupport{sup: sup, lib: p.lib}
	s.addr = supportTable.add(p.sups, p.sups.hold(s))
	return s
}

// A provider's supports are held by the provider object (its supportSet),
// which the simulated MAPI holds for as long as it lives: every call on a
// support, however late, reaches the Go support and its MAPI, which notes
// it as late (mapisim's late.go; RULES.md revision 4), for as long as
// anything can report it. The support table, which finds a support by the
// address the DLL calls it at, holds them only weakly: once the MAPI is
// gone (the run that judged it ended, or the exploration retired the
// lifecycle), so are its supports, with its state and its trace. Before,
// the table kept every run's supports, and so every run's MAPI, for the
// life of the process: memory grew with every lifecycle explored, and every
// garbage collection scanned all of it.
//
// A call on a support whose provider is gone answers
// MAPI_E_INVALID_OBJECT, as one on an address that never was a support:
// nothing is left to record it in, and nothing to report it to. Its COM
// object stays where it is, and its address is never given to another
// support, so that a late call on it never reaches a support of a later
// run.
type supportSet struct {
	self weak.Pointer[supportSet]
	mu   sync.Mutex
	list []*comSupport
}

func newSupportSet() *supportSet {
	set := new(supportSet)
	set.self = weak.Make(set)
	return set
}

// hold keeps s for the provider and returns its index.
func (set *supportSet) hold(s *comSupport) int {
	set.mu.Lock()
	defer set.mu.Unlock()
	set.list = append(set.list, s)
	return len(set.list) - 1
}

func (set *supportSet) get(i int) *comSupport {
	set.mu.Lock()
	defer set.mu.Unlock()
	return set.list[i]
}

// supportTable finds a support by its address. Its COM objects are made in
// chunks that are never freed: an address is a support's for good.
var supportTable supportIndex

// chunkLen is how many supports a chunk of the table holds.
const chunkLen = 1024

type supportChunk struct {
	objs [chunkLen][2]uintptr // the COM objects: {&supportVtbl[0], 0}
	refs [chunkLen]supportRef
	used atomic.Int32 // the slots made, each written before it is counted
}

// supportRef is where a slot's support is: in the set of a provider that
// may be gone.
type supportRef struct {
	set weak.Pointer[supportSet]
	i   int
}

type supportIndex struct {
	mu     sync.Mutex                      // held to add
	chunks atomic.Pointer[[]*supportChunk] // the newest last; the slice is replaced, never changed
}

// add gives the support at index i of set a COM object and returns its
// address.
func (t *supportIndex) add(set *supportSet, i int) uintptr {
	t.mu.Lock()
	defer t.mu.Unlock()
	var c *supportChunk
	if p := t.chunks.Load(); p != nil {
		c = (*p)[len(*p)-1]
	}
	if c == nil || c.used.Load() == chunkLen {
		c = new(supportChunk)
		t.grow(c)
	}
	n := c.used.Load()
	c.objs[n] = [2]uintptr{uintptr(unsafe.Pointer(&supportVtbl[0]))}
	c.refs[n] = supportRef{set.self, i}
	c.used.Store(n + 1)
	return uintptr(unsafe.Pointer(&c.objs[n]))
}

// grow adds c to the table's chunks, with t.mu held.
func (t *supportIndex) grow(c *supportChunk) {
	var chunks []*supportChunk
	if p := t.chunks.Load(); p != nil {
		chunks = *p
	}
	chunks = append(chunks[:len(chunks):len(chunks)], c)
	t.chunks.Store(&chunks)
}

// find returns the support at addr, or nil: an address that is no
// support's, or one whose provider is gone. The newest chunk is looked at
// first: late calls are the rare ones.
func (t *supportIndex) find(addr uintptr) *comSupport {
	p := t.chunks.Load()
	if p == nil {
		return nil
	}
	const size = unsafe.Sizeof([2]uintptr{})
	for _, c := range slices.Backward(*p) {
		off := addr - uintptr(unsafe.Pointer(&c.objs[0]))
		if off >= chunkLen*size { // below the chunk, too: off wrapped around
			continue
		}
		n := off / size
		if off%size != 0 || int32(n) >= c.used.Load() {
			return nil
		}
		ref := c.refs[n]
		if set := ref.set.Value(); set != nil {
			return set.get(ref.i)
		}
		return nil
	}
	return nil
}

// supportCallback makes slot i's callback, taking the object and exactly
// the method's arguments: on x86 a COM method is __stdcall and removes its
// arguments from the stack, and a callback from syscall.NewCallback removes
// as many as its Go function declares.
func supportCallback(slot int) uintptr {
	m := supportMethods[slot]
	return newCallback(1+m.args, func(a callbackArgs) (ret uintptr) {
		s := supportTable.find(a[0])
		if s == nil {
			return uintptr(mapi.ErrInvalidObject) // not one of ours (a bad pointer), or its provider is gone
		}
		defer func() {
			// A panic must not unwind into the DLL's frames; the suite's
			// own calls recover theirs, so this is a bug of the adapter.
			if p := recover(); p != nil {
				s.record(m.name, nil, func() ([]any, error) {
					return nil, fmt.Errorf("dll adapter panicked: %v\n%s", p, debug.Stack())
				})
				ret = uintptr(mapi.ErrCallFailed)
			}
		}()
		return s.dispatch(slot, a[1], a[2], a[3])
	})
}

// dispatch maps a slot onto the Go model, one to one. A pointer argument
// that cannot be read or written makes the call answer
// MAPI_E_INVALID_PARAMETER, recorded in the trace, and fails the provider
// call in progress, naming the parameter and the address (badPointer).
func (s *comSupport) dispatch(slot int, a1, a2, a3 uintptr) uintptr {
	switch slot {
	case slotQueryInterface:
		return s.queryInterface(a1, a2)
	case slotAddRef:
		return uintptr(s.sup.AddRef())
	case slotRelease:
		return uintptr(s.sup.Release())
	case slotModifyStatusRow:
		// ModifyStatusRow(ULONG cValues, LPSPropValue lpColumnVals, ULONG ulFlags)
		vals, err := readProps("IMAPISupport::ModifyStatusRow", "lpColumnVals", uint32(a1), a2)
		if err != nil {
			return s.badPointer("ModifyStatusRow", err)
		}
		row := mapi.StatusRow{}
		for _, v := range vals {
			switch v.Tag &^ 0xFFFF {
			case 0x30010000: // PR_DISPLAY_NAME
				row.DisplayName, _ = v.Value.(string)
			case 0x3E040000: // PR_STATUS_CODE
				code, _ := v.Value.(int32)
				row.StatusCode = uint32(code)
			}
		}
		return hresult(s.sup.ModifyStatusRow(row, mapi.StatusRowFlags(a3)))
	case slotSetProviderUID:
		// SetProviderUID(LPMAPIUID lpProviderID, ULONG ulFlags)
		if a1 == 0 {
			return hresult(s.record("SetProviderUID", []any{"NULL", mapi.ReservedFlags(a2)},
				func() ([]any, error) { return nil, mapi.ErrInvalidParameter }))
		}
		var uid mapi.MAPIUID
		if err := readTo("IMAPISupport::SetProviderUID", "lpProviderID", unsafe.Pointer(&uid), a1, unsafe.Sizeof(uid)); err != nil {
			return s.badPointer("SetProviderUID", err)
		}
		return hresult(s.sup.SetProviderUID(uid, mapi.ReservedFlags(a2)))
	case slotStoreLogoffTransports:
		// StoreLogoffTransports(ULONG *lpulFlags): in, then out.
		const call, param = "IMAPISupport::StoreLogoffTransports", "lpulFlags"
		if a1 == 0 {
			return hresult(s.record("StoreLogoffTransports", []any{"NULL"},
				func() ([]any, error) { return nil, mapi.ErrInvalidParameter }))
		}
		in, err := read32(call, param, a1)
		if err == nil && !usableForWrite(a1) {
			err = &BadPointer{Call: call, Param: param, Addr: a1, Write: true}
		}
		if err != nil {
			return s.badPointer("StoreLogoffTransports", err)
		}
		out, err := s.sup.StoreLogoffTransports(mapi.LogoffFlags(in))
		if err == nil {
			if werr := write32(call, param, a1, uint32(out)); werr != nil {
				s.lib.report(werr)
			}
		}
		return hresult(err)
	}
	return hresult(s.record(supportMethods[slot].name, nil, func() ([]any, error) { return nil, mapi.ErrNoSupport }))
}

// badPointer answers a call whose pointer argument is bad: the call goes
// into the trace with its answer, MAPI_E_INVALID_PARAMETER, and the provider
// call in progress fails naming the pointer.
func (s *comSupport) badPointer(method string, err error) uintptr {
	s.lib.report(err)
	return hresult(s.record(method, []any{err.(*BadPointer).Param + " bad"}, func() ([]any, error) { return nil, mapi.ErrInvalidParameter }))
}

// report keeps a bad pointer for the provider call in progress to fail
// with (Library.guarded); the first one counts.
func (l *Library) report(err error) {
	if b, ok := err.(*BadPointer); ok && l != nil {
		l.bad.CompareAndSwap(nil, b)
	}
}

// usableForWrite checks, before the model acts on a call, that an in/out
// parameter can be written back: the answer must not be lost after MAPI
// acted on it.
func usableForWrite(addr uintptr) bool {
	if g := guardCopy.Load(); g != 0 {
		// The guard's copy of the word onto itself reads and writes every
		// byte of it, as the answer will, and leaves it as it was: one
		// call where a read and a write were two.
		var f fault
		r, _, _ := syscall.SyscallN(g, addr, addr, 4, uintptr(unsafe.Pointer(&f)))
		return r != 0
	}
	return usable(addr, 4, true)
}

// iidIMAPISup is IID_IMAPISup, {0002030F-0000-0000-C000-000000000046}, and
// iidIUnknown IUnknown's: the interfaces a support answers to.
var (
	iidIMAPISup = [16]byte{0x0F, 0x03, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}
	iidIUnknown = [16]byte{0, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46}
)

// queryInterface is QueryInterface(REFIID riid, LPVOID *ppvObj): the support
// itself, AddRef'd through the model, for IUnknown and IMAPISup.
func (s *comSupport) queryInterface(riid, ppv uintptr) uintptr {
	const call, eNoInterface = "IMAPISupport::QueryInterface", 0x80004002
	var iid [16]byte
	if riid != 0 {
		if err := readTo(call, "riid", unsafe.Pointer(&iid), riid, 16); err != nil {
			return s.badPointer("QueryInterface", err)
		}
	}
	if ppv != 0 {
		if err := writePtr(call, "ppvObj", ppv, 0); err != nil {
			return s.badPointer("QueryInterface", err)
		}
	}
	err := s.record("QueryInterface", []any{fmt.Sprintf("%X", iid)}, func() ([]any, error) {
		if ppv == 0 {
			return nil, mapi.ErrInvalidParameter
		}
		if iid != iidIMAPISup && iid != iidIUnknown {
			return nil, mapi.HResult(eNoInterface)
		}
		s.sup.AddRef()
		writePtr(call, "ppvObj", ppv, s.addr) // written above: it can be
		return nil, nil
	})
	return hresult(err)
}

// record puts a call the model does not have into the trace, when the
// support is the simulated MAPI's, and returns answer's error.
func (s *comSupport) record(method string, args []any, answer func() ([]any, error)) error {
	if r, ok := s.sup.(recorder); ok {
		return r.Record(method, args, answer)
	}
	_, err := answer()
	return err
}

// readProps reads an array of SPropValue (sizeofSPropValue bytes each: the
// tag, a pad, and the value at offset 8), memory the DLL handed over, into
// the model's PropValues: strings, longs, and the value's first word for
// anything else. call and param name it in the error for a bad pointer.
func readProps(call, param string, n uint32, addr uintptr) ([]mapi.PropValue, error) {
	const size, ptUnicode, ptString8, ptLong = int(sizeofSPropValue), 0x1F, 0x1E, 0x03
	if addr == 0 || n == 0 {
		return nil, nil
	}
	if n > 1<<16 {
		return nil, &BadPointer{Call: call, Param: fmt.Sprintf("%s (with a count of %d)", param, n), Addr: addr}
	}
	// A status row has two or three values: read into the stack.
	var small [4 * sizeofSPropValue]byte
	raw := small[:]
	if int(n)*size > len(small) {
		raw = make([]byte, int(n)*size)
	}
	if err := readTo(call, param, unsafe.Pointer(&raw[0]), addr, uintptr(int(n)*size)); err != nil {
		return nil, err
	}
	out := make([]mapi.PropValue, 0, n)
	for i := 0; i < int(n); i++ {
		p := raw[i*size:]
		tag := mapi.PropTag(binary.LittleEndian.Uint32(p))
		val := uintptr(binary.LittleEndian.Uint64(p[8:]))
		v := mapi.PropValue{Tag: tag}
		switch tag & 0xFFFF {
		case ptUnicode, ptString8:
			width := 1
			if tag&0xFFFF == ptUnicode {
				width = 2
			}
			str, err := readString(call, param, val, width)
			if err != nil {
				err.(*BadPointer).Param = fmt.Sprintf("%s[%d].Value (a string)", param, i)
				return nil, err
			}
			v.Value = str
		case ptLong:
			v.Value = int32(uint32(val))
		case 0x0A: // PT_ERROR: no value
			continue
		default:
			v.Value = val
		}
		out = append(out, v)
	}
	return out, nil
}
