package realworld

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mapiconf/mapiconf/mapi"
)

// Microsoft's sample message store, smpms, as far as shutdown goes.
//
// Its design in three sentences. Every object the store hands out (folder,
// message) is queued under the store, and an object is destroyed only when
// its count is zero and nothing is queued under it, so open objects keep the
// store alive after its clients released it; destroying the last one walks
// up and destroys the store (OBJ_Release, OBJ_Destroy). Destroying the store
// calls StoreLogoffTransports with the flag StoreLogoff saved, LOGOFF_ABORT
// if none came (IMS_Neuter), then releases the support, which is where MAPI
// tears the logon down. IMSLogon::Logoff destroys the store at once if it is
// still there, open objects and client references or not (MSL_Logoff): the
// session path.
//
// Left out: the store's files, properties, tables and notifications, the
// password check and Logon's failure paths (the simulated support never
// fails). The flags word of
// StoreLogoff passes MAPI's parameter validation (Validate_IMsgStore_StoreLogoff,
// in MAPI32, whose checks are not public); the sample's own code checks no flag.

// SampleMessage is the entry ID of the one message the sample store model
// holds; the store and its root folder open it. The sample names message
// files after a sequence number.
const SampleMessage mapi.EntryID = "10000001.msg"

// errInvalidEntryID is MAPI_E_INVALID_ENTRYID, the sample's answer to an
// entry ID it does not recognise (IMS_OpenEntry, FIsInvalidEID).
const errInvalidEntryID mapi.HResult = 0x80040107

// The object types of msp.h that shutdown touches.
type objType int

const (
	otMsgStore objType = iota
	otFolder
	otMessage
)

// NewSampleStore returns the sample store's provider object with one
// reference, which MAPI holds (MSProviderInit, mspinit.c).
func NewSampleStore() mapi.IMSProvider {
	return &sampleProvider{refs: 1}
}

// sampleProvider mirrors MSP, the provider object of mspinit.c: its own
// critical section and the list of the stores open on it.
type sampleProvider struct {
	mu     sync.Mutex     // pmsp->cs
	refs   int            // cRef
	stores []*sampleStore // pobjHead: every store OBJ_Enqueue put under it
	uids   int            // stands in for NewUID, for a fresh MAPIUID per store
}

var _ mapi.IMSProvider = (*sampleProvider)(nil)

// AddRef mirrors OBJ_AddRef on the provider object.
func (p *sampleProvider) AddRef() uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refs++
	return uint32(p.refs)
}

// Release mirrors MSP_Release: the provider goes with its last reference.
// Its assertion that no store is left open is a debug check only.
func (p *sampleProvider) Release() uint32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refs--
	return uint32(p.refs)
}

// Shutdown mirrors MSP_Shutdown: nothing to do but a debug assertion that
// no store is still open; the flags are ignored.
func (p *sampleProvider) Shutdown(mapi.ReservedFlags) error { return nil }

// Logon mirrors MSP_Logon. A store already open on this provider object
// under the same path is handed out again (FAlreadyOpenStore): AddRef'd,
// with no logon object, no support AddRef and no spooler data, as
// imsprovider-logon.md asks. Otherwise it makes the logon object and the
// store (HrCheckAndOpenStore), registers the store's MAPIUID, queues the
// store under the provider and only then AddRefs the support, once ("I'm
// keeping a reference"), and returns the path and password the spooler will
// log on with (HrGetSpoolSecurity). It holds the provider's critical section
// throughout.
func (p *sampleProvider) Logon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	path := string(entryID)
	if ims := p.alreadyOpen(path); ims != nil {
		return nil, nil, ims, nil
	}
	msl, ims := p.checkAndOpenStore(sup, path)
	if err := sup.SetProviderUID(ims.uid, 0); err != nil {
		return nil, nil, nil, err
	}
	p.stores = append(p.stores, ims)
	sup.AddRef()
	return spoolSecurity(path, samplePassword), msl, ims, nil
}

// SpoolerLogon mirrors MSP_SpoolerLogon: the path comes from the spooler
// data (DecodeSpoolSecurity); a store already open on this provider object
// under that path is handed out again, as in Logon; otherwise the spooler
// gets a store and a logon object of its own (HrCheckAndOpenStore; the
// MSF_SPOOLER mark matters only to message submission), registered and
// holding the support like a client's.
//
// FAlreadyOpenStore searches the provider object's own list, and MAPI's
// spooler runs in a process of its own ("The MAPI spooler logon occurs as
// part of a different process than the store logon", imsprovider-logon.md),
// with a provider object of its own: there the client's store is never
// found. A simulated MAPI that logs the spooler on through the client's
// provider object makes the sample hand the spooler the client's store.
func (p *sampleProvider) SpoolerLogon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID, spool []byte) (mapi.IMSLogon, mapi.IMsgStore, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	path, _ := decodeSpoolSecurity(spool)
	if ims := p.alreadyOpen(path); ims != nil {
		return nil, ims, nil
	}
	msl, ims := p.checkAndOpenStore(sup, path)
	if err := sup.SetProviderUID(ims.uid, 0); err != nil {
		return nil, nil, err
	}
	p.stores = append(p.stores, ims)
	sup.AddRef()
	return msl, ims, nil
}

