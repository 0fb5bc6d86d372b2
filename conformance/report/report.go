// Package report renders the outcome of a conformance run for the places a
// provider team already looks: a JUnit file for the CI's test tab, JSON for
// tools, Markdown for a pull-request comment, one self-contained HTML page
// for a person, and an SVG badge for the README.
//
// A Run is plain data: package conformance fills it in (Report.Outcome),
// and this package knows nothing of specs, providers or Ginkgo.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Run is one run of the suite, against one or more providers.
type Run struct {
	Version       string     `json:"mapiconf_version"` // mapiconf's version, e.g. "v0.4.0" or "(devel)"
	RulesRevision string     `json:"rules_revision"`   // the RULES.md it judged by, e.g. "revision 3, sha256 f99314c892cb"
	Providers     []Provider `json:"providers"`        // one per provider and profile
}

// Provider is one provider in one profile: every rule's result and every
// spec's.
type Provider struct {
	Name    string `json:"provider"`
	Profile string `json:"profile"` // "immediate" or "deferred"
	Rules   []Rule `json:"rules"`   // in the order of RULES.md
	Specs   []Spec `json:"specs"`   // in the order they are defined
}

// Rule is one rule of RULES.md and how the provider fared against it.
type Rule struct {
	ID           string   `json:"id"`
	Section      string   `json:"section"` // "A" to "I"
	SectionTitle string   `json:"section_title"`
	Strength     []string `json:"strength"` // "must", "should", "does", "may", "suite"
	Text         string   `json:"text"`     // the rule's sentence
	Source       string   `json:"source"`   // the documentation page(s)
	Quote        string   `json:"quote"`    // the page's own sentence
	Result       Result   `json:"result"`
	Reason       string   `json:"reason"` // why this result, in a sentence
	Specs        int      `json:"specs"`  // specs that ran and judged it
	Failed       int      `json:"failed"` // of which found it broken
}

// Result is how a rule fared.
type Result string

const (
	Pass       Result = "pass"
	Fail       Result = "FAIL"
	Error      Result = "ERROR"           // its failing specs stopped before judging it: a hang, a panic, a nil, an error
	Noted      Result = "noted"           // a "may" rule broken, not strict
	Untested   Result = "untested"        // its specs ran but what they judge never happened
	Skipped    Result = "skipped"         // the provider lacks the capabilities its specs need
	NotRun     Result = "not run"         // its specs were filtered out
	NotChecked Result = "not checked yet" // in RULES.md, but no spec checks it yet
	SelfCheck  Result = "self-check"      // its specs could only check what the simulated MAPI did
)

// Results lists every Result in the order reports count them.
var Results = []Result{Pass, Fail, Error, Noted, Untested, SelfCheck, Skipped, NotRun, NotChecked}

// Spec is one spec's outcome.
type Spec struct {
	Section  string   `json:"section"`
	Text     string   `json:"spec"`
	Rules    []string `json:"rules"`  // the rules it judges
	Status   string   `json:"status"` // "passed", "failed", "skipped" or "not run"
	Failed   []string `json:"failed,omitempty"`
	Unjudged []string `json:"unjudged,omitempty"` // failed rules it stopped before judging
	Noted    []string `json:"noted,omitempty"`
	Untested []string `json:"untested,omitempty"`
	Message  string   `json:"message,omitempty"` // the failure, with the call sequence; or why it was skipped
	Seconds  float64  `json:"seconds,omitempty"`
}

// Title names the provider and profile as every report does.
func (p Provider) Title() string { return fmt.Sprintf("%s (%s profile)", p.Name, p.Profile) }

// Count counts the provider's rules by result.
func (p Provider) Count() map[Result]int {
	n := map[Result]int{}
	for _, r := range p.Rules {
		n[r.Result]++
	}
	return n
}

// Score is what the badge shows: the rules passed, of the rules the run
// judged (every rule but those filtered out, those no spec checks yet,
// those only the suite's self-checks could look at, and those the
// provider's capabilities or profile leave out).
func (p Provider) Score() (passed, of int) {
	for _, r := range p.Rules {
		switch r.Result {
		case NotRun, NotChecked, SelfCheck, Skipped:
		case Pass:
			passed++
			of++
		default:
			of++
		}
	}
	return passed, of
}

// Is reports whether the rule has the given strength.
func (r Rule) Is(strength string) bool { return slices.Contains(r.Strength, strength) }

// Gate is what decides a CI job: which rules fail it.
type Gate struct {
	// ShouldFails makes a broken "should" rule fail the gate, as it fails
	// go test. Without it, a rule that is only "should" fails no gate and
	// is listed as a warning.
	ShouldFails bool

	// Rules, if set, are the only rules the gate judges: the rules a run
	// was asked about (mapiconf test -rules). Their specs judge other
	// rules on the way; those show in the reports but gate nothing.
	Rules []string
}

