//go:build windows

package dll

import (
	"unsafe"

	"github.com/mapiconf/mapiconf/mapi"
)

// The provider's objects as the Go model sees them. Each method is one
// vtable slot, called with MAPI's parameters; slot numbers are those of
// mingw-w64's headers (IUnknown takes 0 to 2 everywhere).
const (
	slotIUnknownAddRef  = 1
	slotIUnknownRelease = 2

	// IMSProvider (mapispi.h, MAPI_IMSPROVIDER_METHODS)
	slotProviderShutdown        = 3
	slotProviderLogon           = 4
	slotProviderSpoolerLogon    = 5
	slotProviderCompareStoreIDs = 6

	// IMSLogon (mapispi.h, MAPI_IMSLOGON_METHODS)
	slotLogonLogoff          = 4
	slotLogonOpenStatusEntry = 9

	// IMsgStore (mapidefs.h: IMAPIProp's 11 methods, then IMsgStore's)
	slotStoreOpenEntry   = 17
	slotStoreStoreLogoff = 21

	// IMAPIProp and IMAPIContainer (mapidefs.h)
	slotPropGetProps              = 5
	slotContainerOpenEntry        = 16
	objectTypeFolder       uint32 = 3 // MAPI_FOLDER: the object is a container
)

// object is a COM object of the DLL's: its address, its interface, and the
// library that calls it.
type object struct {
	lib   *Library
	addr  uintptr
	iface *iface
}

// An iface names an interface and the methods every object of it has, for
// the call record and a crash's message: made once, so that a call names
// its method without building the string each time.
type iface struct {
	name                      string // "IMsgStore"
	addRef, release, getProps string // "IMsgStore::AddRef", ...
}

func newIface(name string) *iface {
	return &iface{name: name, addRef: name + "::AddRef", release: name + "::Release", getProps: name + "::GetProps"}
}

var (
	ifaceProvider = newIface("IMSProvider")
	ifaceLogon    = newIface("IMSLogon")
	ifaceStore    = newIface("IMsgStore")
	ifaceFolder   = newIface("IMAPIFolder")
	ifaceProp     = newIface("IMAPIProp")
)

func (o object) AddRef() uint32 {
	return uint32(o.lib.callSlot(o.addr, slotIUnknownAddRef, o.iface.addRef))
}

func (o object) Release() uint32 {
	return uint32(o.lib.callSlot(o.addr, slotIUnknownRelease, o.iface.release))
}

// provider is IMSProvider. sups holds the supports its logons were given
// (support_windows.go): as long as the provider object is reachable, a
// call on one of them reaches its Go support.
type provider struct {
	object
	sups *supportSet
}

func providerObject(l *Library, addr uintptr) provider {
	return provider{object{l, addr, ifaceProvider}, newSupportSet()}
}

var _ mapi.IMSProvider = provider{}

// Shutdown is HRESULT Shutdown(ULONG *lpulFlags).
func (p provider) Shutdown(flags mapi.ReservedFlags) error {
	f := uint32(flags)
	return result(p.lib.callSlot(p.addr, slotProviderShutdown, "IMSProvider::Shutdown", uintptr(unsafe.Pointer(&f))))
}

// logonOut is what Logon returns through its pointers: on the heap, as
// every out-parameter the DLL writes.
type logonOut struct {
	cbSpoolSecurity uint32
	pbSpoolSecurity uintptr
	mapiError       uintptr
	logon           uintptr
	store           uintptr
	// The model's logon object and store, in the same allocation: a
	// logon allocates once for all of them.
	logonObj logonObject
	storeObj storeObject
}

// Logon is HRESULT Logon(LPMAPISUP lpMAPISup, ULONG_PTR ulUIParam, LPTSTR
// lpszProfileName, ULONG cbEntryID, LPENTRYID lpEntryID, ULONG ulFlags,
// LPCIID lpInterface, ULONG *lpcbSpoolSecurity, LPBYTE *lppbSpoolSecurity,
// LPMAPIERROR *lppMAPIError, LPMSLOGON *lppMSLogon, LPMDB *lppMDB).
//
// The profile name is 8-bit (no MAPI_UNICODE). The spooler data is copied
// out, then freed with MAPIFreeBuffer, as MAPI frees it; so is the
// MAPIERROR.
func (p provider) Logon(sup mapi.IMAPISupport, uiParam uintptr, profileName string, id mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	cs := newComSupport(p, sup)
	out := new(logonOut)
	cb, eid := entryID(id)
	r := p.lib.callSlot(p.addr, slotProviderLogon, "IMSProvider::Logon",
		cs.addr, uiParam, uintptr(unsafe.Pointer(cBytes(profileName))), cb, uintptr(unsafe.Pointer(eid)), uintptr(flags), uintptr(unsafe.Pointer(iidCopy(iface))),
		uintptr(unsafe.Pointer(&out.cbSpoolSecurity)), uintptr(unsafe.Pointer(&out.pbSpoolSecurity)),
		uintptr(unsafe.Pointer(&out.mapiError)), uintptr(unsafe.Pointer(&out.logon)), uintptr(unsafe.Pointer(&out.store)))
	var spool []byte
	if out.pbSpoolSecurity != 0 && out.cbSpoolSecurity > 0 {
		var err error
		spool, err = readMem("IMSProvider::Logon", "*lppbSpoolSecurity", out.pbSpoolSecurity, int(min(out.cbSpoolSecurity, 1<<20)))
		if err != nil {
			panic(err)
		}
	}
	freeMAPIBuffer(out.pbSpoolSecurity)
	freeMAPIBuffer(out.mapiError)
	err := result(r)
	if failed(err) {
		return nil, nil, nil, err
	}
	logon, store := p.logonAndStore(out)
	return spool, logon, store, err
}

