package conformance

import (
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// An exploration runs thousands of short lifecycles one after another:
// what one leaves, the next reuses, instead of each allocating its own.

// runner runs lifecycles one after another on one worker, and hands on
// what a finished lifecycle leaves: its drive (explore_drive.go), and the
// trace's storage (retire).
type runner struct {
	w       mapisim.Worker
	d       *drive
	storage trace.Storage
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
