package reference

import (
	"sync"
	"time"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
)

// A Hostile provider is the reference provider wrapped so that one call
// misbehaves in a way that stops the suite from judging at all: it panics,
// blocks forever, deadlocks, returns nil or an error, or goes on calling MAPI
// from a goroutine after shutdown. The suite must report each as a failing
// spec, naming the call, and go on; the tests in hostile_test.go prove it.
type Hostile struct {
	Name string
	Doc  string
	Call string // the call that misbehaves, as the failure names it
	act  act
}

type act int

const (
	panicLogon act = iota + 1
	panicStoreLogoff
	panicStoreRelease
	panicLogoff
	panicShutdown
	hangStoreLogoff
	hangLogoff
	deadlockOnReentry
	nilStore
	nilObject
	errorLogon
	lateGoroutine
	lockAcrossSTLT
	slowStoreLogoff
)

// slowFor is how long slow-storelogoff's StoreLogoff takes: past any call
// timeout the hostile tests set, and short enough for their run to see it
// return and the suite's abandoned drive go on.
const slowFor = 300 * time.Millisecond

// HostileProviders lists the hostile providers.
func HostileProviders() []Hostile {
	return []Hostile{
		{"panic-in-logon", "IMSProvider::Logon panics", "IMSProvider::Logon", panicLogon},
		{"panic-in-storelogoff", "IMsgStore::StoreLogoff panics", "IMsgStore::StoreLogoff", panicStoreLogoff},
		{"panic-in-release", "the store's Release panics", "IMsgStore::Release", panicStoreRelease},
		{"panic-in-logoff", "IMSLogon::Logoff panics inside MAPI's teardown", "IMSLogon::Logoff", panicLogoff},
		{"panic-in-shutdown", "IMSProvider::Shutdown panics", "IMSProvider::Shutdown", panicShutdown},
		{"hang-in-storelogoff", "IMsgStore::StoreLogoff blocks forever", "IMsgStore::StoreLogoff", hangStoreLogoff},
		{"hang-in-logoff", "IMSLogon::Logoff blocks forever inside MAPI's teardown", "IMSLogon::Logoff", hangLogoff},
		{"deadlock-on-reentry", "the store's Release holds a lock while it releases the support, and IMSLogon::Logoff, which MAPI calls from inside that Release, takes the same lock", "IMSLogon::Logoff", deadlockOnReentry},
		{"nil-store", "IMSProvider::Logon returns S_OK and a nil store", "IMSProvider::Logon", nilStore},
		{"nil-object", "IMsgStore::OpenEntry returns S_OK and a nil object", "IMsgStore::OpenEntry", nilObject},
		{"error-from-logon", "IMSProvider::Logon fails with MAPI_E_CALL_FAILED", "IMSProvider::Logon", errorLogon},
		{"late-goroutine", "after Shutdown, a goroutine of the provider's goes on updating the status row", "IMAPISupport::ModifyStatusRow", lateGoroutine},
		{"slow-storelogoff", "IMsgStore::StoreLogoff returns 300ms late, past the call timeout: the suite reports a hang and goes on, while the call returns into the lifecycle it left", "IMsgStore::StoreLogoff", slowStoreLogoff},
		{"lock-across-stlt", "StoreLogoff holds the provider's lock across StoreLogoffTransports, and every store's Release takes it: the spooler's Release, which MAPI makes inside StoreLogoffTransports, deadlocks", "IMsgStore::Release", lockAcrossSTLT},
	}
}

// Config is the hostile provider's adapter, in the immediate profile.
func (h Hostile) Config() conformance.Config {
	cfg := Config(Options{StatusRow: true})
	cfg.Name = h.Name
	locks := new(lastLock)
	cfg.NewProvider = func() (mapi.IMSProvider, error) {
		return &hostileProvider{Provider: New(Options{StatusRow: true}), act: h.act, locks: locks}, nil
	}
	return cfg
}

