package judge

import (
	"testing"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// A call the provider made from a thread of its own is made inside no call
// into it, though it landed while one was in progress: a timer's status
// row updates while the client is in store 1's StoreLogoff are no support
// calls of store 1's (SS-04, on store 2's support), nor made inside its
// calls (E-02), nor a step's calls (RB-02). Made from inside StoreLogoff,
// on its thread, they are all three.
func TestOwnThreadCallsAreNoCallsOf(t *testing.T) {
	for _, own := range []bool{true, false} {
		var tr trace.Trace
		sup := func(object, method string, own bool) {
			tr.End(tr.Begin(trace.Event{Dir: trace.ToMAPI, Caller: "provider", Object: object, Iface: "IMAPISupport", Method: method, OwnThread: own}), nil, nil, nil)
		}
		logoff := tr.Begin(trace.Event{Dir: trace.ToProvider, Caller: "client", Object: "store", Iface: "IMsgStore", Method: "StoreLogoff"})
		sup("support 2", "ModifyStatusRow", own)
		sup("support", "ModifyStatusRow", own)
		sup("support", "StoreLogoffTransports", false)
		tr.End(logoff, nil, nil, nil)
		evs := tr.Events()

		ok, got, _ := OwnSupport.Judge(evs)
		if ok != own {
			t.Errorf("OwnThread %v: SS-04 passes: %v (%s), want %v", own, ok, got, own)
		}
		steps := len(stepCalls(tr.Events()))
		if want := map[bool]int{true: 2, false: 4}[own]; steps != want {
			t.Errorf("OwnThread %v: %d step calls, want %d", own, steps, want)
		}
		if inside := insideOwnCall(evs, &evs[2], "support"); inside == own {
			t.Errorf("OwnThread %v: store 1's row update taken as made inside its StoreLogoff: %v", own, inside)
		}
	}
}
