package realworld

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/mapiconf/mapiconf/mapi"
)

// Kopano Core's client-side store provider, as far as shutdown goes.
//
// Its design in three sentences. Every Kopano object counts its references
// and keeps a list of children, and dies when both are gone (ECUnknown); the
// folders and messages a store opens are its children, so they keep it
// alive, as in Microsoft's sample. The store holds the support, and so does
// the notification client the store makes at logon, and both let go of it
// when the store dies; nothing ever calls StoreLogoffTransports
// (ECMsgStore::StoreLogoff returns S_OK and does nothing). IMSLogon::Logoff
// does nothing either (ECMSLogon::Logoff), so on the session path the store
// and its objects outlive MAPI's teardown until their holders release them.
//
// Left out: the server transport, properties, tables, advise sinks, the
// offline and public stores, and the store-only profile flag that turns the
// notification client off (EC_PROFILE_FLAGS_NO_NOTIFICATIONS).

// KopanoMessage is the entry ID of the one message the Kopano model holds;
// the store and its root folder open it.
const KopanoMessage mapi.EntryID = "kopano-message-1"

// NewKopano returns Kopano's provider object with one reference, which MAPI
// holds: MSProviderInit (epclient.cpp) hands MAPI an ECMSProviderSwitch.
func NewKopano() mapi.IMSProvider {
	p := &kopanoProvider{}
	p.init("provider", nil)
	return p
}

// ecUnknown mirrors ECUnknown (common/ECUnknown.cpp), the base of every
// Kopano object: an atomic reference count, a list of children that keep the
// object alive on top of it, and Suicide, which runs the destructor and tells
// the parent.
type ecUnknown struct {
	what     string
	refs     atomic.Int32 // m_cRef
	mu       sync.Mutex   // guards children
	children []*ecUnknown // lstChildren
	parent   *ecUnknown   // lpParent
	dtor     func()       // the destructor of the derived class
	deleted  atomic.Bool  // operator delete has run
}

// init mirrors alloc_wrap: a new object with one reference, the caller's.
func (u *ecUnknown) init(what string, dtor func()) {
	u.what, u.dtor = what, dtor
	u.refs.Store(1)
}

// alive stands for every member access of a Kopano method: after delete the
// memory is gone and nothing checks for it, so the model crashes, as a use
// after free would.
func (u *ecUnknown) alive() {
	if u.deleted.Load() {
		panic(fmt.Sprintf("kopano: use after delete: a call on the %s after its last Release freed it", u.what))
	}
}

// AddRef mirrors ECUnknown::AddRef.
func (u *ecUnknown) AddRef() uint32 {
	u.alive()
	return uint32(u.refs.Add(1))
}

// Release mirrors ECUnknown::Release: at zero, an object with no children
// kills itself; one with children lives on until the last child goes.
func (u *ecUnknown) Release() uint32 {
	u.alive()
	n := u.refs.Add(-1)
	if n != 0 {
		return uint32(n)
	}
	u.mu.Lock()
	last := len(u.children) == 0
	u.mu.Unlock()
	if last {
		u.suicide()
	}
	return 0
}

// addChild mirrors ECUnknown::AddChild.
func (u *ecUnknown) addChild(c *ecUnknown) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.children = append(u.children, c)
	c.parent = u
}

// removeChild mirrors ECUnknown::RemoveChild: the last child of an object
// nobody references any more takes the object with it.
func (u *ecUnknown) removeChild(c *ecUnknown) {
	u.mu.Lock()
	for i, x := range u.children {
		if x == c {
			u.children = append(u.children[:i:i], u.children[i+1:]...)
			break
		}
	}
	last := len(u.children) == 0 && u.refs.Load() == 0
	u.mu.Unlock()
	if last {
		u.suicide()
	}
}

