package conformance

import (
	"fmt"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// haveSupportRefFromLogon is LG-01 by references, not calls: inside the
// first Logon the provider's AddRefs less its Releases on the support end at
// one or more (the page asks for an AddRef, not exactly one: a helper object
// may hold the support too; RL-01 judges the balance at the end), and never
// go below none, which would release MAPI's own.
func haveSupportRefFromLogon() types.GomegaMatcher {
	return &traceMatcher{want: "IMSProvider::Logon to keep at least one reference on the support (AddRef), and never release more than it AddRef'd",
		check: func(evs []trace.Event) (bool, string, map[int]string) {
			logon, ok := trace.First(evs, trace.Logon)
			if !ok {
				return false, "IMSProvider::Logon never happened", nil
			}
			held, calls := 0, []trace.Event(nil)
			for _, e := range evs {
				if !logon.Encloses(e) {
					continue
				}
				switch {
				case trace.SupportAddRef.Matches(e):
					held++
				case trace.SupportRelease.Matches(e):
					held--
					if held < 0 {
						return false, fmt.Sprintf("#%d %s releases a reference the provider never took, inside IMSProvider::Logon", e.Seq, e.Name()),
							mark(mark(nil, "inside this", logon), "one Release too many", e)
					}
				default:
					continue
				}
				calls = append(calls, e)
			}
			if held < 1 {
				return false, fmt.Sprintf("IMSProvider::Logon returned holding %d reference(s) on the support", held),
					mark(mark(nil, "inside this", logon), "AddRef or Release", calls...)
			}
			return true, "", nil
		}}
}

// Section F: the logon bookkeeping that shutdown must undo.
func logonBookkeeping() []*spec {
	var out []*spec
	out = append(out, &spec{section: "F", rules: []string{"LG-01"},
		text: "IMSProvider::Logon keeps a reference on the support (AddRef, at least once)",
		body: func(h *H) {
			releaseOnly.drive(h, mapisim.Options{})
			h.expect("LG-01", haveSupportRefFromLogon())
		}}, &spec{section: "F", rules: []string{"LG-02"},
		text: "IMSProvider::Logon calls SetProviderUID with flags 0",
		body: func(h *H) {
			releaseOnly.drive(h, mapisim.Options{})
			h.expect("LG-02", HaveCallsSatisfying(trace.Within(trace.SetProviderUID, logonCall), "with flags 0",
				func(e trace.Event) bool { return e.Arg(1) == mapi.ReservedFlags(0) }))
		}})
	for _, p := range []path{orderly, releaseOnly} {
		// Not only for providers that declare a row: one that makes a row
		// late, undeclared, breaks LG-03 all the same.
		out = append(out, &spec{section: "F", rules: []string{"LG-03"},
			text: p.name + ": the status row, if any, is added inside Logon and never touched once the support is gone",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				first := trace.TheFirst(trace.ModifyStatusRow)
				if h.cfg.Capabilities.StatusRow {
					h.expect("LG-03", HaveCallInside(first, logonCall))
				} else {
					logon, _ := trace.First(h.m.Trace().Events(), trace.Logon)
					h.expect("LG-03", HaveOnlyCallsSatisfying(first, "inside IMSProvider::Logon", logon.Encloses))
				}
				h.expect("LG-03", HaveNoCallAfter(trace.ModifyStatusRow, supportGone{}))
			}})
	}
	for _, p := range endingPaths {
		out = append(out, &spec{section: "F", rules: []string{"LG-04"},
			text: p.name + ": IMSLogon::Logoff(0) returns S_OK, the store already gone",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				h.expect("LG-04", HaveCallsSatisfying(trace.Logoff, "returned S_OK", returnedOK))
			}})
	}
	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, &spec{section: "F", rules: []string{"LG-05"},
			text: p.name + ": the logon object goes with the store, inside the call that ends it",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				h.expect("LG-05", haveCallInsideEnd(trace.LogonRelease, h.cfg.Profile))
			}})
	}
	return out
}
