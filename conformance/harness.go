package conformance

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// spec is one check of the suite: which path to drive and which rules to
// judge. The spec table is the suite: Describe turns each into a Ginkgo spec,
// Check runs them without Ginkgo. Both call run, so the kill matrix judges
// with the very specs users run.
type spec struct {
	section string   // RULES.md section letter
	text    string   // what the spec does, as Ginkgo prints it
	rules   []string // the rule IDs it judges (at most 64: H.proven is a bit set)
	needs   []need   // capabilities it needs
	explore bool     // the exploration or the enumeration: judges lifecycles, proves no rule by passing
	// enumerate: the enumeration, part of the deterministic gate: Check
	// runs it too, unlike the random exploration.
	enumerate bool
	// lifecycles is how many lifecycles the spec runs (runSpecs), so that
	// its deadline grows with its work (Describe).
	lifecycles int
	body       func(h *H)
}

// need returns why a provider cannot run a spec, or "".
type need func(Config) string

// needCapability makes the need of one capability: has says whether the
// provider declares it, lacking why it cannot run the spec without.
func needCapability(has func(Capabilities) bool, lacking string) need {
	return func(c Config) string {
		if has(c.Capabilities) {
			return ""
		}
		return lacking
	}
}

var (
	needStatusRow = needCapability(func(c Capabilities) bool { return c.StatusRow },
		"the provider makes no status row (Capabilities.StatusRow)")
	needObjects = needCapability(func(c Capabilities) bool { return c.Objects },
		"the provider hands out no objects (Capabilities.Objects)")
	needSubobject = needCapability(func(c Capabilities) bool { return c.Subobject != "" },
		"the provider names no subobject of its root folder (Capabilities.Subobject)")
	needStatusObject = needCapability(func(c Capabilities) bool { return c.StatusObject },
		"the provider opens no status object (Capabilities.StatusObject)")
	needMultipleStores = needCapability(func(c Capabilities) bool { return c.MultipleStores },
		"the provider logs on to one store at a time (Capabilities.MultipleStores)")
	needSpooler = needCapability(func(c Capabilities) bool { return c.Spooler },
		"the provider does not serve the MAPI spooler (Capabilities.Spooler)")
	needReopen = needCapability(func(c Capabilities) bool { return !c.OneStorePerProvider },
		"the provider serves one store logon per provider object (Capabilities.OneStorePerProvider)")
)

// H is what a spec body drives the provider with. It starts providers
// through the simulated MAPI side, drives them under the per-call timeout,
// and judges the trace rule by rule.
type H struct {
	cfg      Config
	ctx      context.Context
	spec     *spec
	run      *runState
	m        *mapisim.MAPI // the provider most recently started
	all      []*mapisim.MAPI
	faults   int // faults already reported
	hung     bool
	worker   mapisim.Worker  // one goroutine drives the whole spec
	snap     []trace.Event   // the trace as expect last saw it
	expected func() []string // the outline of the path driven, built only for a failure

	failures []string // messages of failed checks
	broken   []broken // the judged ones among them, to merge rules that share calls
	failed   []string // their rule IDs
	noted    []string // rule IDs of "may" checks that failed in non-strict mode
	notes    []string
	unjudged []string // rules the spec stopped before it could judge (fatal)
	proven   uint64   // bit i: a check of spec.rules[i] passed with something to judge
	selfOnly uint64   // bit i: a self-check of spec.rules[i] passed
}

// broken is a judged failure: the rules' sentences, what was expected and
// what happened, and where its message is in H.failures.
type broken struct {
	headers, body string
	at            int
}

// abort ends a spec body early; run recovers it.
type abort struct{}

// start makes a fresh provider, a simulated MAPI for it, and logs on to one
// store.
func (h *H) start(opts mapisim.Options) (*mapisim.MAPI, *mapisim.Store) {
	p, err := h.newProvider()
	if err != nil {
		h.fatal(fmt.Sprintf("Config.NewProvider failed: %v", err))
	}
	opts.Spooler = opts.Spooler || h.cfg.Capabilities.Spooler
	opts.NewSpoolerProvider = h.newProvider // the spooler's process has a provider object of its own
	h.m, h.snap = mapisim.New(p, opts), nil
	h.all = append(h.all, h.m)
	h.run.add(h.spec.text, h.m)
	h.faults = 0
	return h.m, h.logon()
}

