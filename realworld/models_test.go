package realworld_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/realworld"
)

// These tests hold each model to its source, call by call, with a support
// that only records: no MAPI teardown, no judging. The suite's verdict is
// verdicts_test.go's business.

// support records the calls a provider makes on it, as "Method(args)".
type support struct {
	calls []string
	reply error // what StoreLogoffTransports answers
}

func (s *support) AddRef() uint32 { s.calls = append(s.calls, "AddRef"); return 2 }

func (s *support) Release() uint32 { s.calls = append(s.calls, "Release"); return 1 }

func (s *support) StoreLogoffTransports(f mapi.LogoffFlags) (mapi.LogoffFlags, error) {
	s.calls = append(s.calls, fmt.Sprintf("StoreLogoffTransports(%v)", f))
	if s.reply != nil {
		return 0, s.reply
	}
	return mapi.LogoffComplete, nil
}

func (s *support) SetProviderUID(mapi.MAPIUID, mapi.ReservedFlags) error {
	s.calls = append(s.calls, "SetProviderUID")
	return nil
}

func (s *support) ModifyStatusRow(mapi.StatusRow, mapi.StatusRowFlags) error {
	s.calls = append(s.calls, "ModifyStatusRow")
	return nil
}

// since returns the calls after the first n, joined, and moves n on.
func (s *support) since(n *int) string {
	out := strings.Join(s.calls[*n:], ", ")
	*n = len(s.calls)
	return out
}

func logon(t *testing.T, p mapi.IMSProvider, sup *support) (mapi.IMSLogon, mapi.IMsgStore) {
	t.Helper()
	_, l, st, err := p.Logon(sup, 0, "profile", "store-1", mapi.MDBNoDialog, nil)
	if err != nil {
		t.Fatalf("Logon: %v", err)
	}
	return l, st
}

func expect(t *testing.T, step, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: support calls %q, want %q", step, got, want)
	}
}

// OBJ_Release and OBJ_Destroy: an open folder keeps the store; its last
// Release destroys the store, which calls StoreLogoffTransports with the
// flag StoreLogoff saved last (IMS_Neuter), then releases the support.
func TestSampleStoreOpenFolderKeepsStore(t *testing.T) {
	sup := &support{}
	_, st := logon(t, realworld.NewSampleStore(), sup)
	n := 0
	expect(t, "Logon", sup.since(&n), "SetProviderUID, AddRef")
	f, err := st.OpenEntry("")
	if err != nil {
		t.Fatal(err)
	}
	for _, fl := range []mapi.LogoffFlags{mapi.LogoffOrderly, mapi.LogoffPurge} {
		if out, err := st.StoreLogoff(fl); err != nil || out != mapi.LogoffComplete {
			t.Errorf("StoreLogoff(%v) = %v, %v; IMS_StoreLogoff answers LOGOFF_COMPLETE", fl, out, err)
		}
	}
	st.Release()
	expect(t, "StoreLogoff twice and the store's Release, folder open", sup.since(&n), "")
	if _, err := f.GetProps([]mapi.PropTag{mapi.PRDisplayName}); err != nil {
		t.Errorf("GetProps on the open folder of a released store: %v", err)
	}
	f.Release()
	expect(t, "the folder's Release", sup.since(&n), "StoreLogoffTransports(LOGOFF_PURGE), Release")
}

// MSL_Logoff destroys a store its client still holds: StoreLogoffTransports
// with the default flag, the support released, the open objects neutered
// (refused, their Release ignored), the store's own later Release ignored.
// The answer MAPI_E_NO_SUPPORT changes nothing.
func TestSampleStoreLogoffForcesTeardown(t *testing.T) {
	sup := &support{reply: mapi.ErrNoSupport}
	l, st := logon(t, realworld.NewSampleStore(), sup)
	n := len(sup.calls)
	f, _ := st.OpenEntry("")
	msg, err := f.(mapi.IMAPIContainer).OpenEntry(realworld.SampleMessage)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Logoff(0); err != nil {
		t.Errorf("Logoff: %v", err)
	}
	expect(t, "Logoff with the store and two objects held", sup.since(&n), "StoreLogoffTransports(LOGOFF_ABORT), Release")
	for _, o := range []mapi.IMAPIProp{f, msg} {
		if _, err := o.GetProps([]mapi.PropTag{mapi.PRDisplayName}); err != mapi.ErrInvalidParameter {
			t.Errorf("GetProps after Logoff = %v, want MAPI_E_INVALID_PARAMETER (OBJ_ValidateParameters)", err)
		}
		o.Release()
	}
	if _, err := st.StoreLogoff(mapi.LogoffOrderly); err != mapi.ErrInvalidParameter {
		t.Errorf("StoreLogoff after Logoff = %v, want MAPI_E_INVALID_PARAMETER", err)
	}
	st.Release()
	l.Logoff(0)
	l.Release()
	expect(t, "calls after Logoff, a second Logoff", sup.since(&n), "")
}

// IMS_StoreLogoff keeps any flag word and IMS_Neuter passes it on: the
// sample's real deviation (STLT-08).
func TestSampleStorePassesInvalidFlags(t *testing.T) {
	sup := &support{}
	_, st := logon(t, realworld.NewSampleStore(), sup)
	n := len(sup.calls)
	st.StoreLogoff(mapi.LogoffOrderly | mapi.LogoffAbort)
	st.Release()
	expect(t, "StoreLogoff(LOGOFF_ORDERLY|LOGOFF_ABORT), Release", sup.since(&n), "StoreLogoffTransports(LOGOFF_ORDERLY|LOGOFF_ABORT), Release")
}