// alreadyOpen mirrors FAlreadyOpenStore: the open store with this path
// (compared without regard to case), AddRef'd, unless it is being
// destroyed. Called with the provider's critical section held.
func (p *sampleProvider) alreadyOpen(path string) *sampleStore {
	for _, ims := range p.stores {
		if !strings.EqualFold(ims.path, path) {
			continue
		}
		ims.cs.Lock()
		dying := ims.beingDestroyed
		if !dying {
			ims.refs++
		}
		ims.cs.Unlock()
		if !dying {
			return ims
		}
	}
	return nil
}

// checkAndOpenStore mirrors HrCheckAndOpenStore with ScCreateMSL and
// HrNewIMS: a logon object and a store made together, the store keeping
// the support pointer without an AddRef and LOGOFF_ABORT as the flag for
// StoreLogoffTransports. Called with the provider's critical section held.
func (p *sampleProvider) checkAndOpenStore(sup mapi.IMAPISupport, path string) (*sampleLogon, *sampleStore) {
	p.uids++
	msl := &sampleLogon{refs: 1}
	ims := &sampleStore{msp: p, msl: msl, sup: sup, path: path, flagsSLT: mapi.LogoffAbort, uid: sampleUID(p.uids)}
	ims.object = object{kind: otMsgStore, refs: 1, cs: &msl.cs, ims: ims}
	ims.valid.Store(true)
	msl.ims = ims
	return msl, ims
}

// samplePassword is the store's password, which a profile may remember; the
// model's stores have none.
const samplePassword = ""

// spoolSecurity mirrors HrGetSpoolSecurity: the path and the password, each
// with its terminating NUL.
func spoolSecurity(path, password string) []byte {
	return []byte(path + "\x00" + password + "\x00")
}

// decodeSpoolSecurity mirrors DecodeSpoolSecurity: the path and the
// password HrGetSpoolSecurity wrote, each with its terminating NUL.
func decodeSpoolSecurity(b []byte) (path, password string) {
	path, rest, _ := strings.Cut(string(b), "\x00")
	password, _, _ = strings.Cut(rest, "\x00")
	return path, password
}

// CompareStoreIDs mirrors MSP_CompareStoreIDs: two entry IDs name the same
// store when their paths match without regard to case.
func (p *sampleProvider) CompareStoreIDs(a, b mapi.EntryID, flags mapi.ReservedFlags) (bool, error) {
	return strings.EqualFold(string(a), string(b)), nil
}

// sampleUID makes the store's uidResource, which the sample gets from
// IMAPISupport::NewUID when it creates a store and reads back from the
// store's files afterwards.
func sampleUID(n int) mapi.MAPIUID {
	uid := mapi.MAPIUID{'s', 'm', 'p', 'm', 's'}
	uid[15] = byte(n)
	uid[14] = byte(n >> 8)
	return uid
}

// sampleLogon mirrors MSL, the logon object of msplogon.c. Its critical
// section is the one the store and all the store's objects share.
type sampleLogon struct {
	cs   sync.Mutex   // pmsl->cs
	refs int          // cRef, under cs
	ims  *sampleStore // pmsl->pims: nil once the store is destroyed (IMS_Neuter)
}

var _ mapi.IMSLogon = (*sampleLogon)(nil)

// AddRef mirrors OBJ_AddRef on the logon object.
func (l *sampleLogon) AddRef() uint32 {
	l.cs.Lock()
	defer l.cs.Unlock()
	l.refs++
	return uint32(l.refs)
}

// Release mirrors MSL_Release: the logon object is freed at its last
// reference, by which time the store is gone (a debug assertion).
func (l *sampleLogon) Release() uint32 {
	l.cs.Lock()
	defer l.cs.Unlock()
	l.refs--
	return uint32(l.refs)
}

// Logoff mirrors MSL_Logoff: if the store is still there, destroy it now,
// whoever still holds it (OBJ_Destroy on the store); otherwise nothing. It
// always answers S_OK and looks at its flags only in debug builds.
func (l *sampleLogon) Logoff(mapi.ReservedFlags) error {
	l.cs.Lock()
	if l.ims != nil {
		l.ims.destroy() // lets go of cs
	} else {
		l.cs.Unlock()
	}
	return nil
}

