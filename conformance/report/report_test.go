package report_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/conformance/report"
	"github.com/mapiconf/mapiconf/reference"
)

// A checked is one Check of one provider in one profile, made once for
// the package's tests: with the race detector a Check takes seconds, and
// the tests render the same few runs in every format. They only read what
// it returns (the reports' writers take the run by value and build their
// own slices), and run in parallel, so that the race detector would see a
// test that wrote to a run another reads.
type checked struct {
	once sync.Once
	run  report.Run
	res  []conformance.Result
	err  error
}

var checks sync.Map // "provider/profile" → *checked

// outcome runs the suite's specs (Check: no Ginkgo, no exploration)
// against the provider called name in profile p, once for the package:
// "reference" is the reference provider with a status row, any other name
// the kill matrix's provider of that name. It returns what the reports
// render, and the results.
func outcome(t *testing.T, name string, p conformance.Profile) (report.Run, []conformance.Result) {
	t.Helper()
	cfg := reference.Config(reference.Options{StatusRow: true, Deferred: p == conformance.Deferred})
	if name != "reference" {
		cfg = knownBad(t, name).Config(p)
	}
	v, _ := checks.LoadOrStore(name+"/"+string(p), new(checked))
	c := v.(*checked)
	c.once.Do(func() {
		c.res, c.err = conformance.Check(context.Background(), cfg)
		c.run = conformance.Report{Results: c.res}.Outcome()
	})
	if c.err != nil {
		t.Fatalf("Check of %s (%s profile): %v", name, p, c.err)
	}
	return c.run, c.res
}