// ECMSProviderSwitch::Logon: two support references (the store, its
// notification client), the store's GUID, a status row.
func TestKopanoLogon(t *testing.T) {
	sup := &support{}
	logon(t, realworld.NewKopano(), sup)
	n := 0
	expect(t, "Logon", sup.since(&n), "AddRef, AddRef, SetProviderUID, ModifyStatusRow")
}

// ECMsgStore::StoreLogoff does nothing and leaves the flags word as it came;
// children keep the store (ECUnknown), whose death releases the support
// twice and never calls StoreLogoffTransports; ECMSLogon::Logoff does
// nothing; a call after the last Release is a use after free.
func TestKopanoStoreLifetime(t *testing.T) {
	sup := &support{}
	l, st := logon(t, realworld.NewKopano(), sup)
	n := len(sup.calls)
	if out, err := st.StoreLogoff(mapi.LogoffOrderly); err != nil || out != mapi.LogoffOrderly {
		t.Errorf("StoreLogoff(LOGOFF_ORDERLY) = %v, %v; Kopano leaves the in/out word as it came", out, err)
	}
	f, _ := st.OpenEntry("")
	if err := l.Logoff(0); err != nil {
		t.Errorf("Logoff: %v", err)
	}
	st.Release()
	expect(t, "StoreLogoff, Logoff, the store's Release with a folder open", sup.since(&n), "")
	if _, err := f.GetProps([]mapi.PropTag{mapi.PRDisplayName}); err != nil {
		t.Errorf("GetProps on the folder after Logoff: %v; ECMSLogon::Logoff touches nothing", err)
	}
	f.Release()
	expect(t, "the folder's Release", sup.since(&n), "Release, Release")

	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "use after delete") {
			t.Errorf("OpenEntry on the deleted store: recovered %v, want a use-after-delete panic", p)
		}
	}()
	st.OpenEntry("")
}

// Each provider's deviations name rules of the table, and every one quotes
// its page.
func TestDeviationsAreComplete(t *testing.T) {
	for _, p := range realworld.Providers() {
		for _, d := range p.Deviations {
			if len(d.Rules) == 0 || d.Does == "" || d.Page == "" || d.Says == "" {
				t.Errorf("%s: incomplete deviation %+v", p.Name, d)
			}
		}
		var all []string
		for _, d := range p.Deviations {
			all = append(all, d.Rules...)
		}
		slices.Sort(all)
		if len(all) != len(slices.Compact(slices.Clone(all))) {
			t.Errorf("%s: a rule is listed twice: %v", p.Name, all)
		}
		for _, topic := range realworld.Topics {
			if p.Design[topic] == "" {
				t.Errorf("%s: says nothing about %q", p.Name, topic)
			}
		}
	}
}

// FAlreadyOpenStore: a Logon to the path of a store already open hands that
// store out again, AddRef'd, with no logon object, no support call and no
// spooler data; the store ends only when both references are gone.
func TestSampleStoreAlreadyOpen(t *testing.T) {
	p := realworld.NewSampleStore()
	sup := &support{}
	spool, _, st, err := p.Logon(sup, 0, "profile", "C:\\Store", mapi.MDBNoDialog, nil)
	if err != nil || string(spool) != "C:\\Store\x00\x00" {
		t.Fatalf("Logon = spooler data %q, %v; HrGetSpoolSecurity returns the path and password, NUL-terminated", spool, err)
	}
	n := len(sup.calls)
	again := &support{}
	spool2, l2, st2, err := p.Logon(again, 0, "profile", "c:\\store", mapi.MDBNoDialog, nil)
	if err != nil || st2 == nil || l2 != nil || spool2 != nil || len(again.calls) != 0 {
		t.Errorf("Logon to the open store's path = spooler data %v, logon %v, store %v, %v, support calls %v; want the store alone, nothing else", spool2, l2, st2, err, again.calls)
	}
	st.Release()
	expect(t, "the first Release of the shared store", sup.since(&n), "")
	st2.Release()
	expect(t, "the second Release", sup.since(&n), "StoreLogoffTransports(LOGOFF_ABORT), Release")
}

// MSP_SpoolerLogon: with the data Logon would return (the path and the
// password, NUL-terminated), the spooler gets a store and a logon object of
// its own, registered and holding the support; on the path of a store this
// provider object already has open, it gets that store (FAlreadyOpenStore).
func TestSampleStoreSpoolerLogon(t *testing.T) {
	p := realworld.NewSampleStore()
	sup := &support{}
	l, st, err := p.SpoolerLogon(sup, 0, "profile", "", mapi.MDBNoDialog, nil, []byte("C:\\Store\x00\x00"))
	if err != nil || l == nil || st == nil {
		t.Fatalf("SpoolerLogon = %v, %v, %v; want a store and a logon object of the spooler's own", l, st, err)
	}
	n := 0
	expect(t, "SpoolerLogon", sup.since(&n), "SetProviderUID, AddRef")
	client := &support{}
	_, l2, st2, err := p.Logon(client, 0, "profile", "C:\\Store", mapi.MDBNoDialog, nil)
	if err != nil || l2 != nil || st2 != st || len(client.calls) != 0 {
		t.Errorf("Logon to the spooler's open path = logon %v, the spooler's store %v, %v, support calls %v; FAlreadyOpenStore shares it", l2, st2 == st, err, client.calls)
	}
	if same, _ := p.CompareStoreIDs("C:\\Store", "c:\\STORE", 0); !same {
		t.Error("CompareStoreIDs compares paths without regard to case (MSP_CompareStoreIDs)")
	}
}
