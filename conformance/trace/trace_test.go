package trace

import (
	"strings"
	"sync"
	"testing"

	"github.com/mapiconf/mapiconf/mapi"
)

func TestNestingAndFormat(t *testing.T) {
	var tr Trace
	outer := tr.Begin(Event{Dir: ToProvider, Caller: "client", Object: "store", Iface: "IMsgStore", Method: "StoreLogoff", Args: []any{mapi.LogoffOrderly}})
	inner := tr.Begin(Event{Dir: ToMAPI, Caller: "provider", Object: "support", Iface: "IMAPISupport", Method: "StoreLogoffTransports", Args: []any{mapi.LogoffOrderly}})
	tr.End(inner, []any{mapi.LogoffComplete}, nil, nil)
	tr.End(outer, []any{mapi.LogoffComplete}, nil, nil)
	tr.Note("RemoveProviderUIDs", mapi.MAPIUID{})
	hung := tr.Begin(Event{Dir: ToProvider, Caller: "MAPI", Object: "logon", Iface: "IMSLogon", Method: "Logoff", Args: []any{mapi.ReservedFlags(0)}})

	evs := tr.Events()
	if !evs[0].Encloses(evs[1]) || evs[1].Encloses(evs[0]) || evs[0].Encloses(evs[2]) {
		t.Errorf("Encloses is wrong: %+v", evs)
	}
	got := Format(evs, map[int]string{inner: "here"})
	want := "" +
		"     1  client → IMsgStore::StoreLogoff(LOGOFF_ORDERLY) = S_OK, LOGOFF_COMPLETE\n" +
		" ▶   2      provider → IMAPISupport::StoreLogoffTransports(LOGOFF_ORDERLY) = S_OK, LOGOFF_COMPLETE    ◀ here\n" +
		"     3  MAPI: MAPI::RemoveProviderUIDs({00000000000000000000000000000000})\n" +
		"     4  MAPI → IMSLogon::Logoff(0) … (has not returned)\n"
	if got != want {
		t.Errorf("Format:\n%s\nwant:\n%s", got, want)
	}
	if e, ok := tr.InProgress(); !ok || e.Seq != hung {
		t.Errorf("InProgress = %v, %v; want call %d", e, ok, hung)
	}
	if n := len(Select(evs, StoreLogoffTransports)); n != 1 {
		t.Errorf("Select found %d STLT calls", n)
	}
}

func TestConcurrentRecording(t *testing.T) {
	var tr Trace
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				tr.End(tr.Begin(Event{Iface: "IMsgStore", Method: "Release"}), nil, nil, nil)
			}
		})
	}
	wg.Wait()
	evs := tr.Events()
	if len(evs) != 800 {
		t.Fatalf("%d events, want 800", len(evs))
	}
	seen := map[int]bool{}
	for i, e := range evs {
		if e.Seq != i+1 || !e.Done() || seen[e.At] || seen[e.Ret] {
			t.Fatalf("event %d is inconsistent: %+v", i, e)
		}
		seen[e.At], seen[e.Ret] = true, true
	}
	if !strings.Contains(tr.String(), " 800  ") {
		t.Error("String does not number the calls")
	}
}

// A retired trace hands its storage on and drops the calls a stray
// goroutine makes afterwards, so that they never land in the trace that
// now records into that storage.
func TestRetireAndReuse(t *testing.T) {
	var old Trace
	stray := old.Begin(Event{Iface: "IMAPISupport", Method: "ModifyStatusRow", Args: old.Values("row")})
	old.End(old.Begin(Event{Iface: "IMsgStore", Method: "Release"}), old.Values(uint32(1)), nil, nil)
	st := old.Retire()
	if len(st.events) != 0 || cap(st.events) == 0 || len(st.values) != 0 || cap(st.values) == 0 || old.Len() != 0 {
		t.Fatalf("Retire gave back %d events and %d values, and left %d events; want empty storage and an empty trace", len(st.events), len(st.values), old.Len())
	}
	var next Trace
	next.Reuse(st)
	first := next.Begin(Event{Iface: "IMSProvider", Method: "Logon", Args: next.Values("support")})
	// The stray call returns after the retirement, and makes another.
	old.End(stray, old.Values("late"), nil, nil)
	old.End(old.Begin(Event{Iface: "IMAPISupport", Method: "AddRef", Args: old.Values("stray")}), nil, nil, nil)
	evs := next.Events()
	if len(evs) != 1 || evs[0].Seq != first || evs[0].Method != "Logon" || evs[0].Done() || evs[0].Arg(0) != "support" {
		t.Errorf("the reused trace holds %+v, want its own Logon alone", evs)
	}
	if &st.events[:1][0] != &next.events[0] || &st.values[:1][0] != &next.values[0] {
		t.Error("the reused trace does not record into the storage given")
	}
	if old.Len() != 0 {
		t.Errorf("the retired trace recorded %d calls, want none", old.Len())
	}
}

// Values hands out copies that share a block, and that an append cannot
// make overlap.
func TestValues(t *testing.T) {
	var tr Trace
	a := tr.Values("a", 1)
	b := tr.Values("b")
	a = append(a, "appended")
	if b[0] != "b" || len(a) != 3 || a[0] != "a" || tr.Values() != nil {
		t.Errorf("Values: a = %v, b = %v", a, b)
	}
}

// Balance counts one kind of call up and another down.
func TestBalance(t *testing.T) {
	var tr Trace
	for _, m := range []string{"AddRef", "AddRef", "Release", "AddRef", "SetProviderUID"} {
		tr.End(tr.Begin(Event{Dir: ToMAPI, Object: "support", Iface: "IMAPISupport", Method: m}), nil, nil, nil)
	}
	tr.End(tr.Begin(Event{Dir: ToMAPI, Object: "spooler support", Iface: "IMAPISupport", Method: "AddRef"}), nil, nil, nil)
	if n := tr.Balance(SupportAddRef, SupportRelease); n != 2 {
		t.Errorf("Balance = %d, want 2: three AddRefs less one Release, the spooler's not counted", n)
	}
}
