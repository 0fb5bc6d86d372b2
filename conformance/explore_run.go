package conformance

import (
	"context"
	"errors"
	"fmt"
	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"slices"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// violation is a rule the provider broke in a lifecycle, or a fault that
// stopped it.
type violation struct {
	rule string // "" for a fault
	what string
	at   int // the step, from 1; 0 for logon, -1 for the end

	// fault names a fault: the call that panicked or returned nil, "hang",
	// or "start" when the exploration could not begin. "" for a rule.
	fault string
	// was is the rule broken, when judge named another as its cause.
	was string
}

// run is what one run of a lifecycle found: every rule broken, the first
// time each, and the calls it made.
type run struct {
	vs      []violation
	m       *mapisim.MAPI
	stopped bool // a fault: the model cannot follow the provider any further
}

func (r *run) has(rule string) bool { _, ok := r.get(rule); return ok }

func (r *run) get(rule string) (violation, bool) {
	for _, v := range r.vs {
		if v.fault == "" && v.rule == rule {
			return v, true
		}
	}
	return violation{}, false
}

// fail records that rule was broken at step at, unless it already was or
// the provider faulted: a provider that panicked or returned nil broke no
// rule by what the model sees next, the fault is the finding.
func (r *run) fail(at int, rule, format string, args ...any) {
	if r.stopped || r.faulted(at) || r.has(rule) {
		return
	}
	r.vs = append(r.vs, violation{rule: rule, what: fmt.Sprintf(format, args...), at: at})
}

// faulted stops the run at the provider's first fault, and reports whether
// there was one.
func (r *run) faulted(at int) bool {
	if r.stopped {
		return true
	}
	fs := r.m.Faults()
	if len(fs) == 0 {
		return false
	}
	r.stop(violation{what: "the provider " + fs[0].Error(), at: at, fault: fs[0].Event.Name()})
	return true
}

func (r *run) stop(v violation) {
	r.stopped = true
	r.vs = append(r.vs, v)
}

// runLifecycle drives lc against a fresh provider.
func runLifecycle(ctx context.Context, cfg Config, lc lifecycle.Lifecycle) run {
	var rn runner
	defer rn.w.Close()
	return runLifecycleOn(ctx, &rn, cfg, lc)
}

func runLifecycleOn(ctx context.Context, rn *runner, cfg Config, lc lifecycle.Lifecycle) run {
	p, err := newProvider(cfg)
	if err != nil {
		return run{vs: []violation{{what: fmt.Sprintf("Config.NewProvider failed: %v", err), fault: "start"}}, stopped: true}
	}
	a := lifecycle.Answers[lc.Answer]
	m := mapisim.New(p, mapisim.Options{STLTFlags: a.Flags, STLTErr: a.Err, Activity: a.Activity,
		BogusCounts: lc.Bogus, Spooler: cfg.Capabilities.Spooler, NewSpoolerProvider: cfg.NewProvider, TraceStorage: rn.storage})
	rn.storage = trace.Storage{}
	d := rn.next(m, cfg, lc)
	switch err = rn.w.Run(ctx, m, cfg.CallTimeout, d.fn); {
	case err == nil:
		d.r.faulted(-1)
	case errors.As(err, new(*mapisim.Hang)):
		rn.d = nil // the hung drive still uses it
		d.r.stop(violation{what: err.Error(), at: -1, fault: "hang"})
	default:
		d.r.stop(violation{what: err.Error(), at: -1, fault: "suite"})
	}
	return d.r
}

// logon logs on to one more store; a provider that refuses leaves nothing
// to explore.
func (r *run) logon() *mapisim.Store {
	s, err := r.m.Logon()
	if err != nil && !r.faulted(0) {
		r.stop(violation{what: fmt.Sprintf("IMSProvider::Logon returned %v: the exploration cannot begin", mapi.ResultOf(err)), fault: "start"})
	}
	return s
}

// newProvider makes a provider of cfg, and never panics.
func newProvider(cfg Config) (p mapi.IMSProvider, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	p, err = cfg.NewProvider()
	if err == nil && mapisim.IsNil(p) {
		err = errors.New("returned a nil provider")
	}
	return p, err
}

// checkLogon judges the logons, every one (the second store's and the
// spooler's too): LG-01 and LG-02, with the judges the specs use.
func checkLogon(evs []trace.Event, fail failFunc) {
	if ok, got, _ := judge.KeepsSupport(evs); !ok {
		fail(0, "LG-01", "%s (want at least 1, and never more Releases than AddRefs)", got)
	}
	if ok, got, _ := judge.ProviderUIDs(evs); !ok {
		fail(0, "LG-02", "%s", got)
	}
}

// drive makes lc's steps, each judged, and judges the end.
func (d *drive) drive() {
	r, md, lc := &d.r, &d.md, d.lc
	if md.s = r.logon(); md.s == nil || lc.TwoStores && r.logon() == nil {
		return
	}
	checkLogon(md.events(0), d.fail)
	for i, o := range lc.Steps {
		if md.step(i+1, o); r.faulted(i + 1) {
			return
		}
	}
	if md.finish(lc); md.suiteBug != "" {
		r.stop(violation{what: md.suiteBug, at: -1, fault: "suite"})
	}
}

// finish ends the lifecycle: the client releases what it still holds, in
// the order the lifecycle says, each Release judged like a step; then the
// session logs off, which ends the second store and shuts the provider
// down; then the whole trace is judged once more.
func (md *model) finish(lc lifecycle.Lifecycle) {
	if lc.TwoStores && !md.session {
		// The first store's end must have left the second alone.
		if md.m.Trace().Count(trace.Call{Iface: "IMSLogon", Method: "Logoff", Object: "logon 2"}) > 0 {
			md.fail(-1, "SS-04", "the second store was torn down while its client still held it")
		}
	}
	// The stores second Logons returned go first, while the first
	// logon's references keep the store: their Release ends nothing.
	for len(md.reopened) > 0 {
		md.step(-1, lifecycle.Step{Kind: lifecycle.ReleaseAgain})
	}
	refs := func() {
		for md.refs > 0 {
			md.step(-1, lifecycle.Step{Kind: lifecycle.Release})
		}
	}
	objects := func() {
		for i, st := range md.objState {
			if st != objReleased {
				md.step(-1, lifecycle.Step{Kind: lifecycle.CloseObject, N: i})
			}
		}
	}
	if lc.ObjectsFirst {
		objects()
		refs()
	} else {
		refs()
		objects()
	}
	if !md.session {
		// The suite's own cleanup, not a client's step: the store's end
		// was judged at the client's last Release.
		md.m.EndSession(0)
	}
	md.m.ReleaseHeld() // the second store's client, and the spooler if it still holds its store
	evs := md.events(0)
	md.checkEnd(evs)
	md.suiteBug, _ = md.checkSpooler(evs)
}

// checkEnd judges the whole lifecycle in one pass over its trace: the
// support never called once gone (RL-03) nor after the provider's final
// Release (SS-03), always with a valid StoreLogoffTransports flag
// (STLT-08), released as often as AddRef'd (RL-01); the MAPIUIDs removed
// (E-01); no status row update after the support went or IMSLogon::Logoff
// returned (LG-03); Shutdown answered S_OK (SS-05).
func (md *model) checkEnd(evs []trace.Event) {
	refs, minRefs := 0, 0
	var support judge.SupportRefs
	// A MAPIUID or two, a logoff or two: small arrays, not maps.
	var uidBuf, removedBuf [4]any
	var logoffBuf [2]trace.Event
	uids, removed, logoffs := uidBuf[:0], removedBuf[:0], logoffBuf[:0]
	providerGone := false
	for i := range evs {
		e := &evs[i] // in place: this runs for every lifecycle
		if judge.Reopened(e.Object) {
			continue // LG-06's: judged at the second Logon
		}
		switch {
		case e.Dir == trace.ToMAPI && e.Iface == "IMAPISupport":
			if support.IsGone(e.Object) {
				md.fail(-1, "RL-03", "#%d %s on %s after the provider released it", e.Seq, e.Name(), e.Object)
			}
			if providerGone {
				md.fail(-1, "SS-03", "#%d %s after the provider's final Release", e.Seq, e.Name())
			}
			switch e.Method {
			case "StoreLogoffTransports":
				if f := e.Arg(0); !judge.OneValidFlag(*e) {
					md.fail(-1, "STLT-08", "#%d StoreLogoffTransports(%v): want exactly one valid input flag", e.Seq, f)
				}
			case "SetProviderUID":
				uids = append(uids, e.Arg(0))
			case "ModifyStatusRow":
				if support.IsGone(e.Object) || loggedOffBefore(logoffs, *e) {
					md.fail(-1, "LG-03", "#%d ModifyStatusRow after IMSLogon::Logoff", e.Seq)
				}
			}
		case e.Iface == "MAPI" && e.Method == "RemoveProviderUIDs":
			removed = append(removed, e.Args...)
		case e.Method == "Shutdown" && trace.Shutdown.Matches(*e): // a constant first: this runs for every event
			if e.Err != nil {
				md.fail(-1, "SS-05", "#%d IMSProvider::Shutdown returned %v, want S_OK", e.Seq, mapi.ResultOf(e.Err))
			}
		case e.Method == "Release" && trace.ProviderRelease.Matches(*e):
			providerGone = true
		case e.Method == "Logoff" && trace.Logoff.Matches(*e):
			logoffs = append(logoffs, *e)
		}
		support.Step(e)
		if e.Object == "support" && (e.Method == "AddRef" || e.Method == "Release") {
			refs = support.Held("support")
			minRefs = min(minRefs, refs)
		}
	}
	if refs != 0 || minRefs < 0 {
		md.fail(-1, "RL-01", "the provider's references on the support do not balance: %d left, lowest %d", refs, minRefs)
	}
	for _, u := range uids {
		if !slices.Contains(removed, u) {
			md.fail(-1, "E-01", "the MAPIUID %v was never removed", u)
		}
	}
}

// loggedOffBefore reports whether the IMSLogon::Logoff of the store whose
// support e calls had returned when e began: inside Logoff, before the
// support goes, a status row update is allowed (SEMANTICS.md §5).
func loggedOffBefore(logoffs []trace.Event, e trace.Event) bool {
	for _, l := range logoffs {
		// "logon 2" goes with "support 2".
		if l.Done() && l.Ret < e.At && l.Object[len("logon"):] == e.Object[len("support"):] {
			return true
		}
	}
	return false
}

// alternatives are the variants of a lifecycle that tell a failure's
// cause: a failure that goes away when the concurrent Releases are made one
// after another is the provider's handling of concurrency (RB-01); when
// StoreLogoffTransports answers S_OK with LOGOFF_COMPLETE, its tolerance of
// the answer (STLT-07); with true counts, its trust in AddRef's and
// Release's values (RB-02). Concurrency first: a race that does not recur
// in another variant must not be blamed on that variant.
func alternatives(lc lifecycle.Lifecycle) []alternative {
	var out []alternative
	if slices.ContainsFunc(lc.Steps, func(o lifecycle.Step) bool { return o.Kind == lifecycle.ConcurrentRelease }) {
		out = append(out, alternative{"RB-01", "concurrent Releases", lifecycle.SequentialReleases(lc)})
	}
	if lc.Answer != 0 {
		c := lc
		c.Answer = 0
		out = append(out, alternative{"STLT-07", "StoreLogoffTransports answering " + lifecycle.AnswerName(lc.Answer), c})
	}
	if lc.Bogus {
		c := lc
		c.Bogus = false
		out = append(out, alternative{"RB-02", "the support's AddRef and Release returning 0", c})
	}
	return out
}

type alternative struct {
	rule, why string
	ordinary  lifecycle.Lifecycle
}

// judgeLifecycle runs lc and names the cause of each rule it breaks (alternatives).
func judgeLifecycle(ctx context.Context, cfg Config, lc lifecycle.Lifecycle) run {
	r := runLifecycle(ctx, cfg, lc)
	for _, alt := range alternatives(lc) {
		var other *run
		for i := range r.vs {
			v := &r.vs[i]
			if v.fault != "" || v.was != "" || alt.rule == "STLT-07" && v.rule == "SL-05" {
				// SL-05 judges what StoreLogoff makes of the answer: it
				// is there only with an answer that reports activity.
				continue
			}
			if other == nil {
				o := runLifecycle(ctx, cfg, alt.ordinary)
				other = &o
			}
			// The failure goes away in the ordinary variant: not only
			// this rule but every rule, for another step of the same
			// lifecycle may name the same fault differently (a second
			// StoreLogoffTransports is STLT-06 at the StoreLogoff that
			// made it, STLT-01 at the end).
			if !other.stopped && len(other.vs) == 0 {
				v.was, v.rule = v.rule, alt.rule
				v.what = fmt.Sprintf("only with %s: %s", alt.why, v.what)
			}
		}
	}
	return r
}