// OpenStatusEntry mirrors MSL_OpenStatusEntry: the sample has no status
// object.
func (l *sampleLogon) OpenStatusEntry() (mapi.IMAPIProp, error) { return nil, mapi.ErrNoSupport }

// object mirrors the header every sample object starts with
// (STANDARD_OBJECT_MEMBERS in msp.h): its count, its parent, what is queued
// under it, the store it belongs to and the shared critical section.
type object struct {
	kind     objType
	valid    atomic.Bool  // lpVtbl still set: cleared at a child's last Release and when freed
	refs     int          // cRef, under cs
	parent   *object      // pobjParent: the store for folders and messages
	children []*object    // pobjHead and the pobjNext chain, under cs
	ims      *sampleStore // pims
	cs       *sync.Mutex  // pcs: the logon's critical section
	name     string
}

// invalid mirrors OBJ_IsInvalid and the object check of OBJ_ValidateParameters:
// an object whose vtable was cleared or that was freed. The sample's methods
// check it first, so a call that reaches them on a dead object is refused
// (MAPI_E_INVALID_PARAMETER) or, for AddRef and Release, ignored.
func (o *object) invalid() bool { return !o.valid.Load() }

// addRef mirrors OBJ_AddRef.
func (o *object) addRef() uint32 {
	if o.invalid() {
		return 0
	}
	o.cs.Lock()
	defer o.cs.Unlock()
	o.refs++
	return uint32(o.refs)
}

// release mirrors OBJ_Release, the Release of the store and of messages
// (IFLD_Release does the same for folders, and also waits for the folder's
// open tables, which the model has none of). At zero, an object other than
// the store loses its vtable; any object with nothing queued under it is
// destroyed.
func (o *object) release() uint32 {
	if o.invalid() {
		return 0
	}
	o.cs.Lock()
	o.refs--
	n := o.refs
	if n == 0 {
		if o.kind != otMsgStore {
			o.valid.Store(false)
		}
		if len(o.children) == 0 {
			o.destroy() // lets go of cs
			return 0
		}
	}
	o.cs.Unlock()
	return uint32(n)
}

// destroy mirrors OBJ_Destroy: free the object, and if it was the last thing
// keeping its parent, the parent too, up to the store. Destroying the store
// neuters it (IMS_Neuter: StoreLogoffTransports), takes it off the
// provider's list, frees it, lets go of the critical section and releases
// the support, last. Called with cs held.
//
// C holds the critical section across StoreLogoffTransports. Win32 critical
// sections are recursive, Go's mutex is not: were MAPI to call back into this
// logon from inside StoreLogoffTransports on the same thread, C would
// re-enter where the model waits. The simulated MAPI makes no such call.
func (o *object) destroy() {
	ims := o.ims
	for obj := o; ; {
		if obj == &ims.object {
			ims.neuter()
			p := ims.msp
			p.mu.Lock()
			for i, s := range p.stores {
				if s == ims {
					p.stores = append(p.stores[:i:i], p.stores[i+1:]...)
					break
				}
			}
			p.mu.Unlock()
			sup := ims.sup
			ims.valid.Store(false)
			ims.cs.Unlock()
			sup.Release()
			return
		}
		parent := obj.parent
		obj.dequeue()
		obj.valid.Store(false)
		obj = parent
		if obj == nil || obj.refs != 0 || len(obj.children) > 0 {
			ims.cs.Unlock()
			return
		}
	}
}

// dequeue mirrors OBJ_Dequeue: take the object off its parent's list.
func (o *object) dequeue() {
	if o.parent == nil {
		return
	}
	kids := o.parent.children
	for i, c := range kids {
		if c == o {
			o.parent.children = append(kids[:i:i], kids[i+1:]...)
			break
		}
	}
	o.parent = nil
}

// neuterChildren mirrors IMS_NeuterChildren: free everything queued under
// the object, depth first, whoever still holds it.
func (o *object) neuterChildren() {
	for len(o.children) > 0 {
		c := o.children[0]
		o.children = o.children[1:]
		c.neuterChildren()
		if c.kind != otMsgStore {
			c.parent = nil
			c.valid.Store(false)
		}
	}
}

// sampleStore mirrors IMS, the message store object of mspms.c.
type sampleStore struct {
	object
	msp  *sampleProvider
	msl  *sampleLogon
	sup  mapi.IMAPISupport // psup: kept without an AddRef of its own; Logon's AddRef is released by OBJ_Destroy
	uid  mapi.MAPIUID      // uidResource
	path string            // szStorePath: what FAlreadyOpenStore compares

	flagsSLT       mapi.LogoffFlags // ulFlagsSLT, under cs
	beingDestroyed bool             // MSF_BEINGDESTROYED, under cs
}

var _ mapi.IMsgStore = (*sampleStore)(nil)

