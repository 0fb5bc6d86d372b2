// Package reference is mapiconf's reference message store provider: a small
// in-memory store that follows every rule of the suite, in either profile.
//
// It is the proof that the rules can all be met at once, the provider the
// suite's own CI checks, and a model for provider authors: StoreLogoff, the
// store's Release and IMSLogon::Logoff below are what the documentation asks
// for, with the reasons in the comments.
package reference

import (
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/mapiconf/mapiconf/mapi"
)

// Options choose the provider's behaviour where the documentation allows a
// choice.
type Options struct {
	// Deferred selects the deferred profile: StoreLogoff only saves its flag,
	// and StoreLogoffTransports is called at the store's last Release (the
	// notes to implementers of IMsgStore::StoreLogoff, and Microsoft's sample
	// store). Otherwise StoreLogoff calls it at once (Shutting Down a Message
	// Store Provider).
	Deferred bool

	// StatusRow makes the provider add a row to the status table at logon.
	StatusRow bool

	// HelperHoldsSupport gives the support a second holder, a helper
	// object that AddRefs it at logon and releases it at the store's end,
	// as Kopano's notification client does: a correct design.
	HelperHoldsSupport bool

	// FreshUIDs makes every logon register a MAPIUID of its own, from a
	// process-wide counter, as a provider that calls CoCreateGuid at each
	// logon does (RULES.md revision 4: a value the provider makes up).
	FreshUIDs bool

	// PinsSupport makes the provider guard its own calls on the support
	// with an AddRef before and a Release after (COM's usual guard around
	// a call that may re-enter), and update its status row when a client
	// asks the store to log off (StoreLogoff).
	PinsSupport bool

	// RowPerReference makes the provider update its status row (the number
	// of references clients hold) at every Release of the store that does
	// not end it, a second Logon's included.
	RowPerReference bool

	// InvalidatedByComplete makes the store refuse every call but Release
	// with MAPI_E_INVALID_OBJECT, its objects too, once
	// StoreLogoffTransports answered LOGOFF_COMPLETE: "the object has been
	// invalidated" (imapisupport-storelogofftransports.md).
	InvalidatedByComplete bool

	flaw Flaw // set only by Bad.Config: the known-bad providers
	// only limits the flaw to some logons: the second store's, the
	// spooler's (Bad.Only).
	only Scope

	// proc is what the provider objects of one process share, as a DLL's
	// globals are shared by the client's provider object and the MAPI
	// spooler's: Config's providers share one.
	proc *process
}

// The entries every store holds: the root folder (the empty EntryID) and one
// message in it.
const MessageEntry mapi.EntryID = "msg-1"

// New returns a provider as MSProviderInit would: with one reference, which
// MAPI holds.
func New(opts Options) *Provider {
	if opts.proc == nil {
		opts.proc = new(process)
	}
	p := &Provider{opts: opts}
	p.refs.Store(1)
	return p
}

// Provider implements mapi.IMSProvider.
type Provider struct {
	opts Options
	refs atomic.Int32

	mu       sync.Mutex
	logons   int
	shutDown bool
	states   []*state // every logon, the spooler's too
}

var _ mapi.IMSProvider = (*Provider)(nil)

func (p *Provider) AddRef() uint32 { return uint32(p.refs.Add(1)) }

func (p *Provider) Release() uint32 {
	n := p.refs.Add(-1)
	if n == 0 && p.opts.has(SupportCallAfterShutdown) {
		p.mu.Lock()
		states := p.states
		p.mu.Unlock()
		for _, st := range states {
			st.sup0.AddRef() // Flaw: touches a support released long ago.
			st.sup0.Release()
		}
	}
	if n < 0 {
		// Over-released by the caller: stay at zero rather than wrap around.
		p.refs.Store(0)
		return 0
	}
	return uint32(n)
}

