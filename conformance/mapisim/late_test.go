package mapisim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/mapi"
)

// A call on the support after the provider released it is noted as late,
// with how long after it came, however long after; a call before is not.
func TestLateCallsAreNoted(t *testing.T) {
	p := newMockProvider(t)
	m := mapisim.New(p.provider, mapisim.Options{})
	s, err := m.Logon()
	if err != nil {
		t.Fatal(err)
	}
	p.store.EXPECT().Release().DoAndReturn(func() uint32 {
		p.support.StoreLogoffTransports(mapi.LogoffAbort)
		p.support.Release()
		return 0
	})
	p.logon.EXPECT().Logoff(mapi.ReservedFlags(0)).Return(nil)
	p.logon.EXPECT().Release().Return(uint32(0))
	p.provider.EXPECT().Shutdown(mapi.ReservedFlags(0)).Return(nil)
	p.provider.EXPECT().Release().Return(uint32(0))
	s.Client().Release()
	if late := m.Late(); len(late) != 0 {
		t.Fatalf("before any late call, Late() = %v", late)
	}
	m.Shutdown()
	const delay = 30 * time.Millisecond
	time.Sleep(delay)
	p.support.ModifyStatusRow(mapi.StatusRow{DisplayName: "row"}, mapi.StatusRowUpdate)
	late := m.Late()
	if len(late) != 1 {
		t.Fatalf("Late() = %v, want the one ModifyStatusRow", late)
	}
	l := late[0]
	if l.Event.Method != "ModifyStatusRow" || l.Event.Seq == 0 || l.After < delay || !strings.Contains(l.Since, "released support") {
		t.Errorf("Late()[0] = %+v, want ModifyStatusRow in the trace, at least %v after the provider released support", l, delay)
	}
}
