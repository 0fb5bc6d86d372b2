// Package mapisim plays MAPI for one message store provider.
//
// It owns the support object the provider calls, makes the calls a client,
// the MAPI spooler and the session make, performs MAPI's teardown inside the
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
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Options adjust how the simulated MAPI answers the provider.
type Options struct {
	// STLTFlags and STLTErr are what the support answers to
	// StoreLogoffTransports. The zero value answers S_OK with
	// LOGOFF_COMPLETE.
	STLTFlags mapi.LogoffFlags
	STLTErr   error

	// ProfileName is passed to IMSProvider::Logon. Default "mapiconf".
	ProfileName string
}

// MAPI is the simulated MAPI side for one provider instance and one store
// logon. Its methods may be called from several goroutines.
type MAPI struct {
	opts     Options
	trace    trace.Trace
	provider mapi.IMSProvider
	support  *Support

	mu         sync.Mutex
	logon      mapi.IMSLogon
	store      mapi.IMsgStore
	tornDown   bool
	shutDown   bool
	objects    int
	faults     []*Fault
	clientRefs atomic.Int32 // references on the store that clients hold
}

// New returns a simulated MAPI for provider, which MSProviderInit has just
// returned with one reference that MAPI holds.
func New(provider mapi.IMSProvider, opts Options) *MAPI {
	if opts.STLTFlags == 0 && opts.STLTErr == nil {
		opts.STLTFlags = mapi.LogoffComplete
	}
	if opts.ProfileName == "" {
		opts.ProfileName = "mapiconf"
	}
	m := &MAPI{opts: opts, provider: provider}
	m.support = &Support{m: m}
	return m
}

// Trace returns the calls recorded so far.
func (m *MAPI) Trace() *trace.Trace { return &m.trace }

// Support returns the support object MAPI hands the provider.
func (m *MAPI) Support() *Support { return m.support }

// Faults returns what went wrong in the provider's calls so far: panics, nil
// results, calls on the support after it was released.
func (m *MAPI) Faults() []*Fault {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Fault(nil), m.faults...)
}

// A Fault is a provider's misbehaviour that is not a rule's business but
// stops the suite from judging: a panic, a nil where an object was due.
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

// Logon logs on to the store as MAPI does: IMSProvider::Logon with the
// support object. The store it returns belongs to the client, who holds one
// reference on it.
func (m *MAPI) Logon() error {
	var logon mapi.IMSLogon
	var store mapi.IMsgStore
	ev := trace.Event{Caller: "MAPI", Object: "provider", Iface: "IMSProvider", Method: "Logon",
		Args: []any{"support", m.opts.ProfileName, mapi.MDBNoDialog | mapi.MDBWrite}}
	err := m.call(ev, func() ([]any, error) {
		var err error
		logon, store, err = m.provider.Logon(m.support, m.opts.ProfileName, mapi.MDBNoDialog|mapi.MDBWrite)
		return []any{objName(logon, "logon"), objName(store, "store")}, err
	})
	if err != nil {
		return err
	}
	if logon == nil || store == nil {
		last, _ := trace.Last(m.trace.Events(), trace.Logon)
		return m.fault(&Fault{Event: last, What: "returned S_OK with a nil logon object or store"})
	}
	m.mu.Lock()
	m.logon, m.store = logon, store
	m.mu.Unlock()
	m.clientRefs.Store(1)
	return nil
}

func objName(v any, name string) string {
	if v == nil || fmt.Sprint(v) == "<nil>" {
		return "nil"
	}
	return name
}

// Client returns a caller that makes a client application's calls.
func (m *MAPI) Client() *Caller { return &Caller{m: m, name: "client"} }

// Spooler returns a caller that makes the MAPI spooler's calls.
func (m *MAPI) Spooler() *Caller { return &Caller{m: m, name: "spooler"} }

// TornDown reports whether MAPI's teardown of the store has run.
func (m *MAPI) TornDown() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tornDown
}

// ClientRefs returns how many references on the store clients still hold,
// by the simulation's own count (never by what Release returned).
func (m *MAPI) ClientRefs() int { return int(m.clientRefs.Load()) }

