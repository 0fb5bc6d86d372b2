package conformance

import (
	"runtime/debug"
	"sync"
)

// module is mapiconf's module path, as build information names it.
const module = "github.com/mapiconf/mapiconf"

// Version returns mapiconf's version as the running binary was built with
// it: the module version when mapiconf is a dependency (a provider's test,
// or `go install ...@v1.2.3`), "(devel)" in a build from a checkout, with
// the commit when the build recorded one.
func Version() string {
	versionOnce.Do(func() { version = readVersion() })
	return version
}

var (
	versionOnce sync.Once
	version     string
)

func readVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	m := &bi.Main
	if m.Path != module {
		m = nil
		for _, d := range bi.Deps {
			if d.Path == module {
				m = d
			}
		}
	}
	if m == nil {
		// A test binary of mapiconf's own packages: build information
		// names the package's test, not the module.
		return "(devel)"
	}
	v := m.Version
	if m.Replace != nil {
		v += " => " + m.Replace.Path
	}
	if v == "(devel)" || v == "" {
		v = "(devel)"
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
			if s.Key == "vcs.modified" && s.Value == "true" {
				v += "+dirty"
			}
		}
	}
	return v
}
