package judge

import (
	"fmt"

	"github.com/mapiconf/mapiconf/mapi"
)

// The objects the client holds: what the store hands out, what a dead
// object must answer (E-03), and what a declared capability promises.

// opened takes what OpenEntry (or, probe false, OpenStatusEntry)
// returned. No rule asks the live store to open its root folder; the ended
// store must refuse OpenEntry (RL-04, strict).
func (md *Model) opened(at int, obj string, err error, probe bool) {
	st := objOpen
	if md.cur.ended {
		st = objUnjudged
		if want, ok := Refused(md.set.Strict); probe && !ok(err) {
			md.fail(at, "RL-04", "OpenEntry on the ended store returned %v, want it %s", mapi.ResultOf(err), want)
		}
	}
	if obj == "" {
		st = objReleased
		md.unable(at, "IMsgStore::OpenEntry (Capabilities.Objects)", err)
	}
	md.cur.objs, md.cur.objState = append(md.cur.objs, obj), append(md.cur.objState, st)
}

// openedFrom takes what OpenEntry of the subobject on object n returned: a
// folder open when IMSLogon::Logoff ran must refuse it (E-03: "afterwards
// they refuse calls"); a live one hands out a live object.
func (md *Model) openedFrom(at, n int, obj string, err error) {
	parent := md.cur.objState[n]
	st := objOpen
	if parent != objOpen {
		st = objUnjudged
	}
	if parent == objLoggedOff {
		md.refuses(at, "OpenEntry of its subobject", n, err)
	}
	if obj == "" {
		st = objReleased
		if parent == objOpen {
			md.unable(at, "OpenEntry of the subobject on the root folder (Capabilities.Subobject)", err)
		}
	}
	md.cur.objs, md.cur.objState = append(md.cur.objs, obj), append(md.cur.objState, st)
}

// unable notes a declared capability that failed on a store that the
// client has not asked to log off and that lives: the provider promised it,
// and the specs that need it cannot judge without it. Another store ended
// before makes it SS-04's ("leaves the other stores working").
func (md *Model) unable(at int, what string, err error) {
	if err == nil || md.cur.ended || md.cur.requested || md.cur.pendingAny || md.cur.invalidated {
		return
	}
	for i := range md.stores {
		if other := &md.stores[i]; other != md.cur && other.ended {
			md.fail(at, "SS-04", "%s returned %v on a store the client holds, after another store ended: StoreLogoff of one store leaves the others working", what, mapi.ResultOf(err))
			return
		}
	}
	if md.Unable == "" {
		md.Unable = fmt.Sprintf("the provider declares a capability that failed: %s returned %v at %s", what, mapi.ResultOf(err), StepName(at))
	}
}

// getProps judges what GetProps on an object the client holds returned.
// An object that was open when IMSLogon::Logoff ran must refuse (E-03),
// with any failing HRESULT, or MAPI_E_INVALID_OBJECT when strict (RULES.md
// revision 3). What the live store's objects answer, even once the store
// was invalidated by its own logoff, no rule says, but for SS-04: a store
// the client has not logged off keeps working when another store ended.
func (md *Model) getProps(at, n int, err error) {
	switch md.cur.objState[n] {
	case objLoggedOff:
		md.refuses(at, "GetProps", n, err)
	case objOpen:
		md.unable(at, "GetProps on "+md.cur.objs[n], err)
	}
}

// refuses is E-03 on a call to object n, open when IMSLogon::Logoff ran.
func (md *Model) refuses(at int, call string, n int, err error) {
	if want, ok := Refused(md.set.Strict); !ok(err) {
		md.fail(at, "E-03", "%s on %s, open when IMSLogon::Logoff ran at %s, returned %v, want it %s", call, md.cur.objs[n], StepName(md.cur.endedAt), mapi.ResultOf(err), want)
	}
}
