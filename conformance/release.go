package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Section D: the provider's Release.
func release() []*spec {
	var out []*spec
	for _, p := range endingPaths {
		out = append(out, &spec{section: "D", rules: []string{"RL-01"},
			text: p.name + ": the call that ends the store releases the support, exactly as often as the provider AddRef'd it",
			body: func(h *H) {
				p.drive(h, mapisim.Options{})
				h.expect("RL-01", checkOf(judge.SupportBalanced))
				h.expect("RL-01", haveStoreEnded(h.cfg.Profile))
			}})
	}

	notLast := trace.AllButLast(trace.StoreRelease)
	for _, withLogoff := range []bool{false, true} {
		text := "three references released one by one: the first two Releases tear nothing down"
		if withLogoff {
			text = "StoreLogoff(LOGOFF_ORDERLY), then " + text
		}
		out = append(out, &spec{section: "D", rules: []string{"RL-02"}, text: text,
			body: func(h *H) {
				_, s := h.start(mapisim.Options{})
				c := s.Client()
				h.drive(func() {
					c.AddRef()
					c.AddRef()
					if withLogoff {
						c.StoreLogoff(mapi.LogoffOrderly)
					}
					c.Release()
					c.Release()
					c.Release()
				})
				// No teardown: the store does not end there (the provider's
				// last support reference, MAPI's teardown; RULES.md revision
				// 4), and no StoreLogoffTransports.
				h.expect("RL-02", HaveNoCallInside(judge.SupportGone{}, notLast))
				h.expect("RL-02", HaveNoCallInside(judge.Teardown, notLast))
				h.expect("RL-02", HaveNoCallInside(stlt, notLast))
			}})
	}

	for _, p := range endingPaths {
		out = append(out, p.named("D", p.name+": no call on the support after the provider released it", []string{"RL-03"}))
	}

	out = append(out, &spec{section: "D", rules: []string{"RL-04"},
		text: "a store ended by IMAPISession::Logoff while the client still holds it: StoreLogoff and OpenEntry are refused (MAPI_E_INVALID_OBJECT)",
		body: func(h *H) {
			// The client still holds the ended store: a store released to
			// no reference may not be called at all (IUnknown::Release),
			// so the probe needs a store that ended under its holder.
			h.outline(sessionName, "", 0)
			m, s := h.start(mapisim.Options{})
			h.drive(func() {
				m.EndSession(0)
				s.Client().StoreLogoff(mapi.LogoffOrderly)
				s.Client().OpenEntry("")
				m.ReleaseHeld()
			})
			want, refused := h.refused()
			h.expect("RL-04", HaveCallsSatisfying(trace.StoreLogoff, want, refused))
			h.expect("RL-04", HaveCallsSatisfying(trace.Call{Iface: "IMsgStore", Method: "OpenEntry"}, want, refused))
		}})
	return out
}
