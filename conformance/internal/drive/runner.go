package drive

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// A Runner runs lifecycles one after another on one worker goroutine, and
// hands on what a finished lifecycle leaves (its state, its trace's
// storage) to the next instead of each allocating its own: an exploration
// runs thousands. The zero Runner is ready; Close it when done.
type Runner struct {
	w       mapisim.Worker
	d       *state
	storage trace.Storage
}

// Close stops the runner's worker.
func (rn *Runner) Close() { rn.w.Close() }

// Retire takes the storage of r's trace for the next lifecycle: r is done
// with, its trace never read again.
func (rn *Runner) Retire(r Run) { rn.storage = r.M.Trace().Retire() }

// next readies the runner's state for lc on m: the last lifecycle's,
// emptied but for its buffers, or a new one.
func (rn *Runner) next(m *mapisim.MAPI, cfg Config, lc lifecycle.Lifecycle) *state {
	d := rn.d
	if d == nil {
		d = new(state)
		d.fn, d.fail = d.drive, d.failed
		rn.d = d
	}
	d.r, d.lc, d.m, d.stores, d.lastOut, d.subobject = Run{M: m}, lc, m, [2]*mapisim.Store{}, [2]mapi.LogoffFlags{}, cfg.Subobject
	for i := range d.objs {
		d.objs[i], d.reopened[i] = d.objs[i][:0], d.reopened[i][:0]
	}
	stores := 1
	if lc.TwoStores {
		stores = 2
	}
	d.md.Reset(m.Trace(), cfg.Setting, d.fail, stores)
	d.md.Answering(lifecycle.Answers[lc.Answer])
	return d
}