// Shutdown is MAPI's last call before it releases the provider. Its flags are
// reserved (IMSProvider::Shutdown).
func (p *Provider) Shutdown(flags mapi.ReservedFlags) error {
	if flags != 0 {
		return mapi.ErrUnknownFlags
	}
	if p.opts.has(ShutdownFails) {
		return mapi.ErrCallFailed // Flaw: IMSProvider::Shutdown documents only S_OK.
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.shutDown = true
	return nil
}

// Logon keeps and AddRefs the support once, registers the provider's MAPIUID,
// adds a status row if asked to, and returns a store and a logon object made
// together, with the data the spooler needs to log on to the same store
// (IMSProvider::Logon). A Logon to a store already open returns only that
// store: "These calls do not create status rows, return message store logon
// objects, call AddRef for the MAPI support object, or return data for MAPI
// spooler logon."
func (p *Provider) Logon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	if sup == nil {
		return nil, nil, nil, mapi.ErrInvalidParameter
	}
	if st := p.open(entryID); st != nil {
		if p.opts.has(ReopenLogsOn) || p.opts.has(RelogonWhilePending) && st.logoffPending() {
			sup.AddRef() // Flaw: a second logon, with all its bookkeeping.
			st.storeRefs.Add(1)
			return spoolDataFor(entryID), &logon{st}, &store{st}, nil
		}
		st.storeRefs.Add(1)
		return nil, nil, &store{st}, nil
	}
	st, err := p.logon(sup, profile, entryID, false)
	if err != nil {
		return nil, nil, nil, err
	}
	return spoolDataFor(entryID), &logon{st}, &store{st}, nil
}

// SpoolerLogon logs the MAPI spooler on to the store a Logon opened, with
// the data that Logon returned: a store and a logon object of the
// spooler's own, made together and freed together. The spooler's store is
// marked as the spooler's ("The store provider should internally mark the
// returned message store object", imsprovider-spoolerlogon.md): its end
// calls no StoreLogoffTransports, for it is what StoreLogoffTransports
// releases.
func (p *Provider) SpoolerLogon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID, spoolSecurity []byte) (mapi.IMSLogon, mapi.IMsgStore, error) {
	if sup == nil || string(spoolSecurity) != string(spoolDataFor(entryID)) {
		return nil, nil, mapi.ErrLogonFailed
	}
	st, err := p.logon(sup, profile, entryID, true)
	if err != nil {
		return nil, nil, err
	}
	return &logon{st}, &store{st}, nil
}

// CompareStoreIDs reports whether two entry IDs name the same store: the
// reference provider's entry IDs are plain names.
func (p *Provider) CompareStoreIDs(a, b mapi.EntryID, flags mapi.ReservedFlags) (bool, error) {
	if flags != 0 {
		return false, mapi.ErrUnknownFlags
	}
	return a == b, nil
}

// spoolDataFor is what Logon returns for the spooler's logon: the store's
// entry ID, and no addresses, for the buffer is copied to the spooler's
// process (imsprovider-logon.md).
func spoolDataFor(entryID mapi.EntryID) []byte { return []byte("mapiconf store " + string(entryID)) }

// open returns the logon of a client store already open under entryID.
func (p *Provider) open(entryID mapi.EntryID) *state {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, st := range p.states {
		if st.entryID == entryID && !st.spooler && !st.isEnded() {
			return st
		}
	}
	return nil
}

// logon makes the state a store and its logon object share, and keeps the
// support for it.
func (p *Provider) logon(sup mapi.IMAPISupport, profile string, entryID mapi.EntryID, spooler bool) (*state, error) {
	p.mu.Lock()
	if p.shutDown {
		p.mu.Unlock()
		return nil, mapi.ErrCallFailed
	}
	p.logons++
	stores := 0 // the client stores this provider object logged on to before
	for _, other := range p.states {
		if !other.spooler {
			stores++
		}
	}
	p.mu.Unlock()

	opts := p.opts
	if !opts.only.covers(spooler, stores) {
		opts.flaw = noFlaw // a flaw of some logons only (Bad.Only): not this one
	}
	if opts.PinsSupport {
		sup = pinned{sup}
	}
	st := &state{provider: p, opts: opts, deferred: opts.Deferred, sup: sup, sup0: sup, entryID: entryID, spooler: spooler}
	st.storeRefs.Store(1)
	st.logonRefs.Store(1)

	if !opts.has(NoSupportAddRef) {
		// Keep the support and AddRef it (IMSProvider::Logon).
		if n := sup.AddRef(); n < 2 && opts.has(TrustsCounts) {
			sup.AddRef() // Flaw: trusts the count AddRef returned, and leaks this reference.
		}
	}
	if opts.HelperHoldsSupport {
		// A helper object, such as a notification client, holds the
		// support too; it lets go at the store's end (LG-01 asks for at
		// least one reference, RL-01 for the balance).
		sup.AddRef()
		st.extraRef = true
	}
	if !spooler && !opts.has(NoProviderUID) {
		var flags mapi.ReservedFlags
		if opts.has(UIDFlags) {
			flags = 1 // Flaw: the flags are reserved, and must be 0.
		}
		if err := sup.SetProviderUID(uidFor(profile, opts.FreshUIDs), flags); err != nil {
			sup.Release()
			return nil, err
		}
	}
	if !spooler && opts.StatusRow {
		// The row goes in before Logon returns (status tables page).
		if err := sup.ModifyStatusRow(mapi.StatusRow{DisplayName: rowName}, 0); err != nil {
			sup.Release()
			return nil, err
		}
	}
	p.mu.Lock()
	p.states = append(p.states, st)
	p.mu.Unlock()
	p.opts.proc.add(st)
	return st, nil
}

