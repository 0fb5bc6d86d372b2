package conformance

import (
	"context"
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

// H is what a spec body runs with: it runs the spec's lifecycles (named.go)
// and records what the judges of package judge found of the spec's rules.
type H struct {
	cfg      Config
	ctx      context.Context
	spec     *spec
	run      *runState
	m        *mapisim.MAPI // the provider most recently started
	all      []*mapisim.MAPI
	hung     bool
	worker   mapisim.Worker  // one goroutine drives the whole spec
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
