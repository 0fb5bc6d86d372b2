package conformance

import (
	"sync"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
)

// runState is what the specs of one run (one Describe, one Check) share:
// every simulated MAPI they made, so that the last spec can look for calls a
// provider made after its spec ended.
type runState struct {
	mu  sync.Mutex
	all []started
}

type started struct {
	spec string
	m    *mapisim.MAPI
}

func (rs *runState) add(spec string, m *mapisim.MAPI) {
	rs.mu.Lock()
	rs.all = append(rs.all, started{spec, m})
	rs.mu.Unlock()
}

func (rs *runState) started() []started {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]started(nil), rs.all...)
}
