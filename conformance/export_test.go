package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/mapi"
)

// Outline exposes the expected outlines to the external tests, which hold
// them to the reference provider.
func Outline(path string, p Profile, caller string, f mapi.LogoffFlags) []string {
	return outlineOf(path, p, caller, f)
}

// PathSteps are the steps of the paths whose outline goes by their name,
// made on the simulated MAPI as the clients and the session make them.
var PathSteps = map[string]func(m *mapisim.MAPI, s *mapisim.Store){}

func init() {
	for _, p := range everyPath {
		if p.outline == "" {
			PathSteps[p.name] = func(m *mapisim.MAPI, s *mapisim.Store) {
				for _, o := range p.life.Steps {
					switch o.Kind {
					case lifecycle.AddRef:
						s.Client().AddRef()
					case lifecycle.Release:
						s.Client().Release()
					case lifecycle.StoreLogoff:
						s.Client().StoreLogoff(o.Flags)
					case lifecycle.SessionLogoff:
						m.SessionLogoff(0)
					default:
						panic("conformance: no outline test drives " + o.String())
					}
				}
			}
		}
	}
}
