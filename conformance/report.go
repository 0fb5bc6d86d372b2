package conformance

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/mapiconf/mapiconf/conformance/report"
)

// Report is the outcome of a conformance run: every spec's Result.
type Report struct {
	Results []Result `json:"results"`
}

// Summarize collects the Results of a Ginkgo run of the suite. Use it in a
// ReportAfterSuite next to Describe.
func Summarize(r ginkgo.Report) Report {
	var rep Report
	for _, sr := range r.SpecReports {
		if sr.LeafNodeType != types.NodeTypeIt {
			continue
		}
		found := false
		for _, e := range sr.ReportEntries {
			if e.Name != reportEntry {
				continue
			}
			var res Result
			if err := json.Unmarshal([]byte(e.StringRepresentation()), &res); err == nil {
				found = true
				res.Duration = sr.RunTime
				rep.Results = append(rep.Results, res)
			}
		}
		if found || len(sr.ContainerHierarchyTexts) == 0 || !slices.Contains(sr.ContainerHierarchyLabels[0], "mapiconf") {
			continue
		}
		// A spec with no Result entry passed plainly, or Ginkgo ended it
		// before it could record one (its SpecTimeout, an interrupt).
		res := Result{Spec: sr.LeafNodeText, Status: Passed, Duration: sr.RunTime}
		if m := containerTitle.FindStringSubmatch(sr.ContainerHierarchyTexts[0]); m != nil {
			res.Provider, res.Profile = m[1], Profile(m[2])
		}
		if len(sr.ContainerHierarchyTexts) > 1 {
			res.Section = strings.SplitN(sr.ContainerHierarchyTexts[1], ".", 2)[0]
		}
		for _, l := range sr.Labels() {
			if _, ok := RuleByID(l); ok {
				res.Rules = append(res.Rules, l)
			}
		}
		switch {
		case sr.State.Is(types.SpecStateFailureStates):
			// Ginkgo ended it (its SpecTimeout, an interrupt): nothing
			// was judged.
			res.Status, res.Failed, res.Unjudged, res.Message = Failed, res.Rules, res.Rules, sr.Failure.Message
		case sr.State == types.SpecStateSkipped:
			// A capability skip has its Result; this one never ran.
			res.Status = NotRun
		}
		rep.Results = append(rep.Results, res)
	}
	return rep
}

// containerTitle reads back what Describe writes as the container's text.
var containerTitle = regexp.MustCompile(`^mapiconf: (.*) \((immediate|deferred) profile\)$`)

// RuleStatus is how one rule fared against one provider.
type RuleStatus string

const (
	RulePassed   RuleStatus = "pass"
	RuleFailed   RuleStatus = "FAIL"
	RuleError    RuleStatus = "ERROR"    // its specs stopped before judging it: a hang, a panic, a nil, an error, a capability that failed
	RuleNoted    RuleStatus = "noted"    // a "may" rule broken, without Strict
	RuleUntested RuleStatus = "untested" // every spec passed only because what it judges never happened
	// RuleSelfCheck: its specs judged only what the simulated MAPI did;
	// the suite checked itself, not the provider.
	RuleSelfCheck RuleStatus = "self-check"
	RuleSkipped   RuleStatus = "skipped" // the provider lacks the capabilities its specs need
	RuleNotRun    RuleStatus = "not run" // filtered out
	// RuleNotChecked is a rule of RULES.md that no spec checks yet: never
	// a pass.
	RuleNotChecked RuleStatus = "not checked yet"
)

// RuleResult sums up one rule for one provider and profile.
type RuleResult struct {
	Rule        Rule
	Status      RuleStatus
	Specs       int // specs that ran and judged it: proved it, found it broken, or noted it
	Failed      int // of which found it broken
	Untested    int // specs that ran and proved nothing about it
	SelfChecked int // specs that ran and only self-checked it
}

// key is a provider in a profile.
type key struct {
	provider string
	profile  Profile
}

// String is how reports and Describe's container name the pair.
func (k key) String() string { return fmt.Sprintf("%s (%s profile)", k.provider, k.profile) }

// ByRule sums the results up rule by rule, for each provider and profile,
// in the order of their names, the immediate profile first.
func (r Report) ByRule() (keys []string, rules map[string][]RuleResult) {
	var order []key
	res := map[key][]Result{}
	for _, x := range r.Results {
		k := key{x.Provider, x.Profile}
		if _, ok := res[k]; !ok {
			order = append(order, k)
		}
		res[k] = append(res[k], x)
	}
	// Ginkgo shuffles top-level containers, so the order the results came
	// in says nothing: sort by provider, the immediate profile first.
	slices.SortStableFunc(order, func(a, b key) int {
		if c := strings.Compare(a.provider, b.provider); c != 0 {
			return c
		}
		return strings.Compare(string(b.profile), string(a.profile)) // "immediate" > "deferred"
	})
	rules = map[string][]RuleResult{}
	for _, k := range order {
		name := k.String()
		keys = append(keys, name)
		for _, rule := range Rules {
			rr := RuleResult{Rule: rule, Status: RuleNotRun}
			skipped, unjudged, explored := 0, 0, 0
			for _, x := range res[k] {
				if !slices.Contains(x.Rules, rule.ID) || x.Status == NotRun {
					continue
				}
				if x.Status == Skipped {
					skipped++
					continue
				}
				if slices.Contains(x.Untested, rule.ID) {
					rr.Untested++
					if x.Explore {
						explored++
					}
					continue
				}
				if slices.Contains(x.SelfChecked, rule.ID) {
					rr.SelfChecked++
					continue
				}
				rr.Specs++
				switch {
				case slices.Contains(x.Failed, rule.ID):
					rr.Failed++
					if slices.Contains(x.Unjudged, rule.ID) {
						unjudged++
					}
				case slices.Contains(x.Noted, rule.ID):
					rr.Status = RuleNoted
				}
			}
			switch {
			case rule.Planned():
				rr.Status = RuleNotChecked
			case rr.Failed > 0 && unjudged == rr.Failed:
				rr.Status = RuleError
			case rr.Failed > 0:
				rr.Status = RuleFailed
			case rr.Status == RuleNoted:
			case rr.Specs > 0:
				rr.Status = RulePassed
			case rr.SelfChecked > 0:
				rr.Status = RuleSelfCheck
			case rr.Untested > explored:
				rr.Status = RuleUntested
			case skipped > 0:
				rr.Status = RuleSkipped
			case explored > 0:
				rr.Status = RuleUntested
			}
			rules[name] = append(rules[name], rr)
		}
	}
	return keys, rules
}