// suicide mirrors ECUnknown::Suicide: run the destructor, then tell the
// parent, then free.
func (u *ecUnknown) suicide() {
	parent := u.parent
	u.parent = nil
	if u.dtor != nil {
		u.dtor()
	}
	if parent != nil {
		parent.removeChild(u)
	}
	u.deleted.Store(true)
}

// kopanoProvider mirrors ECMSProviderSwitch (ECMSProvider.cpp), which logs
// on through the online provider, ECMSProvider.
type kopanoProvider struct {
	ecUnknown
	stores atomic.Int32 // stands in for the store GUIDs of the entry IDs
}

var _ mapi.IMSProvider = (*kopanoProvider)(nil)

// Shutdown mirrors ECMSProviderSwitch::Shutdown: S_OK, nothing done.
func (p *kopanoProvider) Shutdown(mapi.ReservedFlags) error {
	p.alive()
	return nil
}

// Logon mirrors ECMSProviderSwitch::Logon with ECMSProvider::Logon and
// CreateMsgStoreObject. Every call makes a new store, even for a store
// already open in the session (nothing keeps a list of open stores), and
// returns no spooler data. The store keeps the support (ECMsgStore's
// constructor, one AddRef), SetEntryId makes the notification client, which
// keeps it too (ECNotifyClient's constructor, a second AddRef); the logon
// object points at the store without a reference; then the switch registers
// the store's GUID and adds the status row (HrInitializeStatusRow, for the
// default store).
func (p *kopanoProvider) Logon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	p.alive()
	n := p.stores.Add(1)
	st := &ecMsgStore{sup: sup, guid: kopanoGUID(n)}
	st.init("store", st.destroy)
	sup.AddRef()
	st.notify = &ecNotifyClient{sup: sup}
	st.notify.init("notification client", st.notify.destroy)
	sup.AddRef()
	lg := &ecMSLogon{store: st}
	lg.init("logon object", nil)
	if err := sup.SetProviderUID(st.guid, 0); err != nil {
		return nil, nil, nil, err
	}
	if err := sup.ModifyStatusRow(mapi.StatusRow{DisplayName: "Kopano store"}, 0); err != nil {
		return nil, nil, nil, err
	}
	return nil, lg, st, nil
}

// SpoolerLogon mirrors mapi4linux's IMSProvider::SpoolerLogon, which
// Kopano does not override: MAPI_E_NO_SUPPORT. Its Logon returns no spooler
// data, so MAPI asks for none.
func (p *kopanoProvider) SpoolerLogon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID, spool []byte) (mapi.IMSLogon, mapi.IMsgStore, error) {
	return nil, nil, mapi.ErrNoSupport
}

// CompareStoreIDs mirrors CompareStoreIDs (ProviderUtil.cpp), which compares
// the store GUID, version, type and ID inside the entry IDs; the model's
// entry IDs are those parts, so it compares them whole.
func (p *kopanoProvider) CompareStoreIDs(a, b mapi.EntryID, flags mapi.ReservedFlags) (bool, error) {
	return a == b, nil
}

// kopanoGUID stands for the store GUID Kopano reads from the store's entry
// ID (ECMsgStore::get_store_guid).
func kopanoGUID(n int32) mapi.MAPIUID {
	uid := mapi.MAPIUID{'k', 'o', 'p', 'a', 'n', 'o'}
	uid[15] = byte(n)
	uid[14] = byte(n >> 8)
	return uid
}

// ecMsgStore mirrors ECMsgStore (ECMsgStore.cpp).
type ecMsgStore struct {
	ecUnknown
	sup    mapi.IMAPISupport // lpSupport, an object_ptr: one reference
	notify *ecNotifyClient   // m_lpNotifyClient, an object_ptr
	guid   mapi.MAPIUID
}

var _ mapi.IMsgStore = (*ecMsgStore)(nil)

// destroy mirrors ~ECMsgStore and the destruction of its members, in
// reverse order of declaration: the notification client first (which
// releases its reference on the support), the support last. That last
// Release is where MAPI tears the logon down.
func (s *ecMsgStore) destroy() {
	s.notify.Release()
	s.sup.Release()
}

