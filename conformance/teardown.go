package conformance

import (
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section E: MAPI's teardown, seen from the provider's side.
func teardown() []*spec {
	var out []*spec
	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, &spec{section: "E", rules: []string{"E-01"},
			text: p.name + ": every MAPIUID the provider registered is removed",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				h.selfCheck("E-01", checkOf(judge.UIDsRemoved))
			}})
	}
	out = append(out, &spec{section: "E", rules: []string{"E-02"}, needs: []need{needStatusRow},
		text: orderly.name + ": the provider's status row is removed",
		body: func(h *H) {
			orderly.drive(h, mapisim.Options{})
			h.selfCheck("E-02", checkOf(judge.StatusRowRemoved))
		}})

	type opened struct {
		what      string
		needs     []need
		container bool // a folder: after Logoff it must not open anything either
		open      func(h *H, s *mapisim.Store) *mapisim.Object
	}
	objects := []opened{
		{"the root folder, opened with IMsgStore::OpenEntry", []need{needObjects}, true, func(h *H, s *mapisim.Store) (o *mapisim.Object) {
			var err error
			h.drive(func() { o, err = s.Client().OpenEntry("") })
			h.capability(err, "IMsgStore::OpenEntry of the root folder (Capabilities.Objects)")
			return o
		}},
		{"a subobject, opened from the root folder", []need{needObjects, needSubobject}, false, func(h *H, s *mapisim.Store) (o *mapisim.Object) {
			var root *mapisim.Object
			var err error
			h.drive(func() { root, err = s.Client().OpenEntry("") })
			h.capability(err, "IMsgStore::OpenEntry of the root folder (Capabilities.Objects)")
			h.drive(func() { o, err = root.OpenEntry(h.cfg.Capabilities.Subobject) })
			h.capability(err, fmt.Sprintf("OpenEntry(%q) on the root folder (Capabilities.Subobject)", h.cfg.Capabilities.Subobject))
			return o
		}},
		{"the status object, opened with IMSLogon::OpenStatusEntry", []need{needStatusObject}, false, func(h *H, s *mapisim.Store) *mapisim.Object {
			return h.openStatus(s)
		}},
		// IMSLogon::Logoff releases "every object, subobject and status
		// object" still open (E-03): also a subobject whose folder its
		// holder released first, and each of several status objects.
		{"a subobject whose root folder was released before it", []need{needObjects, needSubobject}, false, func(h *H, s *mapisim.Store) (o *mapisim.Object) {
			var root *mapisim.Object
			var err error
			h.drive(func() { root, err = s.Client().OpenEntry("") })
			h.capability(err, "IMsgStore::OpenEntry of the root folder (Capabilities.Objects)")
			h.drive(func() { o, err = root.OpenEntry(h.cfg.Capabilities.Subobject) })
			h.capability(err, fmt.Sprintf("OpenEntry(%q) on the root folder (Capabilities.Subobject)", h.cfg.Capabilities.Subobject))
			h.drive(root.Release)
			return o
		}},
		{"the first of two status objects (IMSLogon::OpenStatusEntry twice)", []need{needStatusObject}, false, func(h *H, s *mapisim.Store) *mapisim.Object {
			first := h.openStatus(s)
			h.openStatus(s)
			return first
		}},
		{"the second of two status objects (IMSLogon::OpenStatusEntry twice)", []need{needStatusObject}, false, func(h *H, s *mapisim.Store) *mapisim.Object {
			h.openStatus(s)
			return h.openStatus(s)
		}},
	}
	for _, ob := range objects {
		for _, p := range []struct {
			name  string
			drive func(m *mapisim.MAPI, s *mapisim.Store)
		}{
			{orderly.name, func(_ *mapisim.MAPI, s *mapisim.Store) {
				s.Client().StoreLogoff(mapi.LogoffOrderly)
				s.Client().Release()
			}},
			{releaseOnly.name, func(_ *mapisim.MAPI, s *mapisim.Store) { s.Client().Release() }},
			// MAPI calls IMSLogon::Logoff while the client still holds
			// the store and the object (RULES.md revision 2).
			{sessionName, func(m *mapisim.MAPI, _ *mapisim.Store) { m.EndSession(0) }},
		} {
			text := fmt.Sprintf("%s with %s still open: after IMSLogon::Logoff the object refuses calls and its Release is safe", p.name, ob.what)
			if p.name == sessionName {
				text = fmt.Sprintf("%s and %s: IMSLogon::Logoff ends the object while the client holds it; it refuses calls, and the client's Release after the session is safe", p.name, ob.what)
			}
			out = append(out, &spec{section: "E", rules: []string{"E-03"}, needs: ob.needs, text: text,
				body: func(h *H) {
					m, s := h.start(mapisim.Options{})
					o := ob.open(h, s)
					var before error
					h.drive(func() { before = o.GetProps() })
					h.capability(before, "GetProps on "+o.Name()+" before shutdown")
					sub := h.cfg.Capabilities.Subobject
					var notContainer error
					h.drive(func() {
						p.drive(m, s)
						o.GetProps()
						if ob.container && sub != "" {
							// A dead folder must not hand out live messages.
							got, err := o.OpenEntry(sub)
							if err == nil {
								got.Release()
							} else if _, isResult := err.(mapi.HResult); !isResult {
								notContainer = err
							}
						}
						// The client lets go of what it holds: the object,
						// and after the session, the store too.
						m.ReleaseHeld()
					})
					h.capability(notContainer, "the root folder as an IMAPIContainer (Capabilities.Objects)")
					// A store kept alive by its open object ends at the
					// object's Release (RULES.md revision 2): then
					// IMSLogon::Logoff comes after the calls above, and
					// they judge nothing.
					h.expect("E-03", HaveCallCount(trace.Logoff, 1))
					want, refused := h.refused()
					h.expect("E-03", haveCallsAfterLogoff(trace.TheLast(trace.Call{Method: "GetProps", Object: o.Name()}), want, refused))
					if ob.container && sub != "" {
						h.expect("E-03", haveCallsAfterLogoff(trace.TheLast(trace.Call{Method: "OpenEntry", Object: o.Name()}), want, refused))
					}
				}})
		}
	}

	for _, p := range []path{orderly, releaseOnly} {
		out = append(out, &spec{section: "E", rules: []string{"E-04"},
			text: p.name + ": the logon object is released after IMSLogon::Logoff, last",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				h.selfCheck("E-04", HaveCallsInOrder(trace.Logoff, trace.LogonRelease))
				h.selfCheck("E-04", HaveNoCallAfter(trace.Any("IMSLogon"), trace.LogonRelease))
			}})
	}
	for _, p := range []path{orderly, releaseOnly} {
		for _, row := range []bool{false, true} {
			sp := &spec{section: "E", rules: []string{"E-05"},
				text: p.name + ": StoreLogoffTransports, then MAPIUIDs removed, then IMSLogon::Logoff, then the logon object released",
				body: func(h *H) {
					p.drive(h, mapisim.Options{})
					order := []trace.Selector{trace.RemoveProviderUIDs, trace.Logoff, trace.LogonRelease}
					if row {
						// A provider that made no row leaves MAPI none
						// to remove: LG-03 and E-02 say so, and this
						// spec has nothing to judge (untested).
						if len(trace.Select(h.m.Trace().Events(), trace.RemoveStatusRow)) == 0 {
							return
						}
						order = []trace.Selector{trace.RemoveProviderUIDs, trace.RemoveStatusRow, trace.Logoff, trace.LogonRelease}
					}
					h.selfCheck("E-05", HaveCallsInOrder(order...))
					h.expect("E-05", checkOf(judge.STLTBeforeTeardown))
				}}
			if row {
				sp.text = p.name + ": StoreLogoffTransports, then MAPIUIDs removed, then the status row removed, then IMSLogon::Logoff, then the logon object released"
				sp.needs = []need{needStatusRow}
			}
			out = append(out, sp)
		}
	}
	return out
}

