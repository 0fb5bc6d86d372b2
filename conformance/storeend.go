package conformance

import (
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// The store's end (RULES.md revision 2) is the provider's Release of the
// support that leaves it no reference: MAPI's teardown runs inside it. The
// call that ends the store is the outermost call into the provider that
// Release came from. The documentation allows four:
//
//   - the clients' last Release of the store (shutting-down-a-message-store-provider.md);
//   - the last Release of an object the store handed out, once the clients
//     hold no reference on the store: a store kept alive by its open
//     objects, as Microsoft's sample store is;
//   - profile immediate, StoreLogoff itself when its caller holds the only
//     reference (revision 3: imslogon-logoff.md has MAPI's teardown run
//     "while it is processing an IMsgStore::StoreLogoff");
//   - IMSLogon::Logoff on the session path, where the provider forces its
//     shutdown ("to forcibly shut down a message store provider",
//     imslogon-logoff.md).

// storeEnd selects the call that ended the store whose support is named
// (the first store's when empty).
type storeEnd struct{ support string }

func (e storeEnd) String() string {
	return "the call that ended " + storeOf(judge.SupportGone{Object: e.support}.Name()) + " (in which the provider let go of " + judge.SupportGone{Object: e.support}.Name() + ")"
}

// Select returns the ending call; where the provider never let go of the
// support (RL-01 says so), the clients' last Release of the store stands
// in for it, the call that should have ended it.
func (e storeEnd) Select(evs []trace.Event) []trace.Event {
	if c, ok := endingCall(evs, e.support); ok {
		return []trace.Event{c}
	}
	return trace.TheLast(trace.Call{Iface: "IMsgStore", Method: "Release", Object: storeOf(judge.SupportGone{Object: e.support}.Name())}).Select(evs)
}

// endingCall returns the outermost call into the provider inside which the
// support went.
func endingCall(evs []trace.Event, support string) (trace.Event, bool) {
	gone := judge.SupportGone{Object: support}.Select(evs)
	if len(gone) == 0 {
		return trace.Event{}, false
	}
	for _, e := range evs {
		if e.Dir == trace.ToProvider && e.Encloses(gone[0]) {
			return e, true // events are in the order calls began: the first is the outermost
		}
	}
	return trace.Event{}, false
}

// storeOf names the store of a support: "support 2" → "store 2".
func storeOf(support string) string { return "store" + strings.TrimPrefix(support, "support") }

// storeRefsBefore is how many references the clients held on the store just
// before the call ev began: one from Logon, plus their AddRefs, less their
// Releases. It counts calls, never what they returned (RB-02).
func storeRefsBefore(evs []trace.Event, store string, ev trace.Event) int {
	n := 1
	for _, e := range evs {
		if e.At >= ev.At {
			break
		}
		if e.Dir != trace.ToProvider || e.Iface != "IMsgStore" || e.Object != store {
			continue
		}
		switch e.Method {
		case "AddRef":
			n++
		case "Release":
			n--
		}
	}
	return n
}

// whyNotAnEnd says why call c may not end the store, or "" if it may.
func whyNotAnEnd(evs []trace.Event, p Profile, store string, c trace.Event) string {
	refs := storeRefsBefore(evs, store, c)
	switch {
	case c.Iface == "IMsgStore" && c.Object == store && c.Method == "Release":
		if refs > 1 {
			return fmt.Sprintf("a Release of %s that left the clients %d reference(s) on it", store, refs-1)
		}
	case c.Iface == "IMsgStore" && c.Object == store && c.Method == "StoreLogoff":
		if p != Immediate {
			return "StoreLogoff, in the deferred profile"
		}
		if refs > 1 {
			return fmt.Sprintf("StoreLogoff while the clients held %d references on %s", refs, store)
		}
	case c.Iface == "IMSLogon" && c.Method == "Logoff":
	case (c.Iface == "IMAPIProp" || c.Iface == "IMAPIContainer") && c.Method == "Release":
		if refs > 0 {
			return fmt.Sprintf("the Release of %s while the clients still held %d reference(s) on %s", c.Object, refs, store)
		}
	default:
		return c.Name() + ", which cannot end a store"
	}
	return ""
}

// haveCallInsideEnd succeeds when a call of inner comes inside the call
// that ended the store, and that call may end it: STLT-02's "at the last
// Release" in the deferred profile, LG-05's logon object freed with the
// store.
func haveCallInsideEnd(inner trace.Selector, p Profile) types.GomegaMatcher {
	inside := HaveCallInside(inner, storeEnd{})
	return &traceMatcher{want: fmt.Sprintf("%v inside the call that ends the store (the clients' last Release of it, or the last Release of an object it handed out)", inner),
		check: func(evs []trace.Event) (bool, string, map[int]string) {
			if ok, _ := inside.Match(evs); !ok {
				m := inside.(*traceMatcher)
				return false, m.got, m.marks
			}
			c := storeEnd{}.Select(evs)[0]
			if why := whyNotAnEnd(evs, p, "store", c); why != "" {
				return false, fmt.Sprintf("%v came inside #%d, %s", inner, c.Seq, why), mark(nil, "not the store's end", c)
			}
			return true, "", nil
		}}
}

// haveStoreEnded is RL-01's "the store's last Release is implemented by
// releasing the support": the provider lets go of the first store's support
// inside one of the calls that may end the store.
func haveStoreEnded(p Profile) types.GomegaMatcher {
	return &traceMatcher{want: "the provider to release the support inside the call that ends the store (the clients' last Release of the store, the last Release of an object the store handed out once the clients hold no reference on it, or IMSLogon::Logoff on the session path)",
		check: func(evs []trace.Event) (bool, string, map[int]string) {
			gone := judge.SupportGone{}.Select(evs)
			if len(gone) == 0 {
				return false, "the provider never let go of the support", nil
			}
			c, ok := endingCall(evs, "")
			if !ok {
				return false, fmt.Sprintf("#%d %s came from no call into the provider (a thread of the provider's own)", gone[0].Seq, gone[0].Name()),
					mark(nil, "outside any call", gone[0])
			}
			if why := whyNotAnEnd(evs, p, "store", c); why != "" {
				return false, fmt.Sprintf("the support went inside #%d, %s", c.Seq, why),
					mark(mark(nil, "inside this", c), "the support goes", gone[0])
			}
			return true, "", nil
		}}
}

// refused is what E-03 and RL-04 ask of a dead object's answer
// (judge.Refused), as a test of the call.
func (h *H) refused() (string, func(trace.Event) bool) {
	want, ok := judge.Refused(h.cfg.Strict)
	return want, func(e trace.Event) bool { return ok(e.Err) }
}