// Failures returns one line for each rule that fails the gate (FAIL or
// ERROR, and not a "should" rule the gate lets pass) and for each spec that
// failed naming no rule. A run passes the gate when there are none.
func (g Gate) Failures(r Run) []string {
	var out []string
	for _, p := range r.Providers {
		for _, rule := range p.Rules {
			if (rule.Result == Fail || rule.Result == Error) && g.asked(rule) && g.fails(rule) {
				out = append(out, fmt.Sprintf("%s: %s (%s) %s: %s", p.Title(), rule.ID, strings.Join(rule.Strength, " / "), rule.Result, rule.Reason))
			}
		}
		for _, s := range p.Specs {
			if s.Status == "failed" && len(s.Failed) == 0 {
				out = append(out, fmt.Sprintf("%s: %q failed naming no rule: %s", p.Title(), s.Text, firstLine(s.Message)))
			}
		}
	}
	return out
}

// Warnings returns one line for each broken rule that the gate lets pass.
func (g Gate) Warnings(r Run) []string {
	var out []string
	for _, p := range r.Providers {
		for _, rule := range p.Rules {
			if (rule.Result == Fail || rule.Result == Error) && (!g.asked(rule) || !g.fails(rule)) {
				out = append(out, fmt.Sprintf("%s: %s (%s) %s: %s", p.Title(), rule.ID, strings.Join(rule.Strength, " / "), rule.Result, rule.Reason))
			}
		}
	}
	return out
}

// asked reports whether the gate judges the rule.
func (g Gate) asked(r Rule) bool { return len(g.Rules) == 0 || slices.Contains(g.Rules, r.ID) }

// fails reports whether a broken rule fails the gate: every strength but a
// lone "should" does ("may" rules fail only in strict mode, and then they
// are FAIL).
func (g Gate) fails(r Rule) bool {
	return g.ShouldFails || slices.ContainsFunc(r.Strength, func(s string) bool { return s != "should" })
}

// Format is one kind of report, named by its file's extension.
type Format struct {
	Name  string // as the command line names it
	Ext   string
	Write func(Run, io.Writer) error
}

// Formats lists every report this package writes.
var Formats = []Format{
	{"junit", ".xml", Run.WriteJUnit},
	{"json", ".json", Run.WriteJSON},
	{"markdown", ".md", Run.WriteMarkdown},
	{"html", ".html", Run.WriteHTML},
	{"badge", ".svg", Run.WriteBadge},
}

// FormatByName returns the format called name.
func FormatByName(name string) (Format, bool) {
	for _, f := range Formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// WriteDir writes the run in the given formats (all of them when none are
// named) into dir, creating it, as mapiconf.xml, mapiconf.json, and so on.
// It returns the files written.
func (r Run) WriteDir(dir string, formats ...string) ([]string, error) {
	if len(formats) == 0 {
		for _, f := range Formats {
			formats = append(formats, f.Name)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, name := range formats {
		f, ok := FormatByName(name)
		if !ok {
			return files, fmt.Errorf("unknown report format %q (want one of %s)", name, FormatNames())
		}
		path := filepath.Join(dir, "mapiconf"+f.Ext)
		if err := r.WriteFile(path, f); err != nil {
			return files, err
		}
		files = append(files, path)
	}
	return files, nil
}

// WriteFile writes the run in format f to the named file.
func (r Run) WriteFile(path string, f Format) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := f.Write(r, out); err != nil {
		out.Close()
		return fmt.Errorf("writing the %s report to %s: %w", f.Name, path, err)
	}
	return out.Close()
}

// FormatNames lists the formats' names, comma separated.
func FormatNames() string {
	var names []string
	for _, f := range Formats {
		names = append(names, f.Name)
	}
	return strings.Join(names, ",")
}

// WriteJSON writes the run as indented JSON.
func (r Run) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(r)
}

// ReadJSON reads a run that WriteJSON wrote.
func ReadJSON(rd io.Reader) (Run, error) {
	var r Run
	err := json.NewDecoder(rd).Decode(&r)
	return r, err
}

// CountsLine is the counts every report puts first: "35 rules: 27 pass,
// 4 FAIL, ..." (results that no rule has are left out, but pass and FAIL).
func (p Provider) CountsLine() string {
	n := p.Count()
	parts := []string{}
	for _, res := range Results {
		if n[res] > 0 || res == Pass || res == Fail {
			parts = append(parts, fmt.Sprintf("%d %s", n[res], res))
		}
	}
	return fmt.Sprintf("%d rules: %s", len(p.Rules), strings.Join(parts, ", "))
}

// SpecsLine counts the specs: "92 specs: 74 passed, 18 failed, ...".
func (p Provider) SpecsLine() string {
	n := map[string]int{}
	for _, s := range p.Specs {
		n[s.Status]++
	}
	return fmt.Sprintf("%d specs: %d passed, %d failed, %d skipped, %d not run", len(p.Specs), n["passed"], n["failed"], n["skipped"], n["not run"])
}

// Failing returns the specs that found the rule broken.
func (p Provider) Failing(id string) []Spec {
	var out []Spec
	for _, s := range p.Specs {
		if slices.Contains(s.Failed, id) {
			out = append(out, s)
		}
	}
	return out
}

// Broken returns the rules found broken (FAIL or ERROR), in order.
func (p Provider) Broken() []Rule {
	var out []Rule
	for _, r := range p.Rules {
		if r.Result == Fail || r.Result == Error {
			out = append(out, r)
		}
	}
	return out
}

// Sections returns the provider's rules grouped by section, in order.
func (p Provider) Sections() [][]Rule {
	var out [][]Rule
	for _, r := range p.Rules {
		if len(out) == 0 || out[len(out)-1][0].Section != r.Section {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], r)
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
