package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
)

// drive is what the worker runs a lifecycle with: the run, the model and
// its copy of the trace. A runner hands its drive from one lifecycle to the
// next, and its functions are bound once: a method value handed to another
// goroutine is allocated each time it is made.
type drive struct {
	r    run
	md   model
	lc   lifecycle.Lifecycle
	fn   func()   // d.drive
	fail failFunc // d.r.fail
}

// next readies the runner's drive for lc on m: the last lifecycle's,
// emptied but for the model's buffer, or a new one.
func (rn *runner) next(m *mapisim.MAPI, cfg Config, lc lifecycle.Lifecycle) *drive {
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
