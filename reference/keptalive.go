package reference

import (
	"sync"
	"sync/atomic"

	"github.com/mapiconf/mapiconf/mapi"
)

// KeptAlive returns the reference provider with one design changed: a store
// lives on while an object it handed out is open, and ends at the last
// Release of the store or of its objects, whichever comes last. Microsoft's
// sample store (OBJ_Release, OBJ_Destroy) and Kopano's provider (ECUnknown's
// children) both work this way; RULES.md revision 2 ("the store's end")
// allows it. The wrapper holds the reference store's last reference until
// the clients have released the store and every object; IMSLogon::Logoff is
// the reference's own, so on the session path the store still ends there.
func KeptAlive(opts Options) mapi.IMSProvider {
	return &keptAliveProvider{New(opts)}
}

type keptAliveProvider struct{ *Provider }

func (p *keptAliveProvider) Logon(sup mapi.IMAPISupport, uiParam uintptr, profile string, entryID mapi.EntryID, flags mapi.LogonFlags, iface *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
	spool, l, st, err := p.Provider.Logon(sup, uiParam, profile, entryID, flags, iface)
	if err != nil || l == nil {
		return spool, l, st, err // a store already open is the reference's own
	}
	return spool, l, &keptAliveStore{inner: st, refs: 1}, nil
}

// keptAliveStore counts the clients' references on the store and the objects
// still open, and passes the store's last reference on when both are gone.
type keptAliveStore struct {
	inner mapi.IMsgStore

	mu     sync.Mutex
	refs   int  // the clients' references on the store
	open   int  // objects handed out whose holders have not released them
	passed bool // the reference store has had its last Release
}

func (s *keptAliveStore) AddRef() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs++
	return uint32(s.refs)
}

func (s *keptAliveStore) Release() uint32 {
	s.mu.Lock()
	s.refs--
	n := max(s.refs, 0)
	s.mu.Unlock()
	s.endIfUnused()
	return uint32(n)
}

// endIfUnused gives the reference store its last Release, once, when
// neither a client reference nor an open object is left. No lock is held
// across it: MAPI's teardown runs inside.
func (s *keptAliveStore) endIfUnused() {
	s.mu.Lock()
	last := s.refs <= 0 && s.open == 0 && !s.passed
	if last {
		s.passed = true
	}
	s.mu.Unlock()
	if last {
		s.inner.Release()
	}
}

func (s *keptAliveStore) StoreLogoff(flags mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	return s.inner.StoreLogoff(flags)
}

func (s *keptAliveStore) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	obj, err := s.inner.OpenEntry(id)
	if err != nil {
		return nil, err
	}
	return s.track(obj), nil
}

// track counts obj as open until its holders release it.
func (s *keptAliveStore) track(obj mapi.IMAPIProp) mapi.IMAPIProp {
	s.mu.Lock()
	s.open++
	s.mu.Unlock()
	o := &keptAliveObject{IMAPIProp: obj, store: s}
	o.refs.Store(1)
	if c, ok := obj.(mapi.IMAPIContainer); ok {
		return &keptAliveFolder{keptAliveObject: o, inner: c}
	}
	return o
}

// keptAliveObject is an object the store handed out; its last Release lets
// the store go.
type keptAliveObject struct {
	mapi.IMAPIProp
	store *keptAliveStore
	refs  atomic.Int32
}

func (o *keptAliveObject) AddRef() uint32 {
	o.refs.Add(1)
	return o.IMAPIProp.AddRef()
}

func (o *keptAliveObject) Release() uint32 {
	n := o.IMAPIProp.Release()
	if o.refs.Add(-1) == 0 {
		o.store.mu.Lock()
		o.store.open--
		o.store.mu.Unlock()
		o.store.endIfUnused()
	}
	return n
}

// keptAliveFolder is a container: what it opens keeps the store alive too.
type keptAliveFolder struct {
	*keptAliveObject
	inner mapi.IMAPIContainer
}

func (f *keptAliveFolder) OpenEntry(id mapi.EntryID) (mapi.IMAPIProp, error) {
	obj, err := f.inner.OpenEntry(id)
	if err != nil {
		return nil, err
	}
	return f.store.track(obj), nil
}
