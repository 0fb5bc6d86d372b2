package mapisim_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/mocks"
)

// mockProvider is a provider made of mocks whose Logon takes the support,
// AddRefs it and registers one UID, as a provider must.
type mockProvider struct {
	provider *mocks.MockIMSProvider
	logon    *mocks.MockIMSLogon
	store    *mocks.MockIMsgStore
	support  mapi.IMAPISupport
}

func newMockProvider(t *testing.T) *mockProvider {
	ctrl := gomock.NewController(t)
	p := &mockProvider{
		provider: mocks.NewMockIMSProvider(ctrl),
		logon:    mocks.NewMockIMSLogon(ctrl),
		store:    mocks.NewMockIMsgStore(ctrl),
	}
	p.provider.EXPECT().Logon(gomock.Any(), uintptr(0), "mapiconf", mapi.EntryID("store-1"), mapi.MDBNoDialog|mapi.MDBWrite, gomock.Nil()).DoAndReturn(
		func(sup mapi.IMAPISupport, _ uintptr, _ string, _ mapi.EntryID, _ mapi.LogonFlags, _ *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
			p.support = sup
			sup.AddRef()
			sup.SetProviderUID(mapi.MAPIUID{1}, 0)
			sup.ModifyStatusRow(mapi.StatusRow{DisplayName: "row"}, 0)
			return nil, p.logon, p.store, nil
		})
	return p
}

// MAPI tears down inside the support's last Release, in the documented
// order; a later session logoff only shuts the provider down.
func TestTeardownOrder(t *testing.T) {
	p := newMockProvider(t)
	m := mapisim.New(p.provider, mapisim.Options{})
	s, err := m.Logon()
	if err != nil {
		t.Fatal(err)
	}
	gomock.InOrder(
		p.store.EXPECT().Release().DoAndReturn(func() uint32 {
			p.support.StoreLogoffTransports(mapi.LogoffAbort)
			p.support.Release()
			return 0
		}),
		p.logon.EXPECT().Logoff(mapi.ReservedFlags(0)).Return(nil),
		p.logon.EXPECT().Release().Return(uint32(0)),
		p.provider.EXPECT().Shutdown(mapi.ReservedFlags(0)).Return(nil),
		p.provider.EXPECT().Release().Return(uint32(0)),
	)
	s.Client().Release()
	m.SessionLogoff(0)
	wantCalls(t, m, "IMSProvider::Logon IMAPISupport::AddRef IMAPISupport::SetProviderUID IMAPISupport::ModifyStatusRow "+
		"IMsgStore::Release IMAPISupport::StoreLogoffTransports IMAPISupport::Release "+
		"MAPI::RemoveProviderUIDs MAPI::RemoveStatusRow IMSLogon::Logoff IMSLogon::Release "+
		"IMAPISession::Logoff IMSProvider::Shutdown IMSProvider::Release")
}

// IMAPISession::Logoff with the store still held: MAPI tears the logon down
// at once (the provider forces its shutdown inside IMSLogon::Logoff, where
// its Release of the support starts no second teardown), shuts the provider
// down, and only then do the clients release what they hold.
func TestSessionLogoffWithStoreHeld(t *testing.T) {
	p := newMockProvider(t)
	m := mapisim.New(p.provider, mapisim.Options{})
	s, err := m.Logon()
	if err != nil {
		t.Fatal(err)
	}
	gomock.InOrder(
		p.logon.EXPECT().Logoff(mapi.ReservedFlags(0)).DoAndReturn(func(mapi.ReservedFlags) error {
			p.support.StoreLogoffTransports(mapi.LogoffAbort)
			p.support.Release()
			return nil
		}),
		p.logon.EXPECT().Release().Return(uint32(0)),
		p.provider.EXPECT().Shutdown(mapi.ReservedFlags(0)).Return(nil),
		p.provider.EXPECT().Release().Return(uint32(0)),
		p.store.EXPECT().Release().Return(uint32(0)),
	)
	m.SessionLogoff(0)
	if !s.TornDown() || s.ClientRefs() != 0 {
		t.Errorf("after the session: torn down %v, client references %d; want true, 0", s.TornDown(), s.ClientRefs())
	}
	wantCalls(t, m, "IMSProvider::Logon IMAPISupport::AddRef IMAPISupport::SetProviderUID IMAPISupport::ModifyStatusRow "+
		"IMAPISession::Logoff MAPI::RemoveProviderUIDs MAPI::RemoveStatusRow "+
		"IMSLogon::Logoff IMAPISupport::StoreLogoffTransports IMAPISupport::Release IMSLogon::Release "+
		"IMSProvider::Shutdown IMSProvider::Release IMsgStore::Release")
}

