// Package mapisim plays MAPI for one message store provider.
//
// It owns the support objects the provider calls, makes the calls a client,
// the MAPI spooler and the session make, performs MAPI's teardown inside a
// support's last Release in the order of Microsoft's "Shutting Down a Message
// Store Provider" page, and records every call across the boundary in a
// trace.Trace. It judges nothing: that is the specs' job.
//
// A MAPI survives a provider that panics: the panic is recovered at the call
// that crossed into the provider, recorded on that call's event, and returned
// as a *Fault. A provider that hangs is caught by Run.
package mapisim

import (
	"fmt"
	"reflect"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Options adjust how the simulated MAPI answers the provider.
type Options struct {
	// STLTFlags and STLTErr, when set, are what a support answers to
	// StoreLogoffTransports, whatever the flag. Unset, it answers as the
	// page describes, with Activity.
	STLTFlags mapi.LogoffFlags
	STLTErr   error

	// Activity is the transport activity MAPI reports (LOGOFF_INBOUND,
	// LOGOFF_OUTBOUND, LOGOFF_OUTBOUND_QUEUE). With LOGOFF_QUIET or
	// LOGOFF_ABORT and activity, StoreLogoffTransports answers the activity
	// and the logoff does not occur; otherwise it answers LOGOFF_COMPLETE
	// and the spooler releases its store (imapisupport-storelogofftransports.md).
	Activity mapi.LogoffFlags

	// NewSpoolerProvider, if set, makes the provider object the spooler
	// logs on through, as the spooler's process calls MSProviderInit; MAPI
	// shuts it down too. Unset, the spooler uses the client's.
	NewSpoolerProvider func() (mapi.IMSProvider, error)

	// Spooler makes MAPI log the MAPI spooler on to each store after the
	// client's Logon, with IMSProvider::SpoolerLogon, as for a provider that
	// serves the spooler. MAPI does so anyway when Logon returns spooler
	// data.
	Spooler bool

	// BogusCounts makes a support's AddRef and Release return 0, which the
	// IUnknown pages allow: counts are for diagnostics only.
	BogusCounts bool

	// ProfileName is passed to IMSProvider::Logon. Default "mapiconf".
	ProfileName string

	// TraceStorage, if set, is storage for the trace to record into: a
	// retired trace's (trace.Trace.Retire), when many MAPIs run one after
	// another.
	TraceStorage trace.Storage
}

// MAPI is the simulated MAPI side for one provider instance and the store
// logons made on it. Its methods may be called from several goroutines.
type MAPI struct {
	opts     Options
	trace    trace.Trace
	provider mapi.IMSProvider
	profile  any // Options.ProfileName, as every Logon's event shows it

	mu       sync.Mutex
	stores   []*Store
	spoolers []*Store // the spooler's logons, one for each store it serves
	// The first storage of stores and spoolers: a MAPI has a logon or
	// two of each.
	storeBuf, spoolerBuf [2]*Store
	// spoolerProvider is the spooler's own provider object, made at its
	// first logon (Options.NewSpoolerProvider).
	spoolerProvider mapi.IMSProvider
	shutDown        bool
	objects         int
	faults          []*Fault

	// late is set once a call may be late: a support was let go of, or
	// the provider released (late.go). Until then no call looks.
	late   atomic.Bool
	goneAt time.Time // the provider's final Release
	lates  LateLog
}

// New returns a simulated MAPI for provider, which MSProviderInit has just
// returned with one reference that MAPI holds.
func New(provider mapi.IMSProvider, opts Options) *MAPI {
	m := &MAPI{provider: provider, profile: defaultProfileShown}
	if opts.ProfileName == "" {
		opts.ProfileName = defaultProfile
	} else {
		m.profile = opts.ProfileName
	}
	m.stores, m.spoolers = m.storeBuf[:0], m.spoolerBuf[:0]
	m.trace.Reuse(opts.TraceStorage)
	opts.TraceStorage = trace.Storage{} // the trace's now
	m.opts = opts
	return m
}

// Trace returns the calls recorded so far.
func (m *MAPI) Trace() *trace.Trace { return &m.trace }

// Faults returns what went wrong in the provider's calls so far: panics and
// nil results.
func (m *MAPI) Faults() []*Fault {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Fault(nil), m.faults...)
}

