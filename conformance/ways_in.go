package conformance

import "github.com/mapiconf/mapiconf/conformance/mapisim"

// Section A: the three ways in. Each path must end the store the documented
// way: the provider releases the support, and MAPI's teardown runs inside
// that Release.
func waysIn() []*spec {
	var out []*spec
	for _, p := range []struct {
		rule string
		path path
	}{{"SD-01", orderly}, {"SD-01", spooler}, {"SD-02", session}, {"SD-03", releaseOnly}} {
		out = append(out, &spec{section: "A", rules: []string{p.rule},
			text: p.path.name + ": ends the store, MAPI's teardown running inside the support's Release",
			body: func(h *H) {
				p.path.drive(h, mapisim.Options{})
				h.expect(p.rule, logoffInsideSupportRelease)
			}})
	}
	return out
}
