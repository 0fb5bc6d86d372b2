package mapisim

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// Hang is returned by Run when the provider stops making progress: no call
// began or returned for the timeout, or the context ended first.
type Hang struct {
	Call    trace.Event   // the call in progress, if any
	Waited  time.Duration // the per-call timeout; the wait was up to a quarter longer
	Context bool          // the context ended, not the per-call timeout
}

func (h *Hang) Error() string {
	why := fmt.Sprintf("no call began or returned for %v", h.Waited)
	if h.Context {
		why = "the spec's deadline passed"
	}
	if h.Call.Seq == 0 {
		return "the provider hung: " + why
	}
	return fmt.Sprintf("the provider hung in call #%d %s: %s", h.Call.Seq, h.Call.Name(), why)
}

// Run calls drive on a new goroutine and waits for it to return. A provider
// that deadlocks or blocks forever cannot stop the suite: when no call into
// or out of the provider begins or returns for timeout, or when ctx ends, Run
// returns a *Hang naming the call in progress and leaves the stuck goroutine
// behind (Go cannot stop it). A panic in drive that is not a provider's
// (those are recovered at the call) is returned as an error.
func (m *MAPI) Run(ctx context.Context, timeout time.Duration, drive func()) error {
	var w Worker
	defer w.Close()
	return w.Run(ctx, m, timeout, drive)
}

// A Worker runs drive functions for Run on one goroutine that it keeps
// between calls, so that many short lifecycles do not each pay for a new
// goroutine and its stack growth. If a provider hangs, the worker's
// goroutine is left stuck and the next Run starts a new one. The zero value
// is ready; a Worker must not run two drives at once.
type Worker struct {
	jobs chan func()
	done chan error
	// tick keeps ticking between runs, until Close: resetting and
	// stopping it at every run cost about 80ns of a run's 1µs hand-off,
	// and a tick left over from before a run finds progress.
	tick   *time.Ticker
	period time.Duration
}

// Run is MAPI.Run on the worker's goroutine.
func (w *Worker) Run(ctx context.Context, m *MAPI, timeout time.Duration, drive func()) error {
	if w.jobs == nil {
		w.jobs, w.done = make(chan func()), make(chan error, 1)
		go work(w.jobs, w.done)
	}
	w.jobs <- drive
	// Look four times per timeout, so that a hang is reported between one
	// and one and a quarter timeouts after the last progress.
	period := max(timeout/4, time.Millisecond)
	switch {
	case w.tick == nil:
		w.tick, w.period = time.NewTicker(period), period
	case w.period != period:
		w.tick.Reset(period)
		w.period = period
	}
	tick := w.tick
	last, since := m.trace.Progress(), time.Now()
	hang := func(h *Hang) error {
		w.jobs = nil // the goroutine is stuck in the provider: abandon it
		return h
	}
	for {
		select {
		case err := <-w.done:
			return err
		case <-ctx.Done():
			call, _ := m.trace.InProgress()
			return hang(&Hang{Call: call, Context: true})
		case now := <-tick.C:
			if p := m.trace.Progress(); p != last {
				// A tick from before the run began is no later than it.
				last, since = p, maxTime(now, since)
				continue
			}
			if now.Sub(since) >= timeout {
				call, _ := m.trace.InProgress()
				return hang(&Hang{Call: call, Waited: timeout})
			}
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func work(jobs <-chan func(), done chan<- error) {
	for drive := range jobs {
		done <- runOne(drive)
	}
}

func runOne(drive func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("mapisim: the suite panicked driving the provider: %v\n%s", p, debug.Stack())
		}
	}()
	drive()
	return nil
}

// Close ends the worker's goroutine.
func (w *Worker) Close() {
	if w.jobs != nil {
		close(w.jobs)
		w.jobs = nil
	}
	if w.tick != nil {
		w.tick.Stop()
		w.tick = nil
	}
}
