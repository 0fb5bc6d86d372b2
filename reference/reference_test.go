package reference_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/reference"
)

// calls renders a trace as "caller→Iface::Method(args)" lines, the form the
// expected sequences below are written in.
func calls(m *mapisim.MAPI) []string {
	var out []string
	for _, e := range m.Trace().Events() {
		if trace.IsSpoolers(e.Object) || e.Method == "SpoolerLogon" {
			continue // the spooler's own logon: TestSpoolerLogon
		}
		args := make([]string, len(e.Args))
		for i, a := range e.Args {
			switch a := a.(type) {
			case mapi.LogoffFlags, mapi.ReservedFlags:
				args[i] = a.(interface{ String() string }).String()
			default:
				args[i] = "_"
			}
		}
		out = append(out, e.Caller+"→"+e.Name()+"("+strings.Join(args, ",")+")")
	}
	return out
}

func logon(t *testing.T, opts reference.Options) (*mapisim.MAPI, *mapisim.Store) {
	t.Helper()
	m := mapisim.New(reference.New(opts), mapisim.Options{})
	s, err := m.Logon()
	if err != nil {
		t.Fatalf("Logon: %v", err)
	}
	return m, s
}

var logonCalls = []string{
	"MAPI→IMSProvider::Logon(_,_,_,_)",
	"provider→IMAPISupport::AddRef()",
	"provider→IMAPISupport::SetProviderUID(_,0)",
}

var teardownCalls = []string{
	"provider→IMAPISupport::Release()",
	"MAPI→MAPI::RemoveProviderUIDs(_)",
	"MAPI→IMSLogon::Logoff(0)",
	"MAPI→IMSLogon::Release()",
}

func seq(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestShutdownPaths(t *testing.T) {
	tests := []struct {
		name     string
		deferred bool
		drive    func(s *mapisim.Store)
		want     []string
	}{
		{
			name: "orderly/immediate",
			drive: func(s *mapisim.Store) {
				s.Client().StoreLogoff(mapi.LogoffOrderly)
				s.Client().Release()
			},
			want: seq(logonCalls, []string{
				"client→IMsgStore::StoreLogoff(LOGOFF_ORDERLY)",
				"provider→IMAPISupport::StoreLogoffTransports(LOGOFF_ORDERLY)",
				"client→IMsgStore::Release()",
			}, teardownCalls),
		},
		{
			name:     "orderly/deferred",
			deferred: true,
			drive: func(s *mapisim.Store) {
				s.Spooler().StoreLogoff(mapi.LogoffOrderly)
				s.Client().Release()
			},
			want: seq(logonCalls, []string{
				"spooler→IMsgStore::StoreLogoff(LOGOFF_ORDERLY)",
				"client→IMsgStore::Release()",
				"provider→IMAPISupport::StoreLogoffTransports(LOGOFF_ORDERLY)",
			}, teardownCalls),
		},
		{
			name:  "release-only/immediate",
			drive: func(s *mapisim.Store) { s.Client().Release() },
			want: seq(logonCalls, []string{
				"client→IMsgStore::Release()",
				"provider→IMAPISupport::StoreLogoffTransports(LOGOFF_ABORT)",
			}, teardownCalls),
		},
		{
			name:     "release-only/deferred",
			deferred: true,
			drive:    func(s *mapisim.Store) { s.Client().Release() },
			want: seq(logonCalls, []string{
				"client→IMsgStore::Release()",
				"provider→IMAPISupport::StoreLogoffTransports(LOGOFF_ABORT)",
			}, teardownCalls),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, s := logon(t, reference.Options{Deferred: tt.deferred})
			tt.drive(s)
			checkSeq(t, m, tt.want)
		})
	}
	for _, deferred := range []bool{false, true} {
		t.Run("session-logoff", func(t *testing.T) {
			m, s := logon(t, reference.Options{Deferred: deferred, StatusRow: true})
			s.Client().AddRef() // two client references, released after the provider shut down
			m.SessionLogoff(0)
			// IMSLogon::Logoff forces the shutdown: StoreLogoffTransports,
			// then the support.
			checkSeq(t, m, []string{
				"MAPI→IMSProvider::Logon(_,_,_,_)",
				"provider→IMAPISupport::AddRef()",
				"provider→IMAPISupport::SetProviderUID(_,0)",
				"provider→IMAPISupport::ModifyStatusRow(_,_)",
				"client→IMsgStore::AddRef()",
				"client→IMAPISession::Logoff(_,0)",
				"MAPI→MAPI::RemoveProviderUIDs(_)",
				"MAPI→MAPI::RemoveStatusRow(_)",
				"MAPI→IMSLogon::Logoff(0)",
				"provider→IMAPISupport::StoreLogoffTransports(LOGOFF_ABORT)",
				"provider→IMAPISupport::Release()",
				"MAPI→IMSLogon::Release()",
				"MAPI→IMSProvider::Shutdown(0)",
				"MAPI→IMSProvider::Release()",
				"client→IMsgStore::Release()",
				"client→IMsgStore::Release()",
			})
		})
	}
}

func checkSeq(t *testing.T, m *mapisim.MAPI, want []string) {
	t.Helper()
	got := calls(m)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("call sequence:\n%s\nwant:\n  %s", m.Trace(), strings.Join(want, "\n  "))
	}
	if f := m.Faults(); len(f) != 0 {
		t.Errorf("faults: %v", f)
	}
}

