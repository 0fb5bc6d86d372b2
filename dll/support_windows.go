//go:build windows

package dll

import (
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"sync"
	"unsafe"

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

// comSupport is one IMAPISupport COM object: in memory the DLL sees, its
// first word points to supportVtbl. It stands for the Go support the
// simulated MAPI passed to Logon.
type comSupport struct {
	obj *[2]uintptr // {&supportVtbl, 0}: the COM object
	sup mapi.IMAPISupport
	lib *Library // whose provider got it: a bad pointer it passes is reported there
}

// supports finds the Go support behind a COM support's address. Entries
// stay as long as the process: a provider may call a support after it
// released it, or after Shutdown, and the trace must see that.
var supports sync.Map // uintptr → *comSupport

func newComSupport(lib *Library, sup mapi.IMAPISupport) *comSupport {
	s := &comSupport{obj: &[2]uintptr{uintptr(unsafe.Pointer(&supportVtbl[0]))}, sup: sup, lib: lib}
	supports.Store(s.addr(), s)
	return s
}

func (s *comSupport) addr() uintptr { return uintptr(unsafe.Pointer(s.obj)) }

// supportCallback makes slot i's callback, taking the object and exactly
// the method's arguments: on x86 a COM method is __stdcall and removes its
// arguments from the stack, and a callback from syscall.NewCallback removes
// as many as its Go function declares.
func supportCallback(slot int) uintptr {
	m := supportMethods[slot]
	return newCallback(1+m.args, func(a callbackArgs) (ret uintptr) {
		v, ok := supports.Load(a[0])
		if !ok {
			return uintptr(mapi.ErrInvalidObject) // not one of ours: a bad pointer
		}
		s := v.(*comSupport)
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
		b, err := readMem("IMAPISupport::SetProviderUID", "lpProviderID", a1, len(uid))
		if err != nil {
			return s.badPointer("SetProviderUID", err)
		}
		copy(uid[:], b)
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
	if guardCopy.Load() != 0 {
		// Writing the value read back is harmless and tests it exactly.
		v, err := read32("", "", addr)
		return err == nil && write32("", "", addr, v) == nil
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
		b, err := readMem(call, "riid", riid, 16)
		if err != nil {
			return s.badPointer("QueryInterface", err)
		}
		copy(iid[:], b)
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
		writePtr(call, "ppvObj", ppv, s.addr()) // written above: it can be
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
	raw, err := readMem(call, param, addr, int(n)*size)
	if err != nil {
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
			str, err := readString(call, fmt.Sprintf("%s[%d].Value (a string)", param, i), val, width)
			if err != nil {
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