// rowName is the display name of the provider's status row.
const rowName = "mapiconf reference store"

// process is what the provider objects of one process share: every logon
// they made. Only a flaw reads it (SpoolerEndsClientStore): a correct
// provider keeps each provider object's stores to itself.
type process struct {
	mu     sync.Mutex
	logons []*state
}

func (pr *process) add(st *state) {
	pr.mu.Lock()
	// An ended logon is no one's to find (clientStore), and a process
	// that lives through many lifecycles must not keep them all.
	pr.logons = append(slices.DeleteFunc(pr.logons, (*state).isEnded), st)
	pr.mu.Unlock()
}

// clientStore returns the client logon open under entryID, in any of the
// process's provider objects.
func (pr *process) clientStore(entryID mapi.EntryID) *state {
	pr.mu.Lock()
	logons := pr.logons
	pr.mu.Unlock()
	for _, st := range logons {
		if st.entryID == entryID && !st.spooler && !st.isEnded() {
			return st
		}
	}
	return nil
}

// uidFor returns the MAPIUID the provider registers: derived from the
// profile name, so that each store of a profile has a stable identifier,
// or, fresh, a new one at every logon from a process-wide counter, as a
// provider that calls CoCreateGuid gets.
func uidFor(profile string, fresh bool) mapi.MAPIUID {
	uid := mapi.MAPIUID{0x6d, 0x61, 0x70, 0x69, 0x63, 0x6f, 0x6e, 0x66} // "mapiconf"
	if fresh {
		binary.LittleEndian.PutUint64(uid[8:], lastUID.Add(1))
		return uid
	}
	for i := 0; i < len(profile); i++ {
		uid[8+i%8] ^= profile[i]
	}
	return uid
}

// lastUID is the last fresh MAPIUID's number: one counter for the process.
var lastUID atomic.Uint64

// state is what a store and its logon object share. They are made together
// and freed together (IMSProvider::Logon).
type state struct {
	provider *Provider
	opts     Options
	deferred bool
	entryID  mapi.EntryID
	spooler  bool              // the MAPI spooler's logon (SpoolerLogon)
	sup0     mapi.IMAPISupport // the support as given, for the flaws that misuse it
	extraRef bool              // HelperHoldsSupport: one more support reference to release

	storeRefs atomic.Int32
	logonRefs atomic.Int32

	mu        sync.Mutex
	sup       mapi.IMAPISupport // nil once released: no call may follow
	stltDone  bool              // StoreLogoffTransports has been called
	stltFlags mapi.LogoffFlags  // the flag it was called with from StoreLogoff
	racers    atomic.Int32      // RacyRefCount: Releases in progress
	requested bool              // deferred: StoreLogoff has been called
	pending   mapi.LogoffFlags  // deferred: the last StoreLogoff flag
	ended     bool              // the store's last Release has begun
	loggedOff bool              // IMSLogon::Logoff has run
	purged    bool              // LateRowOnPurge: a StoreLogoff(LOGOFF_PURGE) came
	// invalidated: StoreLogoffTransports answered LOGOFF_COMPLETE, and
	// the store refuses calls (Options.InvalidatedByComplete).
	invalidated bool
	objects     []*object // every object handed out and not yet logged off

	// inSTLT is held while StoreLogoff's StoreLogoffTransports call is in
	// progress, so that a store ended meanwhile (by another thread's
	// Release) lets go of the support only after it returns. Never held
	// with mu, nor while the support is released.
	inSTLT sync.Mutex
}

// logoffPending reports whether a StoreLogoff came and the store has not
// ended yet (the deferred profile's saved flag).
func (st *state) logoffPending() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.requested && !st.ended
}