// neuter mirrors IMS_Neuter, under cs: mark the store being destroyed, call
// StoreLogoffTransports with the saved flag and ignore its answer (the
// sample's comment: the support it gets during configuration answers
// MAPI_E_NO_SUPPORT, which is no error), free whatever is still open under
// the store when clients still hold it or objects are open (MSL_Logoff's
// case: "objects were not released before Logoff"), and make the logon
// object forget the store.
func (s *sampleStore) neuter() {
	s.beingDestroyed = true
	flags := s.flagsSLT
	s.sup.StoreLogoffTransports(flags)
	if s.refs != 0 || len(s.children) > 0 {
		s.neuterChildren()
	}
	s.msl.ims = nil
}

// AddRef mirrors OBJ_AddRef.
func (s *sampleStore) AddRef() uint32 { return s.addRef() }

// Release mirrors OBJ_Release.
func (s *sampleStore) Release() uint32 { return s.release() }

// StoreLogoff mirrors IMS_StoreLogoff: save the flag word for
// StoreLogoffTransports, whatever it is, and answer LOGOFF_COMPLETE. It
// ends nothing: the store's destruction does.
func (s *sampleStore) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	if s.invalid() {
		return 0, mapi.ErrInvalidParameter
	}
	s.cs.Lock()
	defer s.cs.Unlock()
	s.flagsSLT = flags
	return mapi.LogoffComplete, nil
}

// OpenEntry mirrors IMS_OpenEntry: the empty entry ID opens the root folder
// (HrNewIFLD), the message's opens the message (HrNewIMSG); both are queued
// under the store.
func (s *sampleStore) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	if s.invalid() {
		return nil, mapi.ErrInvalidParameter
	}
	return s.open(id)
}

// open is the part of IMS_OpenEntry the store and its folders share: the
// folder's OpenEntry is the store's, working on the folder's pims.
func (s *sampleStore) open(id mapi.EntryID) (mapi.IMAPIProp, error) {
	s.cs.Lock()
	defer s.cs.Unlock()
	var o *object
	var out mapi.IMAPIProp
	switch id {
	case "":
		f := &sampleFolder{}
		o, out = &f.object, f
		o.kind, o.name = otFolder, "root folder"
	case SampleMessage:
		m := &sampleMessage{}
		o, out = &m.object, m
		o.kind, o.name = otMessage, string(id)
	default:
		return nil, errInvalidEntryID
	}
	o.refs, o.cs, o.ims, o.parent = 1, s.cs, s, &s.object
	o.valid.Store(true)
	s.children = append(s.children, o)
	return out, nil
}

// sampleFolder mirrors IFLD, a folder of mspfld.c.
type sampleFolder struct{ object }

var _ mapi.IMAPIContainer = (*sampleFolder)(nil)

// AddRef mirrors OBJ_AddRef.
func (f *sampleFolder) AddRef() uint32 { return f.addRef() }

// Release mirrors IFLD_Release.
func (f *sampleFolder) Release() uint32 { return f.release() }

// GetProps mirrors IFLD_GetProps as far as liveness goes: a dead folder is
// refused by the parameter check.
func (f *sampleFolder) GetProps(tags []mapi.PropTag) ([]mapi.PropValue, error) {
	return f.getProps(tags)
}

// OpenEntry mirrors the folder's OpenEntry, which is IMS_OpenEntry on the
// folder's store: what it opens is queued under the store, not the folder.
func (f *sampleFolder) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	if f.invalid() {
		return nil, mapi.ErrInvalidParameter
	}
	return f.ims.open(id)
}

// sampleMessage mirrors IMSG, a message of mspmsg.c.
type sampleMessage struct{ object }

var _ mapi.IMAPIProp = (*sampleMessage)(nil)

// AddRef mirrors OBJ_AddRef.
func (m *sampleMessage) AddRef() uint32 { return m.addRef() }

// Release mirrors OBJ_Release.
func (m *sampleMessage) Release() uint32 { return m.release() }

// GetProps mirrors IMSG_GetProps as far as liveness goes.
func (m *sampleMessage) GetProps(tags []mapi.PropTag) ([]mapi.PropValue, error) {
	return m.getProps(tags)
}

// getProps answers PR_DISPLAY_NAME for a live object; a dead one fails the
// parameter check every sample method starts with (OBJ_ValidateParameters).
func (o *object) getProps(tags []mapi.PropTag) ([]mapi.PropValue, error) {
	if o.invalid() {
		return nil, mapi.ErrInvalidParameter
	}
	var vals []mapi.PropValue
	for _, t := range tags {
		if t == mapi.PRDisplayName {
			vals = append(vals, mapi.PropValue{Tag: t, Value: o.name})
		}
	}
	return vals, nil
}