// SpoolerLogon is HRESULT SpoolerLogon(LPMAPISUP lpMAPISup, ULONG_PTR
// ulUIParam, LPTSTR lpszProfileName, ULONG cbEntryID, LPENTRYID lpEntryID,
// ULONG ulFlags, LPCIID lpInterface, ULONG cbSpoolSecurity, LPBYTE
// lpbSpoolSecurity, LPMAPIERROR *lppMAPIError, LPMSLOGON *lppMSLogon, LPMDB
// *lppMDB).
func (p provider) SpoolerLogon(sup mapi.IMAPISupport, uiParam uintptr, profileName string, id mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID, spool []byte) (mapi.IMSLogon, mapi.IMsgStore, error) {
	cs := newComSupport(p, sup)
	out := new(logonOut)
	cb, eid := entryID(id)
	var pb *byte
	if len(spool) > 0 {
		pb = &append([]byte(nil), spool...)[0]
	}
	r := p.lib.callSlot(p.addr, slotProviderSpoolerLogon, "IMSProvider::SpoolerLogon",
		cs.addr, uiParam, uintptr(unsafe.Pointer(cBytes(profileName))), cb, uintptr(unsafe.Pointer(eid)), uintptr(flags), uintptr(unsafe.Pointer(iidCopy(iface))),
		uintptr(len(spool)), uintptr(unsafe.Pointer(pb)),
		uintptr(unsafe.Pointer(&out.mapiError)), uintptr(unsafe.Pointer(&out.logon)), uintptr(unsafe.Pointer(&out.store)))
	freeMAPIBuffer(out.mapiError)
	err := result(r)
	if failed(err) {
		return nil, nil, err
	}
	logon, store := p.logonAndStore(out)
	return logon, store, err
}

// CompareStoreIDs is HRESULT CompareStoreIDs(ULONG cbEntryID1, LPENTRYID
// lpEntryID1, ULONG cbEntryID2, LPENTRYID lpEntryID2, ULONG ulFlags, ULONG
// *lpulResult).
func (p provider) CompareStoreIDs(a, b mapi.EntryID, flags mapi.ReservedFlags) (bool, error) {
	cba, ea := entryID(a)
	cbb, eb := entryID(b)
	same := new(uint32)
	r := p.lib.callSlot(p.addr, slotProviderCompareStoreIDs, "IMSProvider::CompareStoreIDs",
		cba, uintptr(unsafe.Pointer(ea)), cbb, uintptr(unsafe.Pointer(eb)), uintptr(flags), uintptr(unsafe.Pointer(same)))
	err := result(r)
	if failed(err) {
		return false, err
	}
	return *same != 0, err
}

// logonAndStore wraps the logon object and store a logon returned, in out;
// a nil pointer stays a nil interface.
func (p provider) logonAndStore(out *logonOut) (mapi.IMSLogon, mapi.IMsgStore) {
	var logon mapi.IMSLogon
	var store mapi.IMsgStore
	if out.logon != 0 {
		out.logonObj = logonObject{object{p.lib, out.logon, ifaceLogon}}
		logon = &out.logonObj
	}
	if out.store != 0 {
		out.storeObj = storeObject{object{p.lib, out.store, ifaceStore}}
		store = &out.storeObj
	}
	return logon, store
}

// failed reports whether a method's result is a failure code; a success
// code other than S_OK is returned with the method's outputs.
func failed(err error) bool {
	h, ok := err.(mapi.HResult)
	return err != nil && (!ok || h.Failed())
}

// errorsReturned is MAPI_W_ERRORS_RETURNED, GetProps' answer when some of
// the values are PT_ERROR (imapiprop-getprops.md).
const errorsReturned mapi.HResult = 0x00040380

// iidCopy is the interface identifier for the DLL, a copy on the Go heap,
// or nil, which passes NULL for the default interface.
func iidCopy(iface *mapi.IID) *mapi.IID {
	if iface == nil {
		return nil
	}
	c := *iface
	return &c
}

// storeObject is IMsgStore.
type storeObject struct{ object }

var _ mapi.IMsgStore = storeObject{}

// StoreLogoff is HRESULT StoreLogoff(ULONG *lpulFlags): the flag in, the
// output flags out.
func (s storeObject) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	f := new(uint32)
	*f = uint32(flags)
	err := result(s.lib.callSlot(s.addr, slotStoreStoreLogoff, "IMsgStore::StoreLogoff", uintptr(unsafe.Pointer(f))))
	if err != nil {
		return 0, err
	}
	return mapi.LogoffFlags(*f), nil
}

