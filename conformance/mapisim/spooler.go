package mapisim

import (
	"fmt"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// The MAPI spooler logs on to a store of its own with
// IMSProvider::SpoolerLogon, using the data Logon returned
// (imsprovider-spoolerlogon.md), and holds that store until the store logs
// off its transports: StoreLogoffTransports makes the spooler release it,
// inside the provider's call (imapisupport-storelogofftransports.md).

// spoolerLogon logs the spooler on to the store s opened. Its objects are
// named "spooler store", "spooler logon" and "spooler support" ("spooler
// store 2" for the second store).
func (m *MAPI) spoolerLogon(s *Store) error {
	nm := s.names
	sp := newStore(m, nm.spStore, nm.spLogon, s.entryID, true)
	sp.support = sp.newSupport(nm.spSupport, nm.shown.spSupport)
	sp.shown.name, sp.shown.logon = nm.shown.spStore, nm.shown.spLogon
	provider, object, err := m.spoolersProvider()
	if err != nil {
		return err
	}
	var logon mapi.IMSLogon
	var store mapi.IMsgStore
	ev := trace.Event{Caller: "MAPI", Object: object, Iface: "IMSProvider", Method: "SpoolerLogon",
		Args: m.trace.Values(sp.support.shown, m.profile, s.shown.entryID, logonFlags, s.shown.spool)}
	err = m.call(ev, func() ([]any, error) {
		var err error
		logon, store, err = provider.SpoolerLogon(sp.support, 0, m.opts.ProfileName, s.entryID, logonFlags, nil, s.spool)
		return m.trace.Values(objShown(logon, sp.shown.logon), objShown(store, sp.shown.name)), err
	})
	if err != nil {
		return fmt.Errorf("IMSProvider::SpoolerLogon: %w", err)
	}
	if isNil(logon) || isNil(store) {
		last, _ := trace.Last(m.trace.Events(), trace.Call{Iface: "IMSProvider", Method: "SpoolerLogon"})
		return m.fault(&Fault{Event: last, What: "returned S_OK with a nil logon object or store"})
	}
	sp.logon, sp.store = logon, store
	sp.loggedOn.Store(true)
	sp.clientRefs.Store(1) // the spooler's
	m.mu.Lock()
	s.spooler = sp
	m.spoolers = append(m.spoolers, sp)
	m.mu.Unlock()
	return nil
}

// spoolersProvider returns the provider object the spooler logs on
// through, and its name in the trace: one of its own, made as the spooler's
// process makes it ("The MAPI spooler logon occurs as part of a different
// process than the store logon", imsprovider-logon.md), when
// Options.NewSpoolerProvider is set; otherwise the client's.
func (m *MAPI) spoolersProvider() (mapi.IMSProvider, string, error) {
	if m.opts.NewSpoolerProvider == nil {
		return m.provider, "provider", nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.spoolerProvider == nil {
		p, err := m.opts.NewSpoolerProvider()
		if err != nil {
			return nil, "", fmt.Errorf("the spooler's MSProviderInit (Config.NewProvider): %w", err)
		}
		m.spoolerProvider = p
	}
	return m.spoolerProvider, "spooler provider", nil
}

// SpoolerStore returns the spooler's own logon of the store, or nil when
// the spooler did not log on to it.
func (s *Store) SpoolerStore() *Store {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	return s.spooler
}

// answer is what MAPI answers to StoreLogoffTransports(flags), and whether
// the store logs off: "If any transport activity is taking place, the
// logoff does not occur" with LOGOFF_ABORT and LOGOFF_QUIET; otherwise "the
// MAPI spooler releases the store" and the logoff can complete.
func (m *MAPI) answer(flags mapi.LogoffFlags) (out mapi.LogoffFlags, loggedOff bool, err error) {
	if m.opts.STLTErr != nil {
		return 0, false, m.opts.STLTErr
	}
	out = m.opts.STLTFlags
	if out == 0 {
		out = mapi.LogoffComplete
		if (flags == mapi.LogoffQuiet || flags == mapi.LogoffAbort) && m.opts.Activity != 0 {
			out = m.opts.Activity
		}
	}
	return out, mapi.LogoffOccurred(flags, out, nil), nil
}

// spoolerLetsGo is the spooler releasing its store, inside the provider's
// StoreLogoffTransports call, if it still holds it.
func (s *Store) spoolerLetsGo() {
	sp := s.SpoolerStore()
	if sp == nil || sp.clientRefs.Load() <= 0 {
		return
	}
	sp.Spooler().Release()
}

// Reopened is a store that a client opened again, with a second Logon to
// a store already open in the session: MAPI holds no logon object for it,
// and the client one reference.
type Reopened struct {
	m     *MAPI
	store mapi.IMsgStore
	name  string
}

// LogonAgain logs on once more to the store s opened, as a client opening
// a store already open does: IMSProvider::Logon with s's entry ID and a new
// support object ("support (again)"). The provider returns the store and
// nothing else (imsprovider-logon.md); the support's reference count never
// starts MAPI's teardown, for no logon object goes with it.
func (m *MAPI) LogonAgain(s *Store) (*Reopened, error) {
	sup := &Support{m: m, s: &Store{m: m}, name: s.support.name + " (again)"}
	r := &Reopened{m: m, name: s.name + " (again)"}
	var logon mapi.IMSLogon
	var spool []byte
	ev := trace.Event{Caller: "MAPI", Object: "provider", Iface: "IMSProvider", Method: "Logon",
		Args: m.trace.Values(sup.name, m.profile, s.shown.entryID, logonFlags)}
	err := m.call(ev, func() ([]any, error) {
		var err error
		spool, logon, r.store, err = m.provider.Logon(sup, 0, m.opts.ProfileName, s.entryID, logonFlags, nil)
		return m.trace.Values(spoolData(spool), objName(logon, s.logonName+" (again)"), objName(r.store, r.name)), err
	})
	if err != nil {
		return nil, err
	}
	if isNil(r.store) {
		last, _ := trace.Last(m.trace.Events(), trace.Logon)
		return nil, m.fault(&Fault{Event: last, What: "returned S_OK with a nil store"})
	}
	return r, nil
}

// Release drops the client's reference on the reopened store.
func (r *Reopened) Release() {
	r.m.call(trace.Event{Caller: "client", Object: r.name, Iface: "IMsgStore", Method: "Release"},
		func() ([]any, error) { return r.m.trace.Values(r.store.Release()), nil })
}
