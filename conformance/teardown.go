package conformance

import (
	"fmt"
	"slices"

	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section E: MAPI's teardown, seen from the provider's side.
func teardown() []*spec {
	var out []*spec
	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, p.named("E", p.name+": every MAPIUID the provider registered is removed", []string{"E-01"}))
	}
	out = append(out, orderly.named("E", orderly.name+": the provider's status row is removed", []string{"E-02"}, needStatusRow))
	out = append(out, objectSpecs()...)
	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, p.named("E", p.name+": the logon object is released after IMSLogon::Logoff, last", []string{"E-04"}))
	}
	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, p.named("E", p.name+": StoreLogoffTransports, then MAPIUIDs removed, then the status row removed if there is one, then IMSLogon::Logoff, then the logon object released", []string{"E-05"}))
	}
	return out
}

// opened is an object a client (or MAPI) holds when the store ends: the
// steps that open it, which of the objects they open it is, and the
// capabilities they need.
type opened struct {
	what      string
	needs     []need
	container bool // a folder: after Logoff it must not open anything either
	open      []lifecycle.Step
	n         int // the object's number among those open opens
}

// objects are the objects IMSLogon::Logoff must release (E-03: "every
// object, subobject and status object" still open): also a subobject whose
// folder its holder released first, and each of several status objects.
var objects = []opened{
	{"the root folder, opened with IMsgStore::OpenEntry", []need{needObjects}, true, []lifecycle.Step{openRoot}, 0},
	{"a subobject, opened from the root folder", []need{needObjects, needSubobject}, false, []lifecycle.Step{openRoot, openSub(0)}, 1},
	{"the status object, opened with IMSLogon::OpenStatusEntry", []need{needStatusObject}, false, []lifecycle.Step{openStatus}, 0},
	{"a subobject whose root folder was released before it", []need{needObjects, needSubobject}, false, []lifecycle.Step{openRoot, openSub(0), closeObject(0)}, 1},
	{"the first of two status objects (IMSLogon::OpenStatusEntry twice)", []need{needStatusObject}, false, []lifecycle.Step{openStatus, openStatus}, 0},
	{"the second of two status objects (IMSLogon::OpenStatusEntry twice)", []need{needStatusObject}, false, []lifecycle.Step{openStatus, openStatus}, 1},
}

// objectSpecs are E-03's: each object still open on each path, asked
// before the store ends and after (the end asks every dead object the
// client still holds once more). MAPI calls IMSLogon::Logoff on the
// session path while the client still holds the store and the object
// (RULES.md revision 2).
func objectSpecs() []*spec {
	var out []*spec
	for _, ob := range objects {
		n := ob.n
		for _, p := range endingPaths {
			text := fmt.Sprintf("%s with %s still open: after IMSLogon::Logoff the object refuses calls and its Release is safe", p.name, ob.what)
			if p.name == sessionName {
				text = fmt.Sprintf("%s and %s: IMSLogon::Logoff ends the object while the client holds it; it refuses calls, and the client's Release after the session is safe", p.name, ob.what)
			}
			out = append(out, namedFor("E", text, []string{"E-03"}, func(c Capabilities) lifecycle.Lifecycle {
				ss := slices.Concat(ob.open, []lifecycle.Step{getProps(n)}, p.life.Steps, []lifecycle.Step{getProps(n)})
				if ob.container && c.Subobject != "" {
					ss = append(ss, openSub(n)) // a dead folder must not hand out live messages
				}
				return steps(ss...)
			}, ob.needs...).outlined(p.pathOutline()))
		}
	}
	return out
}

// pathOutline is what outlined takes for path p.
func (p path) pathOutline() (string, string, mapi.LogoffFlags) {
	if p.outline == "" {
		return p.name, "", 0
	}
	return p.outline, p.caller, p.flag
}