// haveCallsAfterLogoff is E-03's "afterwards they refuse calls": every call
// of s that began after IMSLogon::Logoff returned satisfies pred. Calls made
// before Logoff ran (the store still alive) prove nothing, and a failure
// never speaks of a Logoff that is not in the trace.
func haveCallsAfterLogoff(s trace.Selector, want string, pred func(trace.Event) bool) types.GomegaMatcher {
	after := func(evs []trace.Event) (trace.Event, []trace.Event) {
		logoff, ok := trace.First(evs, trace.Logoff)
		if !ok || !logoff.Done() {
			return logoff, nil
		}
		var out []trace.Event
		for _, e := range s.Select(evs) {
			if e.At > logoff.Ret {
				out = append(out, e)
			}
		}
		return logoff, out
	}
	return &traceMatcher{want: fmt.Sprintf("%v after IMSLogon::Logoff %s", s, want),
		vacuous: func(evs []trace.Event) bool { _, calls := after(evs); return len(calls) == 0 },
		check: func(evs []trace.Event) (bool, string, map[int]string) {
			logoff, calls := after(evs)
			var bad []trace.Event
			for _, e := range calls {
				if !pred(e) {
					bad = append(bad, e)
				}
			}
			if len(bad) == 0 {
				return true, "", nil
			}
			return false, fmt.Sprintf("%s answered %s after #%d IMSLogon::Logoff", describeCalls(bad), mapi.ResultOf(bad[0].Err), logoff.Seq),
				mark(mark(nil, "Logoff", logoff), "still answering", bad...)
		}}
}

// capability stops a spec whose declared capability does not work: the
// provider promised it, so this is a failure of the spec's rules, said
// plainly.
func (h *H) capability(err error, what string) {
	if err != nil {
		h.fatal(fmt.Sprintf("the provider declares a capability that failed: %s returned %v", what, mapi.ResultOf(err)))
	}
}

// openStatus opens a status object of the store's logon.
func (h *H) openStatus(s *mapisim.Store) (o *mapisim.Object) {
	var err error
	h.drive(func() { o, err = s.OpenStatusEntry() })
	h.capability(err, "IMSLogon::OpenStatusEntry (Capabilities.StatusObject)")
	return o
}