// lastLock hands the lock of a client's provider object to the spooler's,
// which MAPI makes right after the client's Logon: they share the DLL's
// globals, as one process. A spec that deadlocks keeps its lock; the next
// spec's Logon makes a fresh one.
type lastLock struct {
	mu sync.Mutex
	l  *sync.Mutex
}

func (ll *lastLock) fresh() *sync.Mutex {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	ll.l = new(sync.Mutex)
	return ll.l
}

func (ll *lastLock) last() *sync.Mutex {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	if ll.l == nil {
		ll.l = new(sync.Mutex)
	}
	return ll.l
}

type hostileProvider struct {
	*Provider
	act   act
	mu    *sync.Mutex // the DLL's lock, the client's provider object's and the spooler's: deadlockOnReentry takes it twice
	locks *lastLock
	sup   mapi.IMAPISupport
}

func (p *hostileProvider) Logon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	switch p.act {
	case panicLogon:
		panic("hostile provider: Logon")
	case errorLogon:
		return nil, nil, nil, mapi.ErrCallFailed
	}
	p.sup = sup
	p.mu = p.locks.fresh()
	spool, l, s, err := p.Provider.Logon(sup, uiParam, profile, entryID, flags, iface)
	if err != nil || l == nil {
		return spool, l, s, err
	}
	if p.act == nilStore {
		return spool, l, nil, nil
	}
	return spool, &hostileLogon{l, p}, &hostileStore{s, p}, nil
}

func (p *hostileProvider) SpoolerLogon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID, spool []byte) (mapi.IMSLogon, mapi.IMsgStore, error) {
	p.mu = p.locks.last() // the spooler's provider object lives in the client's process
	l, s, err := p.Provider.SpoolerLogon(sup, uiParam, profile, entryID, flags, iface, spool)
	if err != nil || p.act != lockAcrossSTLT {
		return l, s, err
	}
	return l, &hostileStore{s, p}, nil
}

func (p *hostileProvider) Shutdown(flags mapi.ReservedFlags) error {
	switch p.act {
	case panicShutdown:
		panic("hostile provider: Shutdown")
	case lateGoroutine:
		sup := p.sup
		if sup == nil {
			break // the spooler's provider object: it never logged a client on
		}
		go func() {
			for range 50 {
				time.Sleep(time.Millisecond)
				sup.ModifyStatusRow(mapi.StatusRow{DisplayName: "still here"}, mapi.StatusRowUpdate)
			}
		}()
	}
	return p.Provider.Shutdown(flags)
}

type hostileStore struct {
	mapi.IMsgStore
	p *hostileProvider
}

func (s *hostileStore) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	switch s.p.act {
	case panicStoreLogoff:
		panic("hostile provider: StoreLogoff")
	case hangStoreLogoff:
		select {}
	case slowStoreLogoff:
		time.Sleep(slowFor)
	case lockAcrossSTLT:
		s.p.mu.Lock()
		defer s.p.mu.Unlock()
	}
	return s.IMsgStore.StoreLogoff(flags)
}

func (s *hostileStore) Release() uint32 {
	switch s.p.act {
	case panicStoreRelease:
		panic("hostile provider: Release")
	case deadlockOnReentry, lockAcrossSTLT:
		s.p.mu.Lock()
		defer s.p.mu.Unlock()
	}
	return s.IMsgStore.Release()
}

func (s *hostileStore) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	if s.p.act == nilObject {
		return nil, nil
	}
	return s.IMsgStore.OpenEntry(id)
}

type hostileLogon struct {
	mapi.IMSLogon
	p *hostileProvider
}

func (l *hostileLogon) Logoff(flags mapi.ReservedFlags) error {
	switch l.p.act {
	case panicLogoff:
		panic("hostile provider: Logoff")
	case hangLogoff:
		select {}
	case deadlockOnReentry:
		l.p.mu.Lock()
		defer l.p.mu.Unlock()
	}
	return l.IMSLogon.Logoff(flags)
}
