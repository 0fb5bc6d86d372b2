package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/mapi"
)

// Outline exposes the expected outlines to the external tests, which hold
// them to the reference provider.
func Outline(path string, p Profile, caller string, f mapi.LogoffFlags) []string {
	return outlineOf(path, p, caller, f)
}

// PathSteps are the steps of the paths whose outline goes by their name.
var PathSteps = map[string]func(m *mapisim.MAPI, s *mapisim.Store){}

func init() {
	for _, p := range everyPath {
		if p.outline == "" {
			PathSteps[p.name] = p.steps
		}
	}
}
