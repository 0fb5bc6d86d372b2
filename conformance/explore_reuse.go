package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// An exploration runs thousands of short lifecycles one after another:
// what one leaves, the next reuses, instead of each allocating its own.

// runner runs lifecycles one after another on one worker, and hands on
// what a finished lifecycle leaves: its drive (the run, the model and its
// copy of the trace, the functions bound to them), and the trace's storage
// (retire).
type runner struct {
	w       mapisim.Worker
	d       *drive
	storage trace.Storage
}

// drive is what the worker runs a lifecycle with. Its functions are bound
// once: a method value handed to another goroutine is allocated each time.
type drive struct {
	r    run
	md   model
	lc   lifecycle
	fn   func()   // d.drive
	fail failFunc // d.r.fail
}

// next readies the runner's drive for lc on m: the last lifecycle's,
// emptied but for the model's buffer, or a new one.
func (rn *runner) next(m *mapisim.MAPI, cfg Config, lc lifecycle) *drive {
	d := rn.d
	if d == nil {
		d = new(drive)
		d.fn, d.fail = d.drive, d.r.fail
		rn.d = d
	}
	d.r, d.lc = run{m: m}, lc
	d.md = model{m: m, cfg: cfg, fail: d.fail, refs: 1, view: d.md.view[:0]}
	return d
}

// retire takes the storage of r's trace for the next lifecycle: r is done
// with, its trace never read again.
func (rn *runner) retire(r run) { rn.storage = r.m.Trace().Retire() }

// events copies the trace's events from index i on into the model's
// buffer: every step reads what it added, and the buffer is reused.
func (md *model) events(i int) []trace.Event {
	md.view = md.m.Trace().AppendSince(md.view[:0], i)
	return md.view
}
