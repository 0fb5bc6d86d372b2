package conformance

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/report"
)

// Outcome is the report as package report renders it (JUnit, JSON,
// Markdown, HTML, badge): every rule's result with the reason, every spec's,
// and the mapiconf version and RULES.md revision they were judged by.
func (r Report) Outcome() report.Run {
	out := report.Run{Version: Version(), RulesRevision: RulesRevision}
	keys, byRule := r.ByRule()
	for _, k := range keys {
		var p report.Provider
		var results []Result
		for _, x := range r.Results {
			if (key{x.Provider, x.Profile}).String() == k {
				p.Name, p.Profile = x.Provider, string(x.Profile)
				results = append(results, x)
			}
		}
		for _, x := range results {
			p.Specs = append(p.Specs, report.Spec{
				Section: x.Section, Text: x.Spec, Rules: x.Rules, Status: string(x.Status),
				Failed: x.Failed, Unjudged: x.Unjudged, Noted: x.Noted, Untested: x.Untested,
				Message: x.Message, Seconds: x.Duration.Seconds(),
			})
		}
		for _, rr := range byRule[k] {
			var strength []string
			for _, st := range rr.Rule.Strength {
				strength = append(strength, string(st))
			}
			p.Rules = append(p.Rules, report.Rule{
				ID: rr.Rule.ID, Section: rr.Rule.Section, SectionTitle: Sections[rr.Rule.Section],
				Strength: strength, Text: rr.Rule.Text, Source: rr.Rule.Source, Quote: rr.Rule.Quote(),
				Result: report.Result(rr.Status), Reason: reason(rr, results),
				Specs: rr.Specs, Failed: rr.Failed,
			})
		}
		out.Providers = append(out.Providers, p)
	}
	return out
}

// reason says in a sentence why a rule got its result.
func reason(rr RuleResult, results []Result) string {
	id := rr.Rule.ID
	first := func(keep func(Result) bool) (Result, bool) {
		for _, x := range results {
			if x.Status != NotRun && slices.Contains(x.Rules, id) && keep(x) {
				return x, true
			}
		}
		return Result{}, false
	}
	switch rr.Status {
	case RulePassed:
		return fmt.Sprintf("proved by %s", plural(rr.Specs, "spec"))
	case RuleFailed, RuleError:
		x, _ := first(func(x Result) bool { return slices.Contains(x.Failed, id) })
		what := "found it broken"
		if rr.Status == RuleError {
			what = "stopped before they could judge it"
		}
		return fmt.Sprintf("%d of %d specs %s; first: %s: %s", rr.Failed, rr.Specs, what, x.Spec, headline(x.Message, id))
	case RuleNoted:
		x, _ := first(func(x Result) bool { return slices.Contains(x.Noted, id) })
		return fmt.Sprintf("a may rule broken (%s), a failure only with Strict", x.Spec)
	case RuleUntested:
		return fmt.Sprintf("%s ran, but what it judges never happened (no StoreLogoffTransports call whose flag could be checked, no status row, say)", plural(rr.Untested, "spec"))
	case RuleSkipped:
		if x, ok := first(func(x Result) bool { return x.Status == Skipped }); ok {
			return "skipped: " + x.Message
		}
		return "skipped: the provider lacks the capabilities its specs need"
	case RuleNotRun:
		return "its specs were filtered out"
	case RuleNotChecked:
		return "planned in RULES.md revision 3; no spec checks it yet"
	case RuleSelfCheck:
		return fmt.Sprintf("%s could only check what the simulated MAPI did (its own teardown steps); a failure would fail it, a pass proves nothing about the provider", plural(rr.SelfChecked, "spec"))
	}
	return ""
}

// headline is what a failure message says was expected and what happened
// for rule id (a message can judge several rules, each in a block that
// starts with its ID); its first line when it says neither.
func headline(msg, id string) string {
	lines := strings.Split(msg, "\n")
	start := 0
	for i, l := range lines {
		if strings.HasPrefix(l, id+" (") {
			start = i
			break
		}
	}
	for i := start; i+1 < len(lines); i++ {
		if strings.HasPrefix(lines[i], "Expected:") && strings.HasPrefix(lines[i+1], "Actual:") {
			return strings.TrimSpace(strings.TrimPrefix(lines[i], "Expected:")) + "; actual: " + strings.TrimSpace(strings.TrimPrefix(lines[i+1], "Actual:"))
		}
	}
	return lines[0]
}