// StoreLogoff mirrors ECMsgStore::StoreLogoff, which returns S_OK and
// touches nothing, not even the in/out flags word: the caller reads back
// the flag it passed.
func (s *ecMsgStore) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	s.alive()
	return flags, nil
}

// OpenEntry mirrors ECMsgStore::OpenEntry: the empty entry ID opens the
// root folder, the message's the message; each becomes a child of the
// store (AddChild).
func (s *ecMsgStore) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	s.alive()
	var u *ecUnknown
	var out mapi.IMAPIProp
	switch id {
	case "":
		f := &ecMAPIFolder{store: s}
		u, out = &f.ecUnknown, f
		u.init("root folder", nil)
	case KopanoMessage:
		m := &ecMessage{}
		u, out = &m.ecUnknown, m
		u.init(string(id), nil)
	default:
		return nil, errInvalidEntryID
	}
	s.addChild(u)
	return out, nil
}

// ecNotifyClient mirrors ECNotifyClient (ECNotifyClient.cpp) as far as the
// support goes: m_lpSupport, an object_ptr.
type ecNotifyClient struct {
	ecUnknown
	sup mapi.IMAPISupport
}

// destroy mirrors ~ECNotifyClient: its members go, the support among them.
func (c *ecNotifyClient) destroy() { c.sup.Release() }

// ecMSLogon mirrors ECMSLogon (ECMsgStore.cpp). It points at the store
// without a reference ("the reference order is ECMsgStore -> IMAPISupport
// -> ECMSLogon").
type ecMSLogon struct {
	ecUnknown
	store *ecMsgStore
}

var _ mapi.IMSLogon = (*ecMSLogon)(nil)

// Logoff mirrors ECMSLogon::Logoff: S_OK, nothing done.
func (l *ecMSLogon) Logoff(mapi.ReservedFlags) error {
	l.alive()
	return nil
}

// OpenStatusEntry mirrors ECMSLogon::OpenStatusEntry: no status object.
func (l *ecMSLogon) OpenStatusEntry() (mapi.IMAPIProp, error) {
	l.alive()
	return nil, mapi.ErrNoSupport
}

// ecMAPIFolder mirrors ECMAPIFolder; its OpenEntry is
// ECMAPIContainer::OpenEntry, which opens through the store.
type ecMAPIFolder struct {
	ecUnknown
	store *ecMsgStore // GetMsgStore(): a plain pointer
}

var _ mapi.IMAPIContainer = (*ecMAPIFolder)(nil)

// GetProps mirrors ECGenericProp::GetProps as far as liveness goes: it
// answers as long as the folder exists.
func (f *ecMAPIFolder) GetProps(tags []mapi.PropTag) ([]mapi.PropValue, error) {
	f.alive()
	return displayName(tags, f.what), nil
}

// OpenEntry mirrors ECMAPIContainer::OpenEntry: the store opens it, and it
// is the store's child, not the folder's.
func (f *ecMAPIFolder) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	f.alive()
	return f.store.OpenEntry(id)
}

// ecMessage mirrors ECMessage.
type ecMessage struct{ ecUnknown }

var _ mapi.IMAPIProp = (*ecMessage)(nil)

// GetProps mirrors ECGenericProp::GetProps as far as liveness goes.
func (m *ecMessage) GetProps(tags []mapi.PropTag) ([]mapi.PropValue, error) {
	m.alive()
	return displayName(tags, m.what), nil
}

// displayName answers PR_DISPLAY_NAME, the one property the suite asks for.
func displayName(tags []mapi.PropTag, name string) []mapi.PropValue {
	var vals []mapi.PropValue
	for _, t := range tags {
		if t == mapi.PRDisplayName {
			vals = append(vals, mapi.PropValue{Tag: t, Value: name})
		}
	}
	return vals
}