// knownBad returns the kill matrix's provider called name.
func knownBad(t *testing.T, name string) reference.Bad {
	t.Helper()
	for _, b := range reference.KnownBad() {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("no known-bad provider %q", name)
	return reference.Bad{}
}

func render(t *testing.T, r report.Run, write func(report.Run, *bytes.Buffer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(r, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The JSON report carries what a CI needs to keep: which mapiconf and which
// RULES.md judged, the provider and profile, and each rule's result with
// the reason; and it reads back as written.
func TestJSON(t *testing.T) {
	t.Parallel()
	bad := knownBad(t, "no-stlt")
	run, _ := outcome(t, bad.Name, conformance.Immediate)
	text := render(t, run, func(r report.Run, b *bytes.Buffer) error { return r.WriteJSON(b) })
	back, err := report.ReadJSON(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, run) {
		t.Error("the JSON report does not read back as it was written")
	}
	for _, want := range []string{`"mapiconf_version": "` + conformance.Version() + `"`, `"rules_revision": "` + conformance.RulesRevision + `"`,
		`"provider": "no-stlt"`, `"profile": "immediate"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the JSON report does not say %s", want)
		}
	}
	if !strings.HasPrefix(conformance.RulesRevision, "revision ") {
		t.Errorf("RulesRevision = %q, want it to start with the revision number", conformance.RulesRevision)
	}
	p := back.Providers[0]
	var failed []string
	for _, r := range p.Rules {
		if r.Reason == "" {
			t.Errorf("%s (%s) has no reason", r.ID, r.Result)
		}
		switch r.Result {
		case report.Fail:
			failed = append(failed, r.ID)
			if !strings.Contains(r.Reason, "specs found it broken") || r.Failed == 0 {
				t.Errorf("%s: reason %q, %d failed", r.ID, r.Reason, r.Failed)
			}
		case report.NotChecked:
			if r.Section != "I" {
				t.Errorf("%s of section %s is not checked yet", r.ID, r.Section)
			}
		}
	}
	if want := bad.Declares[conformance.Immediate]; !slices.Equal(failed, want) {
		t.Errorf("the JSON report fails %v, want %v", failed, want)
	}
}

// The JUnit report has one testcase per spec, properties to group by
// (rule IDs, strength, profile, section), and a failure per failing spec
// naming its rules.
func TestJUnit(t *testing.T) {
	t.Parallel()
	bad := knownBad(t, "no-stlt")
	run, res := outcome(t, bad.Name, conformance.Deferred)
	text := render(t, run, func(r report.Run, b *bytes.Buffer) error { return r.WriteJUnit(b) })
	var j struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name  string `xml:"name,attr"`
				Props []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value,attr"`
				} `xml:"properties>property"`
				Failure *struct {
					Type string `xml:"type,attr"`
					Text string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(text), &j); err != nil {
		t.Fatalf("the JUnit report is not XML: %v\n%s", err, text)
	}
	if len(j.Suites) != 1 || len(j.Suites[0].Cases) != len(res) || j.Tests != len(res) {
		t.Fatalf("the JUnit report has %d suites, tests=%d; want 1 suite with %d testcases", len(j.Suites), j.Tests, len(res))
	}
	failures := 0
	for i, c := range j.Suites[0].Cases {
		r := res[i]
		if c.Name != r.Spec {
			t.Errorf("testcase %d is %q, want %q", i, c.Name, r.Spec)
		}
		props := map[string][]string{}
		for _, p := range c.Props {
			props[p.Name] = append(props[p.Name], p.Value)
		}
		if !slices.Equal(props["rule"], r.Rules) || len(props["strength"]) == 0 || !slices.Equal(props["profile"], []string{"deferred"}) || !slices.Equal(props["section"], []string{r.Section}) {
			t.Errorf("testcase %q has properties %v; want rules %v, a strength, profile deferred, section %s", c.Name, props, r.Rules, r.Section)
		}
		if (c.Failure != nil) != (r.Status == conformance.Failed) {
			t.Errorf("testcase %q: failure %v, but the spec %s", c.Name, c.Failure != nil, r.Status)
		}
		if c.Failure != nil {
			failures++
			if c.Failure.Type != strings.Join(r.Failed, " ") || !strings.Contains(c.Failure.Text, "Call sequence") {
				t.Errorf("testcase %q: failure type %q (want %q), text:\n%s", c.Name, c.Failure.Type, r.Failed, c.Failure.Text)
			}
		}
	}
	if failures == 0 || j.Failures != failures {
		t.Errorf("the JUnit report counts %d failures, has %d; want more than none", j.Failures, failures)
	}
}

// The Markdown summary leads with the verdict and counts, lists every rule
// that did not pass, and folds each failure with the page's sentence.
func TestMarkdown(t *testing.T) {
	t.Parallel()
	bad := knownBad(t, "no-stlt")
	run, _ := outcome(t, bad.Name, conformance.Immediate)
	md := render(t, run, func(r report.Run, b *bytes.Buffer) error { return r.WriteMarkdown(b) })
	declared := bad.Declares[conformance.Immediate]
	passed, of := run.Providers[0].Score()
	for _, want := range []string{
		fmt.Sprintf("## mapiconf: no-stlt (immediate profile): ❌ %d rule(s) broken", len(declared)),
		fmt.Sprintf("**%d/%d rules pass.**", passed, of),
		"| SP-01 | does | **FAIL** |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the summary does not say %q:\n%s", want, md)
		}
	}
	for _, id := range declared {
		r, _ := conformance.RuleByID(id)
		if !strings.Contains(md, "| "+id+" | "+strings.ReplaceAll(r.StrengthText(), " / ", " / ")+" | **FAIL** |") || !strings.Contains(md, "<summary><b>"+id+"</b>") || !strings.Contains(md, "> "+r.Quote()) {
			t.Errorf("the summary does not show %s's failure with its quote:\n%s", id, md)
		}
	}
	good, _ := outcome(t, "reference", conformance.Immediate)
	md = render(t, good, func(r report.Run, b *bytes.Buffer) error { return r.WriteMarkdown(b) })
	if !strings.Contains(md, "✅") || strings.Contains(md, "FAIL**") {
		t.Errorf("the reference provider's summary:\n%s", md)
	}
}

// The badge says the profile and the rules passed of those judged, and is
// red when a rule is broken.
func TestBadge(t *testing.T) {
	t.Parallel()
	good, _ := outcome(t, "reference", conformance.Deferred)
	judged := 0
	for _, r := range good.Providers[0].Rules {
		if r.Result != report.NotChecked && r.Result != report.SelfCheck && r.Result != report.Skipped {
			judged++
		}
	}
	svg := render(t, good, func(r report.Run, b *bytes.Buffer) error { return r.WriteBadge(b) })
	if want := fmt.Sprintf("mapiconf: deferred %d/%d", judged, judged); !strings.Contains(svg, want) || !strings.Contains(svg, "#2e7d32") {
		t.Errorf("the reference provider's badge does not say %q in green:\n%s", want, svg)
	}
	bad, _ := outcome(t, "no-stlt", conformance.Deferred)
	svg = render(t, bad, func(r report.Run, b *bytes.Buffer) error { return r.WriteBadge(b) })
	passed, of := bad.Providers[0].Score()
	if want := fmt.Sprintf("deferred %d/%d", passed, of); passed >= of || !strings.Contains(svg, want) || !strings.Contains(svg, "#c62828") {
		t.Errorf("no-stlt's badge does not say %q in red:\n%s", want, svg)
	}
	var doc struct{ XMLName xml.Name }
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil || doc.XMLName.Local != "svg" {
		t.Errorf("the badge is not an SVG document: %v", err)
	}
}

// The gate fails on every broken must, does and suite rule, and on a broken
// should rule only when asked to.
func TestGate(t *testing.T) {
	t.Parallel()
	bad := knownBad(t, "no-stlt")
	run, _ := outcome(t, bad.Name, conformance.Immediate)
	want := 0
	for _, id := range bad.Declares[conformance.Immediate] {
		if r, _ := conformance.RuleByID(id); !(len(r.Strength) == 1 && r.Is(conformance.Should)) {
			want++ // a broken should rule is a warning
		}
	}
	if got := len(report.Gate{}.Failures(run)); got != want {
		t.Errorf("the gate fails %d rules of no-stlt, want %d: %v", got, want, report.Gate{}.Failures(run))
	}
	// Some of what it breaks are should rules (STLT-07), the others
	// (RL-01, ...) must and does rules: the gate warns of the first, fails
	// the others.
	should := knownBad(t, "gives-up-on-no-support")
	declared := should.Declares[conformance.Immediate]
	warn := 0
	for _, id := range declared {
		if r, _ := conformance.RuleByID(id); len(r.Strength) == 1 && r.Is(conformance.Should) {
			warn++
		}
	}
	run, _ = outcome(t, should.Name, conformance.Immediate)
	if f, w := (report.Gate{}).Failures(run), (report.Gate{}).Warnings(run); warn == 0 || len(f) != len(declared)-warn || len(w) != warn || !strings.Contains(strings.Join(f, "\n"), "RL-01 (does) FAIL") {
		t.Errorf("a broken should rule: gate failures %q, warnings %q; want %d failures, RL-01 among them, and %d warnings", f, w, len(declared)-warn, warn)
	}
	if f := (report.Gate{ShouldFails: true}).Failures(run); len(f) != len(declared) {
		t.Errorf("with ShouldFails a broken should rule fails the gate: %q", f)
	}
	good, _ := outcome(t, "reference", conformance.Immediate)
	if f := (report.Gate{ShouldFails: true}).Failures(good); len(f) != 0 {
		t.Errorf("the reference provider fails the gate: %q", f)
	}
}

// The HTML page holds the counts, every rule by section, and each broken
// rule's failure expanded with the offending calls marked. (browser_test.go
// checks it in a real browser.)
func TestHTML(t *testing.T) {
	t.Parallel()
	bad := knownBad(t, "no-stlt")
	run, _ := outcome(t, bad.Name, conformance.Immediate)
	page := render(t, run, func(r report.Run, b *bytes.Buffer) error { return r.WriteHTML(b) })
	for _, want := range []string{
		"<!DOCTYPE html>", fmt.Sprintf(`<li class="fail" data-result="FAIL"><b>%d</b>FAIL</li>`, len(bad.Declares[conformance.Immediate])),
		"<h3>B. StoreLogoffTransports</h3>", `<details class="failure" open id="p0-STLT-01-failure"`,
		`<span class="offending">`, "must be called once during the shutdown process.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not have %q", want)
		}
	}
	// stlt-twice's failures mark the second StoreLogoffTransports, and the
	// line that explains the marks is no offending call.
	twice, _ := outcome(t, "stlt-twice", conformance.Immediate)
	tp := render(t, twice, func(r report.Run, b *bytes.Buffer) error { return r.WriteHTML(b) })
	marked := regexp.MustCompile(`<span class="offending">([^<]*)</span>`).FindAllStringSubmatch(tp, -1)
	if len(marked) == 0 {
		t.Error("stlt-twice's page marks no offending call")
	}
	for _, m := range marked {
		if !strings.Contains(m[1], "StoreLogoffTransports(") {
			t.Errorf("stlt-twice's page marks %q as an offending call", m[1])
		}
	}
	for _, forbidden := range []string{"<script", "http://", "https://", "src=", "@import", "url("} {
		if strings.Contains(page, forbidden) {
			t.Errorf("the page has %q: it must be self-contained", forbidden)
		}
	}
	if n := strings.Count(page, `<tr class="rule `); n != len(conformance.Rules) {
		t.Errorf("the page has %d rule rows, want %d", n, len(conformance.Rules))
	}
}