// A Fault is a provider's misbehaviour that stops the suite from judging a
// rule: a panic, or a nil where an object was due.
type Fault struct {
	Event trace.Event // the call in progress
	What  string      // what went wrong
	Stack string      // the provider's stack, for a panic
}

func (f *Fault) Error() string {
	return fmt.Sprintf("call #%d %s: %s", f.Event.Seq, f.Event.Name(), f.What)
}

func (m *MAPI) fault(f *Fault) *Fault {
	m.mu.Lock()
	m.faults = append(m.faults, f)
	m.mu.Unlock()
	return f
}

// call records a call into the provider and makes it, recovering a panic
// into a *Fault so that one bad provider method cannot end the test process.
func (m *MAPI) call(ev trace.Event, fn func() ([]any, error)) (err error) {
	ev.Dir = trace.ToProvider
	seq := m.trace.Begin(ev)
	var out []any
	defer func() {
		if p := recover(); p != nil {
			m.trace.End(seq, nil, nil, p)
			ev.Seq = seq
			err = m.fault(&Fault{Event: ev, What: fmt.Sprintf("panicked: %v", p), Stack: string(debug.Stack())})
			return
		}
		m.trace.End(seq, out, err, nil)
	}()
	out, err = fn()
	return err
}

// logonFlags are the flags MAPI passes to IMSProvider::Logon and
// SpoolerLogon: no dialog, read/write.
const logonFlags = mapi.MDBNoDialog | mapi.MDBWrite

// Logon logs on to a new store as MAPI does: IMSProvider::Logon with a new
// support object and the store's entry ID ("store-1", "store-2", ...). The
// first store's objects are named "store", "logon" and "support" in the
// trace, the second's "store 2", "logon 2", "support 2". The client holds
// one reference on the store it returns. If the provider serves the
// spooler, MAPI then logs the spooler on to the same store (SpoolerLogon).
func (m *MAPI) Logon() (*Store, error) {
	m.mu.Lock()
	n := len(m.stores) + 1
	m.mu.Unlock()
	nm := namesOf(n)
	s := newStore(m, nm.store, nm.logon, nm.entryID, false)
	s.support = s.newSupport(nm.support, nm.shown.support)
	s.names = nm
	s.shown.entryID, s.shown.name, s.shown.logon = nm.shown.entryID, nm.shown.store, nm.shown.logon

	var logon mapi.IMSLogon
	var store mapi.IMsgStore
	var spool []byte
	ev := trace.Event{Caller: "MAPI", Object: "provider", Iface: "IMSProvider", Method: "Logon",
		Args: m.trace.Values(s.support.shown, m.profile, s.shown.entryID, logonFlags)}
	err := m.call(ev, func() ([]any, error) {
		var err error
		spool, logon, store, err = m.provider.Logon(s.support, 0, m.opts.ProfileName, s.entryID, logonFlags, nil)
		s.shown.spool = spoolDataShown(spool)
		return m.trace.Values(s.shown.spool, objShown(logon, s.shown.logon), objShown(store, s.shown.name)), err
	})
	if err != nil {
		return nil, err
	}
	if isNil(logon) || isNil(store) {
		last, _ := trace.Last(m.trace.Events(), trace.Logon)
		return nil, m.fault(&Fault{Event: last, What: "returned S_OK with a nil logon object or store"})
	}
	s.logon, s.store, s.spool = logon, store, spool
	s.loggedOn.Store(true)
	s.clientRefs.Store(1)
	m.mu.Lock()
	m.stores = append(m.stores, s)
	m.mu.Unlock()
	if len(spool) > 0 || m.opts.Spooler {
		if err := m.spoolerLogon(s); err != nil {
			return s, err
		}
	}
	return s, nil
}

// spoolData is how the trace shows the spooler data Logon returned.
func spoolData(b []byte) string {
	if len(b) == 0 {
		return "no spooler data"
	}
	return strconv.Itoa(len(b)) + " bytes of spooler data"
}

// isNil reports whether v is nil, also when it is an interface holding a nil
// pointer, which a provider returns when it forgets to return its object.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// IsNil reports whether v is nil or an interface holding a nil pointer.
func IsNil(v any) bool { return isNil(v) }

func objName(v any, name string) string {
	if isNil(v) {
		return "nil"
	}
	return name
}

