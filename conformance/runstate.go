package conformance

import (
	"context"
	"sync"

	"github.com/mapiconf/mapiconf/conformance/internal/drive"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
)

// runState is what the specs of one run (one Describe, one Check) share:
// every simulated MAPI they made, so that the last spec can look for calls a
// provider made after its spec ended; and the runner that drives their
// lifecycles, whose goroutine, grown to a lifecycle's stack, each spec
// would otherwise start anew.
type runState struct {
	mu  sync.Mutex
	all []started

	rmu    sync.Mutex
	runner drive.Runner
}

// judged is drive.Judged on the run's runner. The specs of a run take
// turns; one that finds the runner busy gets a runner of its own.
func (rs *runState) judged(ctx context.Context, cfg drive.Config, lc lifecycle.Lifecycle) drive.Run {
	if !rs.rmu.TryLock() {
		return drive.Judged(ctx, cfg, lc)
	}
	defer rs.rmu.Unlock()
	return rs.runner.Judged(ctx, cfg, lc)
}

// close stops the run's runner, once its last spec is done.
func (rs *runState) close() {
	rs.rmu.Lock()
	defer rs.rmu.Unlock()
	rs.runner.Close()
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
