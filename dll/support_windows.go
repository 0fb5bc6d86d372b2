//go:build windows

package dll

import (
	"fmt"
	"runtime/debug"
	"sync"
	"syscall"
	"unsafe"

	"github.com/mapiconf/mapiconf/mapi"
)

// supportSlots are IMAPISupport's 44 methods in the order of mingw-w64's
// mapispi.h (MAPI_IUNKNOWN_METHODS, then MAPI_IMAPISUPPORT_METHODS1, 2 and
// 3): the index is the vtable slot.
var supportSlots = [44]string{
	"QueryInterface", "AddRef", "Release",
	// MAPI_IMAPISUPPORT_METHODS1
	"GetLastError", "GetMemAllocRoutines", "Subscribe", "Unsubscribe", "Notify",
	"ModifyStatusRow", "OpenProfileSection", "RegisterPreprocessor", "NewUID", "MakeInvalid",
	// MAPI_IMAPISUPPORT_METHODS2
	"SpoolerYield", "SpoolerNotify", "CreateOneOff", "SetProviderUID", "CompareEntryIDs",
	"OpenTemplateID", "OpenEntry", "GetOneOffTable", "Address", "Details", "NewEntry",
	"DoConfigPropsheet", "CopyMessages", "CopyFolder",
	// MAPI_IMAPISUPPORT_METHODS3
	"DoCopyTo", "DoCopyProps", "DoProgressDialog", "ReadReceipt", "PrepareSubmit",
	"ExpandRecips", "UpdatePAB", "DoSentMail", "OpenAddressBook", "Preprocess", "CompleteMsg",
	"StoreLogoffTransports", "StatusRecips", "WrapStoreEntryID", "ModifyProfile",
	"IStorageFromStream", "GetSvcConfigSupportObj",
}

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
var supportVtbl [len(supportSlots)]uintptr

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
}

// supports finds the Go support behind a COM support's address. Entries
// stay as long as the process: a provider may call a support after it
// released it, or after Shutdown, and the trace must see that.
var supports sync.Map // uintptr → *comSupport

func newComSupport(sup mapi.IMAPISupport) *comSupport {
	s := &comSupport{obj: &[2]uintptr{uintptr(unsafe.Pointer(&supportVtbl[0]))}, sup: sup}
	supports.Store(s.addr(), s)
	return s
}

func (s *comSupport) addr() uintptr { return uintptr(unsafe.Pointer(s.obj)) }

// supportCallback makes slot i's callback. Every slot takes the object and
// at most five more arguments of MAPI's (DoCopyTo takes ten; it is not
// modelled, and a callback may ignore what it does not declare).
func supportCallback(slot int) uintptr {
	return syscall.NewCallback(func(this, a1, a2, a3, a4, a5 uintptr) (ret uintptr) {
		v, ok := supports.Load(this)
		if !ok {
			return uintptr(mapi.ErrInvalidObject) // not one of ours: a bad pointer
		}
		s := v.(*comSupport)
		defer func() {
			// A panic must not unwind into the DLL's frames; the suite's
			// own calls recover theirs, so this is a bug of the adapter.
			if p := recover(); p != nil {
				s.record(supportSlots[slot], nil, func() ([]any, error) {
					return nil, fmt.Errorf("dll adapter panicked: %v\n%s", p, debug.Stack())
				})
				ret = uintptr(mapi.ErrCallFailed)
			}
		}()
		return s.dispatch(slot, a1, a2, a3)
	})
}

// dispatch maps a slot onto the Go model, one to one.
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
		row := mapi.StatusRow{}
		for _, v := range readProps(uint32(a1), a2) {
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
		copy(uid[:], peekBytes(a1, len(uid)))
		return hresult(s.sup.SetProviderUID(uid, mapi.ReservedFlags(a2)))
	case slotStoreLogoffTransports:
		// StoreLogoffTransports(ULONG *lpulFlags): in, then out.
		if a1 == 0 {
			return hresult(s.record("StoreLogoffTransports", []any{"NULL"},
				func() ([]any, error) { return nil, mapi.ErrInvalidParameter }))
		}
		out, err := s.sup.StoreLogoffTransports(mapi.LogoffFlags(peek32(a1)))
		if err == nil {
			poke32(a1, uint32(out))
		}
		return hresult(err)
	}
	return hresult(s.record(supportSlots[slot], nil, func() ([]any, error) { return nil, mapi.ErrNoSupport }))
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
	const eNoInterface = 0x80004002
	var iid [16]byte
	if riid != 0 {
		copy(iid[:], peekBytes(riid, 16))
	}
	err := s.record("QueryInterface", []any{fmt.Sprintf("%X", iid)}, func() ([]any, error) {
		if ppv == 0 {
			return nil, mapi.ErrInvalidParameter
		}
		if iid != iidIMAPISup && iid != iidIUnknown {
			poke(ppv, 0)
			return nil, mapi.HResult(eNoInterface)
		}
		s.sup.AddRef()
		poke(ppv, s.addr())
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

// readProps reads an array of SPropValue (24 bytes each on x64: the tag, a
// pad, and the value) into the model's PropValues: strings, longs, and the
// raw 8 bytes of anything else.
func readProps(n uint32, addr uintptr) []mapi.PropValue {
	const size, ptUnicode, ptString8, ptLong = 24, 0x1F, 0x1E, 0x03
	out := make([]mapi.PropValue, 0, n)
	for i := uintptr(0); i < uintptr(n) && addr != 0; i++ {
		p := addr + i*size
		tag := mapi.PropTag(peek32(p))
		v := mapi.PropValue{Tag: tag}
		switch tag & 0xFFFF {
		case ptUnicode:
			v.Value = wString(peek(p + 8))
		case ptString8:
			v.Value = cString(peek(p + 8))
		case ptLong:
			v.Value = int32(peek32(p + 8))
		case 0x0A: // PT_ERROR: no value
			continue
		default:
			v.Value = peek(p + 8)
		}
		out = append(out, v)
	}
	return out
}