// teardown is MAPI's work when the provider releases the support: remove the
// provider's MAPIUIDs, remove its status row, call IMSLogon::Logoff, release
// the logon object, in that order (Shutting Down a Message Store Provider).
func (m *MAPI) teardown(uids []mapi.MAPIUID, row *mapi.StatusRow) {
	m.mu.Lock()
	if m.tornDown || m.logon == nil {
		m.mu.Unlock()
		return
	}
	m.tornDown = true
	logon := m.logon
	m.mu.Unlock()

	if len(uids) > 0 {
		args := make([]any, len(uids))
		for i, u := range uids {
			args[i] = u
		}
		m.trace.Note("RemoveProviderUIDs", args...)
	}
	if row != nil {
		m.trace.Note("RemoveStatusRow", row.DisplayName)
	}
	m.call(trace.Event{Caller: "MAPI", Object: "logon", Iface: "IMSLogon", Method: "Logoff", Args: []any{mapi.ReservedFlags(0)}},
		func() ([]any, error) { return nil, logon.Logoff(0) })
	m.call(trace.Event{Caller: "MAPI", Object: "logon", Iface: "IMSLogon", Method: "Release"},
		func() ([]any, error) { return []any{logon.Release()}, nil })
}

// SessionLogoff plays IMAPISession::Logoff: the session releases every
// reference that clients still hold on the store, which ends the store by the
// Release-only path unless StoreLogoff came first; then MAPI calls
// IMSProvider::Shutdown and releases the provider.
//
// If the provider never released the support, the store's teardown never
// ran; the session then runs it itself before Shutdown, as MAPI must end the
// logon before it shuts the provider down. The trace shows the difference.
func (m *MAPI) SessionLogoff(flags mapi.SessionLogoffFlags) {
	seq := m.trace.Begin(trace.Event{Dir: trace.Internal, Caller: "client", Object: "session", Iface: "IMAPISession", Method: "Logoff", Args: []any{flags, mapi.ReservedFlags(0)}})
	m.trace.End(seq, nil, nil, nil)
	session := &Caller{m: m, name: "session"}
	for m.clientRefs.Load() > 0 {
		session.Release()
	}
	if !m.TornDown() {
		m.trace.Note("ForceTeardown", "the provider never released the support")
		m.teardown(m.support.registered())
	}
	m.Shutdown()
}

// Shutdown calls IMSProvider::Shutdown and releases the provider, once.
// Tests call it to free a provider whose store has been ended.
func (m *MAPI) Shutdown() {
	m.mu.Lock()
	if m.shutDown {
		m.mu.Unlock()
		return
	}
	m.shutDown = true
	m.mu.Unlock()
	m.call(trace.Event{Caller: "MAPI", Object: "provider", Iface: "IMSProvider", Method: "Shutdown", Args: []any{mapi.ReservedFlags(0)}},
		func() ([]any, error) { return nil, m.provider.Shutdown(0) })
	m.call(trace.Event{Caller: "MAPI", Object: "provider", Iface: "IMSProvider", Method: "Release"},
		func() ([]any, error) { return []any{m.provider.Release()}, nil })
}

// OpenStatusEntry opens the provider's status object through the logon
// object, as MAPI does for the status table's consumers.
func (m *MAPI) OpenStatusEntry() (*Object, error) {
	m.mu.Lock()
	logon := m.logon
	m.mu.Unlock()
	if logon == nil {
		return nil, fmt.Errorf("mapisim: OpenStatusEntry before Logon")
	}
	var obj mapi.IMAPIProp
	name := m.objectName("status object")
	err := m.call(trace.Event{Caller: "MAPI", Object: "logon", Iface: "IMSLogon", Method: "OpenStatusEntry"},
		func() ([]any, error) {
			var err error
			obj, err = logon.OpenStatusEntry()
			return []any{objName(obj, name)}, err
		})
	return m.wrap(obj, name, "client", err)
}

func (m *MAPI) objectName(kind string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objects++
	return fmt.Sprintf("object %d (%s)", m.objects, kind)
}

func (m *MAPI) wrap(obj mapi.IMAPIProp, name, caller string, err error) (*Object, error) {
	if err != nil {
		return nil, err
	}
	if obj == nil {
		last := m.trace.Events()
		return nil, m.fault(&Fault{Event: last[len(last)-1], What: "returned S_OK with a nil object"})
	}
	return &Object{m: m, obj: obj, name: name, caller: caller}, nil
}