// The teardown happens inside the store's last Release, and STLT and the
// MAPI steps nest where the documentation puts them.
func TestTeardownNesting(t *testing.T) {
	m, s := logon(t, reference.Options{})
	s.Client().Release()
	evs := m.Trace().Events()
	rel, _ := trace.First(evs, trace.StoreRelease)
	for _, c := range []trace.Call{trace.StoreLogoffTransports, trace.SupportRelease, trace.Logoff, trace.LogonRelease} {
		e, ok := trace.First(evs, c)
		if !ok || !rel.Encloses(e) {
			t.Errorf("%v is not inside the store's Release:\n%s", c, m.Trace())
		}
	}
	sup, _ := trace.First(evs, trace.SupportRelease)
	if lo, _ := trace.First(evs, trace.Logoff); !sup.Encloses(lo) {
		t.Errorf("IMSLogon::Logoff is not inside the support's Release:\n%s", m.Trace())
	}
}

// Repeated StoreLogoff and extra references: one STLT, with the first flag
// (immediate) or the last (deferred), and only at the last Release.
func TestRepeatedStoreLogoffAndExtraRefs(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		m, s := logon(t, reference.Options{Deferred: deferred})
		c := s.Client()
		c.AddRef()
		c.StoreLogoff(mapi.LogoffOrderly)
		c.StoreLogoff(mapi.LogoffPurge)
		c.Release()
		if s.TornDown() {
			t.Fatalf("deferred=%v: torn down while a reference was held:\n%s", deferred, m.Trace())
		}
		c.Release()
		stlt := trace.Select(m.Trace().Events(), trace.StoreLogoffTransports)
		want := mapi.LogoffOrderly
		if deferred {
			want = mapi.LogoffPurge
		}
		if len(stlt) != 1 || stlt[0].Arg(0) != want {
			t.Errorf("deferred=%v: want one STLT(%v), got:\n%s", deferred, want, m.Trace())
		}
	}
}

func TestObjectsEndAtLogoff(t *testing.T) {
	m, s := logon(t, reference.Options{})
	root, err := s.Client().OpenEntry("")
	if err != nil {
		t.Fatal(err)
	}
	msg, err := root.OpenEntry(reference.MessageEntry)
	if err != nil {
		t.Fatal(err)
	}
	status, err := s.OpenStatusEntry()
	if err != nil {
		t.Fatal(err)
	}
	objs := []*mapisim.Object{root, msg, status}
	for _, o := range objs {
		if err := o.GetProps(); err != nil {
			t.Fatalf("%s before logoff: %v", o.Name(), err)
		}
	}
	s.Client().Release()
	for _, o := range objs {
		if err := o.GetProps(); err != mapi.ErrInvalidObject {
			t.Errorf("%s after logoff: got %v, want MAPI_E_INVALID_OBJECT", o.Name(), mapi.ResultOf(err))
		}
		o.Release()
	}
	if f := m.Faults(); len(f) != 0 {
		t.Errorf("faults: %v", f)
	}
}

func TestConcurrentLastRelease(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		m, s := logon(t, reference.Options{Deferred: deferred})
		const n = 16
		for range n - 1 {
			s.Client().AddRef()
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range n {
			wg.Go(func() { <-start; s.Client().Release() })
		}
		close(start)
		wg.Wait()
		evs := m.Trace().Events()
		if s, r := len(trace.Select(evs, trace.StoreLogoffTransports)), len(trace.Select(evs, trace.SupportRelease)); s != 1 || r != 1 {
			t.Errorf("deferred=%v: %d STLT and %d support releases, want 1 and 1:\n%s", deferred, s, r, m.Trace())
		}
	}
}

func TestRun(t *testing.T) {
	m, s := logon(t, reference.Options{})
	if err := m.Run(context.Background(), time.Second, func() { s.Client().Release() }); err != nil {
		t.Fatal(err)
	}
}

// The spooler logs on to the store with the data Logon returned, gets its
// own store and logon object, and releases its store inside the client's
// StoreLogoffTransports; its logon then ends like any other, without a
// StoreLogoffTransports of its own.
func TestSpoolerLogon(t *testing.T) {
	for _, deferred := range []bool{false, true} {
		m, s := logon(t, reference.Options{Deferred: deferred})
		s.Client().StoreLogoff(mapi.LogoffOrderly)
		s.Client().Release()
		evs := m.Trace().Events()
		stlt, _ := trace.First(evs, trace.StoreLogoffTransports)
		sl, ok := trace.First(evs, trace.Call{Iface: "IMSProvider", Method: "SpoolerLogon"})
		rel, _ := trace.First(evs, trace.Call{Iface: "IMsgStore", Method: "Release", Object: "spooler store"})
		logoff, _ := trace.First(evs, trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "spooler logon"})
		switch {
		case !ok || sl.Err != nil:
			t.Errorf("deferred %v: no SpoolerLogon, or it failed:\n%s", deferred, m.Trace())
		case !stlt.Encloses(rel) || !rel.Encloses(logoff):
			t.Errorf("deferred %v: the spooler's store is not released inside StoreLogoffTransports, or its logon not logged off there:\n%s", deferred, m.Trace())
		case len(trace.Select(evs, trace.Call{Iface: "IMAPISupport", Method: "StoreLogoffTransports", Object: "spooler support"})) != 0:
			t.Errorf("deferred %v: the spooler's store called StoreLogoffTransports:\n%s", deferred, m.Trace())
		}
	}
}
