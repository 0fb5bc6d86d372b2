// Package drive runs a lifecycle against a provider: it starts the provider
// through the simulated MAPI, makes the lifecycle's steps under the
// per-call timeout, tells the judge's model what each returned, and ends
// the lifecycle (the client releases what it holds, MAPI shuts the
// provider down). It judges nothing itself: package judge does.
package drive

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Config is what a run needs of the suite's Config.
type Config struct {
	NewProvider func() (mapi.IMSProvider, error)
	CallTimeout time.Duration
	Spooler     bool         // the provider serves the MAPI spooler
	Subobject   mapi.EntryID // the subobject of the root folder that lifecycle.OpenSubobject opens
	Setting     judge.Setting
}

// Run is what one run of a lifecycle found: every rule broken, the first
// time each, and the calls it made.
type Run struct {
	Vs      []judge.Violation
	M       *mapisim.MAPI
	Stopped bool // a fault: the model cannot follow the provider any further
}

// Has reports whether the run broke rule.
func (r *Run) Has(rule string) bool { _, ok := r.Get(rule); return ok }

// Get returns the violation of rule, if the run broke it.
func (r *Run) Get(rule string) (judge.Violation, bool) {
	for _, v := range r.Vs {
		if v.Fault == "" && v.Rule == rule {
			return v, true
		}
	}
	return judge.Violation{}, false
}

// Named returns the violation of rule as the run named it: under rule, or
// under the cause the exploration found.
func (r *Run) Named(rule string) (judge.Violation, bool) {
	for _, v := range r.Vs {
		if v.Fault == "" && (v.Rule == rule || v.Was == rule) {
			return v, true
		}
	}
	return judge.Violation{}, false
}

// FaultAt returns the run's fault in the call named call, if it had one.
func (r *Run) FaultAt(call string) *judge.Violation {
	for i := range r.Vs {
		if r.Vs[i].Fault == call {
			return &r.Vs[i]
		}
	}
	return nil
}

// fail records that rule was broken at step at, unless it already was or
// the provider faulted: a provider that panicked or returned nil broke no
// rule by what the model sees next, the fault is the finding.
func (r *Run) fail(at int, rule, format string, args ...any) {
	if r.Stopped || r.faulted(at) || r.Has(rule) {
		return
	}
	var marks judge.Marks
	if n := len(args); n > 0 {
		if m, ok := args[n-1].(judge.Marks); ok {
			marks, args = m, args[:n-1]
		}
	}
	r.Vs = append(r.Vs, judge.Violation{Rule: rule, What: fmt.Sprintf(format, args...), At: at, Marks: marks})
}

// faulted stops the run at the provider's first fault, and reports whether
// there was one.
func (r *Run) faulted(at int) bool {
	if r.Stopped {
		return true
	}
	fs := r.M.Faults()
	if len(fs) == 0 {
		return false
	}
	what := "the provider " + fs[0].Error()
	if fs[0].Stack != "" {
		what += "\n\nProvider stack:\n" + providerStack(fs[0].Stack)
	}
	r.stop(judge.Violation{What: what, At: at, Fault: fs[0].Event.Name()})
	return true
}

// reentryHint explains a hang in a call MAPI made from inside one of the
// provider's own calls, the classic deadlock of a provider that holds a lock
// while it releases the support.
func reentryHint(evs []trace.Event, hung trace.Event) string {
	for _, outer := range evs {
		if outer.Dir == trace.ToProvider && !outer.Done() && outer.Seq != hung.Seq && outer.Encloses(hung) {
			return fmt.Sprintf(".\nMAPI made this call from inside #%d %s, which has not returned: a provider that holds a lock "+
				"there while it calls the support deadlocks when MAPI calls back into it", outer.Seq, outer.Name())
		}
	}
	return ""
}

// providerStack trims a recovered panic's stack to the frames below the
// suite's recover, which are the provider's.
func providerStack(stack string) string {
	if i := strings.Index(stack, "panic("); i >= 0 {
		stack = stack[i:]
	}
	lines := strings.Split(stack, "\n")
	if len(lines) > 24 {
		lines = append(lines[:24], "…")
	}
	return strings.Join(lines, "\n")
}

func (r *Run) stop(v judge.Violation) {
	r.Stopped = true
	r.Vs = append(r.Vs, v)
}

// Lifecycle drives lc against a fresh provider of cfg.
func Lifecycle(ctx context.Context, cfg Config, lc lifecycle.Lifecycle) Run {
	var rn Runner
	defer rn.Close()
	return rn.Run(ctx, cfg, lc)
}

// Run drives lc against a fresh provider of cfg, on the runner's worker.
func (rn *Runner) Run(ctx context.Context, cfg Config, lc lifecycle.Lifecycle) Run {
	p, err := NewProvider(cfg.NewProvider)
	if err != nil {
		return Run{Vs: []judge.Violation{{What: fmt.Sprintf("Config.NewProvider failed: %v", err), Fault: "start"}}, Stopped: true}
	}
	a := lifecycle.Answers[lc.Answer]
	m := mapisim.New(p, mapisim.Options{STLTFlags: a.Flags, STLTErr: a.Err, Activity: a.Activity,
		BogusCounts: lc.Bogus, Spooler: cfg.Spooler, NewSpoolerProvider: cfg.NewProvider, TraceStorage: rn.storage})
	rn.storage = trace.Storage{}
	d := rn.next(m, cfg, lc)
	var hang *mapisim.Hang
	switch err = rn.w.Run(ctx, m, cfg.CallTimeout, d.fn); {
	case err == nil:
		d.r.faulted(-1)
	case errors.As(err, &hang):
		// The hung drive goes on with d if the provider ever returns: the
		// run found so far is copied out under d's lock, and d is left
		// to it.
		rn.d = nil
		r := d.found()
		r.stop(judge.Violation{What: err.Error() + reentryHint(m.Trace().Events(), hang.Call), At: -1, Fault: "hang"})
		return r
	default:
		d.r.stop(judge.Violation{What: err.Error(), At: -1, Fault: "suite"})
	}
	return d.r
}

// NewProvider makes a provider with newProvider, and never panics.
func NewProvider(newProvider func() (mapi.IMSProvider, error)) (p mapi.IMSProvider, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	p, err = newProvider()
	if err == nil && mapisim.IsNil(p) {
		err = errors.New("returned a nil provider")
	}
	return p, err
}

// AtOnce runs each f on a goroutine of its own, all let go together so that
// they overlap in the provider, and waits for them.
func AtOnce(fs ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, f := range fs {
		wg.Go(func() {
			<-start
			f()
		})
	}
	close(start)
	wg.Wait()
}

// releaseAll is n Releases of c at once.
func releaseAll(c *mapisim.Caller, n int) { AtOnce(slices.Repeat([]func(){c.Release}, n)...) }
