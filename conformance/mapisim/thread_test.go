package mapisim_test

import (
	"testing"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// A support call from a thread of the provider's own is marked so, even
// when it lands while a call into the provider is in progress; one made
// inside the call is not. The order in time cannot tell them apart: a
// timer may fire while the client is in StoreLogoff.
func TestOwnThreadCalls(t *testing.T) {
	p := newMockProvider(t)
	m := mapisim.New(p.provider, mapisim.Options{})
	s, err := m.Logon()
	if err != nil {
		t.Fatal(err)
	}
	p.store.EXPECT().StoreLogoff(mapi.LogoffOrderly).DoAndReturn(func(mapi.LogoffFlags) (mapi.LogoffFlags, error) {
		done := make(chan struct{})
		go func() { // a timer of the provider's, firing now
			p.support.ModifyStatusRow(mapi.StatusRow{DisplayName: "timer"}, 0)
			close(done)
		}()
		<-done
		p.support.StoreLogoffTransports(mapi.LogoffOrderly)
		return mapi.LogoffComplete, nil
	})
	s.Client().StoreLogoff(mapi.LogoffOrderly)

	evs := m.Trace().Events()
	logoff, _ := trace.First(evs, trace.StoreLogoff)
	for _, e := range evs {
		if e.Dir != trace.ToMAPI {
			continue
		}
		own := e.Method == "ModifyStatusRow" && logoff.Encloses(e)
		if e.OwnThread != own {
			t.Errorf("#%d %s: OwnThread %v, want %v\n%s", e.Seq, e.Name(), e.OwnThread, own, trace.Format(evs, nil))
		}
	}
}
