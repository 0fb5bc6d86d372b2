package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// Section A: the three ways in. Each path must end the store the documented
// way: the provider releases the support, and MAPI's teardown runs inside
// that Release.
func waysIn() []*spec {
	var out []*spec
	for _, p := range []struct {
		rule string
		path path
	}{{"SD-01", orderly}, {"SD-01", spooler}, {"SD-02", session}, {"SD-03", releaseOnly}} {
		text := p.path.name + ": ends the store, MAPI's teardown running inside the support's Release"
		if p.path.name == session.name {
			text = p.path.name + ": ends the store, the provider letting go of the support inside IMSLogon::Logoff"
		}
		out = append(out, &spec{section: "A", rules: []string{p.rule}, text: text,
			body: func(h *H) {
				p.path.drive(h, mapisim.Options{})
				if p.path.name == session.name {
					// MAPI called IMSLogon::Logoff itself: the provider
					// ends the store by letting go of the support there.
					h.expect(p.rule, HaveCallInside(judge.SupportGone{}, trace.Logoff))
					return
				}
				h.expect(p.rule, logoffInsideSupportRelease())
			}})
	}
	return out
}