// SessionLogoff plays IMAPISession::Logoff as MAPI does: EndSession, then
// the clients' own Release calls on what they still hold (ReleaseHeld).
func (m *MAPI) SessionLogoff(flags mapi.SessionLogoffFlags) {
	m.EndSession(flags)
	m.ReleaseHeld()
}

// EndSession is MAPI's part of IMAPISession::Logoff. For every store that
// has not ended, MAPI runs its teardown of the logon at once, while clients
// still hold the store and the objects it handed out: it removes the
// provider's MAPIUIDs and status row, calls IMSLogon::Logoff, in which the
// provider forces its own shutdown ("to forcibly shut down a message store
// provider", imslogon-logoff.md), and releases the logon object. Then it
// calls IMSProvider::Shutdown and releases the provider
// (shutting-down-a-service-provider.md).
func (m *MAPI) EndSession(flags mapi.SessionLogoffFlags) {
	seq := m.trace.Begin(trace.Event{Dir: trace.Internal, Caller: "client", Object: "session", Iface: "IMAPISession", Method: "Logoff", Args: m.trace.Values(flags, mapi.ReservedFlags(0))})
	m.trace.End(seq, nil, nil, nil)
	var buf [4]*Store
	for _, s := range m.logons(buf[:0]) {
		s.teardown()
	}
	m.Shutdown()
}

// logons appends every logon to buf: the clients' stores, then the
// spooler's. The callers pass an array of their own, for a MAPI has a
// logon or four.
func (m *MAPI) logons(buf []*Store) []*Store {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append(append(buf, m.stores...), m.spoolers...)
}

// ReleaseHeld makes the clients' own Release calls on everything they
// still hold: their references on each store, then the objects they
// opened. After EndSession these reach a provider that has shut down; they
// must not crash it.
func (m *MAPI) ReleaseHeld() {
	var buf [4]*Store
	for _, s := range m.logons(buf[:0]) {
		holder := s.Client()
		if s.spoolers {
			holder = s.Spooler()
		}
		for s.clientRefs.Load() > 0 {
			holder.Release()
		}
		for _, o := range s.held() {
			o.Release()
		}
	}
}

// Shutdown calls IMSProvider::Shutdown and releases the provider, once.
func (m *MAPI) Shutdown() {
	m.mu.Lock()
	if m.shutDown {
		m.mu.Unlock()
		return
	}
	m.shutDown = true
	m.mu.Unlock()
	// "MAPI releases all logon objects for a provider before calling
	// Shutdown for that provider" (imsprovider-shutdown.md): a logon the
	// provider never ended, MAPI ends now.
	var buf [4]*Store
	for _, s := range m.logons(buf[:0]) {
		s.teardown()
	}
	m.mu.Lock()
	sp := m.spoolerProvider
	m.mu.Unlock()
	if sp != nil {
		m.call(trace.Event{Caller: "MAPI", Object: "spooler provider", Iface: "IMSProvider", Method: "Shutdown", Args: m.trace.Values(mapi.ReservedFlags(0))},
			func() ([]any, error) { return nil, sp.Shutdown(0) })
		m.call(trace.Event{Caller: "MAPI", Object: "spooler provider", Iface: "IMSProvider", Method: "Release"},
			func() ([]any, error) { return m.trace.Values(sp.Release()), nil })
	}
	m.call(trace.Event{Caller: "MAPI", Object: "provider", Iface: "IMSProvider", Method: "Shutdown", Args: m.trace.Values(mapi.ReservedFlags(0))},
		func() ([]any, error) { return nil, m.provider.Shutdown(0) })
	m.call(trace.Event{Caller: "MAPI", Object: "provider", Iface: "IMSProvider", Method: "Release"},
		func() ([]any, error) { return m.trace.Values(m.provider.Release()), nil })
	m.mu.Lock()
	m.goneAt = time.Now()
	m.mu.Unlock()
	m.late.Store(true)
}

func (m *MAPI) objectName(kind string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects++
	return "object " + strconv.Itoa(m.objects) + " (" + kind + ")"
}

func (m *MAPI) wrap(obj mapi.IMAPIProp, name, caller string, err error) (*Object, error) {
	if err != nil {
		return nil, err
	}
	if isNil(obj) {
		evs := m.trace.Events()
		return nil, m.fault(&Fault{Event: evs[len(evs)-1], What: "returned S_OK with a nil object"})
	}
	return &Object{m: m, obj: obj, name: name, caller: caller}, nil
}