// String prints the report as a table per provider: each rule, its
// strength, how it fared and in how many specs.
func (r Report) String() string {
	var b strings.Builder
	keys, rules := r.ByRule()
	for _, k := range keys {
		counts := map[RuleStatus]int{}
		specs, total, ruleless := map[Status]int{}, 0, 0
		for _, x := range r.Results {
			if (key{x.Provider, x.Profile}).String() == k {
				specs[x.Status]++
				total++
				if x.Status == Failed && len(x.Failed) == 0 {
					ruleless++
				}
			}
		}
		fmt.Fprintf(&b, "mapiconf report: %s\n", k)
		fmt.Fprintf(&b, "  %-8s %-15s %-15s %s\n", "rule", "strength", "result", "specs")
		for _, rr := range rules[k] {
			counts[rr.Status]++
			detail := fmt.Sprintf("%d", rr.Specs)
			switch {
			case rr.Failed > 0:
				detail = fmt.Sprintf("%d of %d failed", rr.Failed, rr.Specs)
			case rr.Status == RuleUntested:
				detail = fmt.Sprintf("%d", rr.Untested)
			case rr.Status == RuleSelfCheck:
				detail = fmt.Sprintf("%d", rr.SelfChecked)
			}
			if rr.Status == RuleNotChecked {
				detail = "-"
			}
			fmt.Fprintf(&b, "  %-8s %-15s %-15s %s\n", rr.Rule.ID, rr.Rule.StrengthText(), rr.Status, detail)
		}
		fmt.Fprintf(&b, "  %d rules: %d pass, %d FAIL, %d ERROR, %d noted, %d untested, %d self-check, %d skipped, %d not run, %d not checked yet\n",
			len(rules[k]), counts[RulePassed], counts[RuleFailed], counts[RuleError], counts[RuleNoted], counts[RuleUntested], counts[RuleSelfCheck], counts[RuleSkipped], counts[RuleNotRun], counts[RuleNotChecked])
		fmt.Fprintf(&b, "  %d specs: %d passed, %d failed, %d skipped, %d not run\n",
			total, specs[Passed], specs[Failed], specs[Skipped], specs[NotRun])
		if ruleless > 0 {
			fmt.Fprintf(&b, "  %s failed naming no rule: the exploration stopped (see its failure).\n", plural(ruleless, "spec"))
		}
		if counts[RuleError] > 0 {
			b.WriteString("  ERROR: its specs stopped before they could judge it: the provider hung,\n" +
				"  panicked, or returned nil or an error where it must not, or a declared\n" +
				"  capability failed (the failures name the call); it counts as a failure.\n")
		}
		if counts[RuleUntested] > 0 {
			b.WriteString("  untested: its specs passed only because what they judge never happened (no\n" +
				"  StoreLogoffTransports call whose flag could be checked, no status row, say);\n" +
				"  where another rule failed, its failure says why.\n")
		}
		if counts[RuleSelfCheck] > 0 {
			b.WriteString("  self-check: its specs could only check what the simulated MAPI did (its\n" +
				"  own teardown steps and their order); a failure would still fail the rule,\n" +
				"  a pass says nothing about the provider.\n")
		}
		if counts[RuleNotChecked] > 0 {
			b.WriteString("  not checked yet: a rule of RULES.md (section I, revision 3) that no spec\n" +
				"  checks yet; it is neither a pass nor a failure.\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// WriteJSON writes the report to the named file as JSON: its Outcome, with
// every rule's result and reason and every spec's.
func (r Report) WriteJSON(path string) error {
	f, _ := report.FormatByName("json")
	return r.Outcome().WriteFile(path, f)
}

// WriteFromEnv writes the reports the environment asks for: the JSON
// report to the file MAPICONF_REPORT names, every report into the
// directory MAPICONF_REPORT_DIR names.
func (r Report) WriteFromEnv() error {
	if path := os.Getenv("MAPICONF_REPORT"); path != "" {
		if err := r.WriteJSON(path); err != nil {
			return fmt.Errorf("MAPICONF_REPORT: %w", err)
		}
	}
	if dir := os.Getenv("MAPICONF_REPORT_DIR"); dir != "" {
		if _, err := r.Outcome().WriteDir(dir); err != nil {
			return fmt.Errorf("MAPICONF_REPORT_DIR: %w", err)
		}
	}
	return nil
}