func wantCalls(t *testing.T, m *mapisim.MAPI, want string) {
	t.Helper()
	var names []string
	for _, e := range m.Trace().Events() {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != want {
		t.Errorf("trace:\n%s\nwant the calls %s", m.Trace(), want)
	}
}

// A provider's panic is recovered at the call, recorded, and returned.
func TestPanicBecomesFault(t *testing.T) {
	p := newMockProvider(t)
	m := mapisim.New(p.provider, mapisim.Options{})
	s, err := m.Logon()
	if err != nil {
		t.Fatal(err)
	}
	p.store.EXPECT().StoreLogoff(mapi.LogoffOrderly).DoAndReturn(func(mapi.LogoffFlags) (mapi.LogoffFlags, error) {
		panic("boom")
	})
	_, err = s.Client().StoreLogoff(mapi.LogoffOrderly)
	var f *mapisim.Fault
	if !errors.As(err, &f) || !strings.Contains(f.What, "boom") || f.Event.Name() != "IMsgStore::StoreLogoff" {
		t.Fatalf("got %v, want a Fault naming the panic in StoreLogoff", err)
	}
	if len(m.Faults()) != 1 {
		t.Errorf("Faults() = %v", m.Faults())
	}
	if !strings.Contains(m.Trace().String(), "PANICKED: boom") {
		t.Errorf("trace does not show the panic:\n%s", m.Trace())
	}
}

func TestNilLogonIsFault(t *testing.T) {
	ctrl := gomock.NewController(t)
	prov := mocks.NewMockIMSProvider(ctrl)
	prov.EXPECT().Logon(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, nil, nil, nil)
	m := mapisim.New(prov, mapisim.Options{})
	var f *mapisim.Fault
	if _, err := m.Logon(); !errors.As(err, &f) || !strings.Contains(f.What, "nil") {
		t.Fatalf("Logon() = %v, want a Fault about a nil result", err)
	}
}

// Run returns a Hang naming the call in progress when the provider blocks.
func TestRunCatchesHang(t *testing.T) {
	p := newMockProvider(t)
	m := mapisim.New(p.provider, mapisim.Options{})
	s, err := m.Logon()
	if err != nil {
		t.Fatal(err)
	}
	block := make(chan struct{})
	defer close(block)
	p.store.EXPECT().StoreLogoff(gomock.Any()).DoAndReturn(func(mapi.LogoffFlags) (mapi.LogoffFlags, error) {
		<-block
		return 0, nil
	})
	err = m.Run(context.Background(), 20*time.Millisecond, func() { s.Client().StoreLogoff(mapi.LogoffOrderly) })
	var h *mapisim.Hang
	if !errors.As(err, &h) || h.Call.Name() != "IMsgStore::StoreLogoff" {
		t.Fatalf("Run() = %v, want a Hang in IMsgStore::StoreLogoff", err)
	}
}

// A Worker's ticker keeps ticking between runs: a run that begins after the
// worker sat idle reports a hang no sooner than the timeout after the last
// progress, whatever tick was left over from before it began.
func TestWorkerHangAfterIdle(t *testing.T) {
	const timeout = 40 * time.Millisecond
	var w mapisim.Worker
	defer w.Close()
	m := mapisim.New(newMockProvider(t).provider, mapisim.Options{})
	if _, err := m.Logon(); err != nil {
		t.Fatal(err)
	}
	if err := w.Run(context.Background(), m, timeout, func() {}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * timeout) // the ticker ticks on, unread
	block := make(chan struct{})
	defer close(block)
	start := time.Now()
	err := w.Run(context.Background(), m, timeout, func() {
		m.Trace().Note("Probe") // progress as the run begins, then none
		<-block
	})
	took := time.Since(start)
	var h *mapisim.Hang
	if !errors.As(err, &h) {
		t.Fatalf("Run() = %v, want a Hang", err)
	}
	if took < timeout || took > 20*timeout {
		t.Errorf("the hang was reported after %v, want between %v and about %v", took, timeout, timeout*5/4)
	}
}

// The support answers StoreLogoffTransports as configured.
func TestSTLTReply(t *testing.T) {
	p := newMockProvider(t)
	m := mapisim.New(p.provider, mapisim.Options{STLTErr: mapi.ErrNoSupport})
	s, err := m.Logon()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := s.Support().StoreLogoffTransports(mapi.LogoffOrderly); out != 0 || err != mapi.ErrNoSupport {
		t.Errorf("STLT = %v, %v; want 0, MAPI_E_NO_SUPPORT", out, err)
	}
	e, _ := trace.Last(m.Trace().Events(), trace.StoreLogoffTransports)
	if e.Err != mapi.ErrNoSupport || e.Arg(0) != mapi.LogoffOrderly {
		t.Errorf("recorded %v", e)
	}
}

// Run leaves no goroutine behind when the provider returns.
func TestRunLeavesNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 100 {
		p := newMockProvider(t)
		m := mapisim.New(p.provider, mapisim.Options{})
		if err := m.Run(context.Background(), time.Second, func() { m.Logon() }); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(10 * time.Millisecond) // let the workers see their closed channels
	if after := runtime.NumGoroutine(); after > before+5 {
		t.Errorf("%d goroutines before 100 runs, %d after", before, after)
	}
}

// A provider that lets go of the support inside IMSProvider::Logon gets no
// teardown there: MAPI holds the support until Logon returns, and has no
// logon object to log off yet. The teardown comes with the last Release
// after Logon.
func TestNoTeardownInsideLogon(t *testing.T) {
	ctrl := gomock.NewController(t)
	provider, logon, store := mocks.NewMockIMSProvider(ctrl), mocks.NewMockIMSLogon(ctrl), mocks.NewMockIMsgStore(ctrl)
	var sup mapi.IMAPISupport
	provider.EXPECT().Logon(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(s mapi.IMAPISupport, _ uintptr, _ string, _ mapi.EntryID, _ mapi.LogonFlags, _ *mapi.IID) ([]byte, mapi.IMSLogon, mapi.IMsgStore, error) {
			sup = s
			s.AddRef()
			s.Release() // its last reference, inside Logon
			s.AddRef()
			return nil, logon, store, nil
		})
	m := mapisim.New(provider, mapisim.Options{})
	if _, err := m.Logon(); err != nil {
		t.Fatal(err)
	}
	if len(m.Faults()) > 0 {
		t.Fatalf("faults: %v", m.Faults())
	}
	gomock.InOrder(
		logon.EXPECT().Logoff(mapi.ReservedFlags(0)).Return(nil),
		logon.EXPECT().Release().Return(uint32(0)),
	)
	sup.Release() // now the teardown
}