// OpenEntry is HRESULT OpenEntry(ULONG cbEntryID, LPENTRYID lpEntryID,
// LPCIID lpInterface, ULONG ulFlags, ULONG *lpulObjType, LPUNKNOWN *lppUnk).
func (s storeObject) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	return openEntry(s.object, slotStoreOpenEntry, "IMsgStore::OpenEntry", id)
}

// openOut is what an OpenEntry returns through its pointers.
type openOut struct {
	objType uint32
	unk     uintptr
}

// entryID is the ENTRYID for a model EntryID: four zero flag bytes, then
// the id's bytes (entryid.md); the empty id is no entry ID at all, which
// opens the root folder.
func entryID(id mapi.EntryID) (uintptr, *byte) {
	if id == "" {
		return 0, nil
	}
	b := make([]byte, 4+len(id))
	copy(b[4:], id)
	return uintptr(len(b)), &b[0]
}

func openEntry(o object, slot int, name string, id mapi.EntryID) (mapi.IMAPIProp, error) {
	cb, eid := entryID(id)
	out := new(openOut)
	r := o.lib.callSlot(o.addr, slot, name, cb, uintptr(unsafe.Pointer(eid)), 0, 0,
		uintptr(unsafe.Pointer(&out.objType)), uintptr(unsafe.Pointer(&out.unk)))
	err := result(r)
	if failed(err) {
		return nil, err
	}
	return o.lib.wrapProp(out.unk, out.objType), err
}

// wrapProp makes the model's object for an object the DLL handed out: a
// container if it is a folder.
func (l *Library) wrapProp(addr uintptr, objType uint32) mapi.IMAPIProp {
	if addr == 0 {
		return nil
	}
	if objType == objectTypeFolder {
		return container{prop{object{l, addr, ifaceFolder}}}
	}
	return prop{object{l, addr, ifaceProp}}
}

// logonObject is IMSLogon.
type logonObject struct{ object }

var _ mapi.IMSLogon = logonObject{}

// Logoff is HRESULT Logoff(ULONG *lpulFlags).
func (l logonObject) Logoff(flags mapi.ReservedFlags) error {
	f := new(uint32)
	*f = uint32(flags)
	return result(l.lib.callSlot(l.addr, slotLogonLogoff, "IMSLogon::Logoff", uintptr(unsafe.Pointer(f))))
}

// OpenStatusEntry is HRESULT OpenStatusEntry(LPCIID lpInterface, ULONG
// ulFlags, ULONG *lpulObjType, LPVOID *lppEntry).
func (l logonObject) OpenStatusEntry() (mapi.IMAPIProp, error) {
	out := new(openOut)
	r := l.lib.callSlot(l.addr, slotLogonOpenStatusEntry, "IMSLogon::OpenStatusEntry", 0, 0,
		uintptr(unsafe.Pointer(&out.objType)), uintptr(unsafe.Pointer(&out.unk)))
	err := result(r)
	if failed(err) {
		return nil, err
	}
	return l.lib.wrapProp(out.unk, out.objType), err
}

// prop is IMAPIProp: a message, the status object.
type prop struct{ object }

var _ mapi.IMAPIProp = prop{}

type getPropsOut struct {
	count uint32
	props uintptr
}

// GetProps is HRESULT GetProps(LPSPropTagArray lpPropTagArray, ULONG
// ulFlags, ULONG *lpcValues, LPSPropValue *lppPropArray). The values are
// the DLL's, allocated with MAPIAllocateBuffer, and freed here as MAPI's
// callers must.
func (p prop) GetProps(tags []mapi.PropTag) ([]mapi.PropValue, error) {
	arr := make([]uint32, 1+len(tags)) // SPropTagArray: cValues, then the tags
	arr[0] = uint32(len(tags))
	for i, t := range tags {
		arr[1+i] = uint32(t)
	}
	out := new(getPropsOut)
	r := p.lib.callSlot(p.addr, slotPropGetProps, p.iface.getProps, uintptr(unsafe.Pointer(&arr[0])), 0,
		uintptr(unsafe.Pointer(&out.count)), uintptr(unsafe.Pointer(&out.props)))
	err := result(r)
	if failed(err) {
		return nil, err
	}
	if err == errorsReturned {
		err = nil // some values are PT_ERROR, which the model leaves out
	}
	vals, rerr := readProps(p.iface.getProps, "*lppPropArray", out.count, out.props)
	if rerr != nil {
		panic(rerr)
	}
	freeMAPIBuffer(out.props)
	return vals, err
}

// container is IMAPIContainer: the root folder.
type container struct{ prop }

var _ mapi.IMAPIContainer = container{}

// OpenEntry is IMAPIContainer::OpenEntry, with IMsgStore::OpenEntry's
// parameters.
func (c container) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	return openEntry(c.object, slotContainerOpenEntry, "IMAPIContainer::OpenEntry", id)
}