func (h *H) newProvider() (p mapi.IMSProvider, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	p, err = h.cfg.NewProvider()
	if err == nil && mapisim.IsNil(p) {
		err = errors.New("returned a nil provider")
	}
	return p, err
}

// logon logs on to one more store of the current provider.
func (h *H) logon() *mapisim.Store {
	var s *mapisim.Store
	var err error
	h.drive(func() { s, err = h.m.Logon() })
	if err != nil {
		h.fatal(fmt.Sprintf("IMSProvider::Logon failed: %v", err))
	}
	return s
}

// drive runs f, which calls into the provider, under the per-call timeout,
// and stops the spec if the provider hangs or faults.
func (h *H) drive(f func()) {
	if err := h.worker.Run(h.ctx, h.m, h.cfg.CallTimeout, f); err != nil {
		var hang *mapisim.Hang
		msg := err.Error()
		if errors.As(err, &hang) {
			h.hung = true
			msg += reentryHint(h.m.Trace().Events(), hang.Call)
		}
		h.fatal(msg)
	}
	if fs := h.m.Faults(); len(fs) > h.faults {
		h.faults = len(fs)
		f := fs[len(fs)-1]
		msg := "the provider " + f.Error()
		if f.Stack != "" {
			msg += "\n\nProvider stack:\n" + providerStack(f.Stack)
		}
		h.fatal(msg)
	}
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

// fatal ends the body: the spec cannot go on. It fails the spec's rules
// that were not judged yet (they are Unjudged: ERROR in the report).
func (h *H) fatal(what string) {
	// The rules not judged yet; those already found broken or noted keep
	// their judgement. The exploration names no rule when it stops: the
	// spec fails, its rules are not held against the provider.
	var unjudged []string
	if !h.spec.explore {
		for _, id := range h.spec.rules {
			if !slices.Contains(h.failed, id) && !slices.Contains(h.noted, id) {
				unjudged = append(unjudged, id)
			}
		}
	}
	msg := fmt.Sprintf("%s could not be judged: %s", strings.Join(unjudged, ", "), what)
	switch {
	case h.spec.explore:
		msg = "The exploration stopped: " + what
	case len(unjudged) == 0:
		msg = "The spec stopped: " + what
	}
	for _, id := range unjudged {
		if r, ok := RuleByID(id); ok {
			msg += "\n\n" + r.String()
		}
	}
	if h.m != nil {
		evs := h.m.Trace().Events()
		var marks map[int]string
		if e, ok := h.m.Trace().InProgress(); ok && h.hung {
			marks = map[int]string{e.Seq: "in progress"}
		}
		for _, e := range evs {
			if e.Panic != nil {
				marks = mark(marks, "panicked", e)
			}
		}
		msg += "\n\nCall sequence so far:\n" + trace.Format(evs, marks)
	}
	h.failures = append(h.failures, msg)
	h.failed = append(h.failed, unjudged...)
	h.unjudged = append(h.unjudged, unjudged...)
	panic(abort{})
}

// expect judges rule id on the current provider's trace with matcher m. A
// failed check is recorded and the body goes on, so that one spec reports
// every rule it finds broken. A "may" rule's failure is a note unless the
// config is strict.
func (h *H) expect(id string, m types.GomegaMatcher) bool {
	if h.snap == nil || len(h.snap) != h.m.Trace().Len() {
		h.snap = h.m.Trace().Events()
	}
	return h.judge(id, h.snap, m)
}

func (h *H) judge(id string, actual any, m types.GomegaMatcher) bool {
	r, ok := RuleByID(id)
	if !ok {
		panic("conformance: unknown rule " + id)
	}
	if !h.judges(id) {
		panic(fmt.Sprintf("conformance: spec %q judges %s but is not labelled with it", h.spec.text, id))
	}
	good, err := m.Match(actual)
	if err != nil {
		panic("conformance: " + err.Error())
	}
	if good {
		if v, ok := m.(interface{ Vacuous() bool }); !ok || !v.Vacuous() {
			h.prove(id)
		}
		return true
	}
	body := m.FailureMessage(actual)
	if h.expected != nil {
		// The expected outline goes just above the actual sequence.
		if lines := h.expected(); lines != nil {
			if i := strings.Index(body, "\nCall sequence"); i >= 0 {
				body = body[:i] + "\n" + formatOutline(h.cfg.Profile, lines) + body[i:]
			}
		}
	}
	if r.Is(May) && !h.cfg.Strict {
		h.noted = append(h.noted, id)
		h.notes = append(h.notes, "Noted (a \"may\" rule; Config.Strict makes it a failure):\n"+r.String()+"\n\n"+body)
		return false
	}
	h.failed = append(h.failed, id)
	// Two rules broken by the very same calls (STLT-01 and SS-02 on the
	// session path) share one message: both rules, then the calls once.
	for i := range h.broken {
		if b := &h.broken[i]; b.body == body {
			b.headers += "\n\n" + r.String()
			h.failures[b.at] = b.headers + "\n\n" + body
			return false
		}
	}
	h.broken = append(h.broken, broken{r.String(), body, len(h.failures)})
	h.failures = append(h.failures, r.String()+"\n\n"+body)
	return false
}

// selfCheck judges rule id like expect, on what the simulated MAPI did
// (its own teardown order, its own flags): a failure fails the rule (the
// provider can make MAPI's steps go missing), a pass proves nothing about
// the provider and is reported as the suite's self-check.
func (h *H) selfCheck(id string, m types.GomegaMatcher) bool {
	proven := h.proven
	ok := h.expect(id, m)
	if ok {
		h.proven = proven
		h.selfOnly |= 1 << slices.Index(h.spec.rules, id)
	}
	return ok
}

func (h *H) judges(id string) bool { return slices.Contains(h.spec.rules, id) }

// prove records that a check of rule id passed with something to judge.
func (h *H) prove(id string) { h.proven |= 1 << slices.Index(h.spec.rules, id) }

// outline records the expected sequence of the path being driven; the first
// path of a spec is the one its failures show.
func (h *H) outline(name, caller string, f mapi.LogoffFlags) {
	if h.expected == nil {
		h.expected = func() []string { return outlineOf(name, h.cfg.Profile, caller, f) }
	}
}

// deferred reports whether the provider declares the deferred profile.
func (h *H) deferred() bool { return h.cfg.Profile == Deferred }

// run runs the spec against a fresh provider of cfg, which has its defaults.
func (sp *spec) run(ctx context.Context, cfg Config, rs *runState) (r Result) {
	r = Result{Provider: cfg.Name, Profile: cfg.Profile, Section: sp.section, Spec: sp.text, Rules: sp.rules, Explore: sp.explore}
	for _, n := range sp.needs {
		if why := n(cfg); why != "" {
			r.Status, r.Message = Skipped, why
			return r
		}
	}
	h := &H{cfg: cfg, ctx: ctx, spec: sp, run: rs}
	func() {
		defer func() {
			if p := recover(); p != nil {
				if _, ok := p.(abort); !ok {
					h.failures = append(h.failures, fmt.Sprintf("the suite itself panicked (a bug in mapiconf; please report it): %v\n%s", p, debug.Stack()))
					h.failed = append(h.failed, sp.rules...)
					h.unjudged = append(h.unjudged, sp.rules...)
				}
			}
		}()
		sp.body(h)
	}()
	h.close()
	r.Failed, r.Noted = dedupe(h.failed), dedupe(h.noted)
	r.Unjudged = h.unjudged
	// A rule the spec neither proved nor found broken was not tested: its
	// checks passed only vacuously, or the spec had nothing to check.
	for i, id := range sp.rules {
		switch {
		case h.proven&(1<<i) != 0 || slices.Contains(r.Failed, id) || slices.Contains(r.Noted, id):
		case h.selfOnly&(1<<i) != 0:
			r.SelfChecked = append(r.SelfChecked, id)
		default:
			r.Untested = append(r.Untested, id)
		}
	}
	r.Status = Passed
	if len(h.failures) > 0 {
		r.Status = Failed
		r.Message = strings.Join(h.failures, "\n\n────────\n\n")
	}
	if len(h.notes) > 0 {
		if r.Message != "" {
			r.Message += "\n\n────────\n\n"
		}
		r.Message += strings.Join(h.notes, "\n\n")
	}
	return r
}

// close shuts down every provider the spec started, so that a provider's
// resources go with its spec. A provider that hung is left alone: its
// goroutine is stuck and another call could only hang too.
func (h *H) close() {
	defer h.worker.Close()
	if h.hung {
		return
	}
	for _, m := range h.all {
		h.worker.Run(h.ctx, m, h.cfg.CallTimeout, m.Shutdown)
	}
}

func dedupe(ids []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
