package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/judge"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// haveSupportRefFromLogon is LG-01 by references, not calls, on every
// logon (judge.KeepsSupport).
func haveSupportRefFromLogon() types.GomegaMatcher {
	return &traceMatcher{want: "every IMSProvider::Logon and SpoolerLogon to keep at least one reference on its support (AddRef), and never release more than it AddRef'd",
		check: judge.KeepsSupport}
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
		text: "IMSProvider::Logon calls SetProviderUID with flags 0, on every logon (a second store's too, with Capabilities.MultipleStores)",
		body: func(h *H) {
			h.outline(releaseOnlyName, "", 0)
			_, s := h.start(mapisim.Options{})
			var second *mapisim.Store
			if h.cfg.Capabilities.MultipleStores {
				second = h.logon()
			}
			h.drive(func() {
				s.Client().Release()
				if second != nil {
					second.Client().Release()
				}
			})
			h.expect("LG-02", &traceMatcher{want: "every IMSProvider::Logon that opens a store to call SetProviderUID, and every SetProviderUID to pass flags 0", check: judge.ProviderUIDs})
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
				h.expect("LG-03", checkOf(judge.NoRowAfterLogoff))
			}})
	}
	for _, p := range endingPaths {
		out = append(out, p.named("F", p.name+": IMSLogon::Logoff(0) returns S_OK, the store already gone", []string{"LG-04"}))
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
