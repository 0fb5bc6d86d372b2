package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The JUnit format as CI test tabs read it: a testsuite per provider and
// profile, a testcase per spec, and properties that name what to group by.
type (
	junitSuites struct {
		XMLName xml.Name `xml:"testsuites"`
		Name    string   `xml:"name,attr"`
		junitCounts
		Suites []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name string `xml:"name,attr"`
		junitCounts
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	// junitCounts are what a testsuite and the testsuites both count.
	junitCounts struct {
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
	}
	junitCase struct {
		Name       string          `xml:"name,attr"`
		Classname  string          `xml:"classname,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Failure    *junitProblem   `xml:"failure,omitempty"`
		Error      *junitProblem   `xml:"error,omitempty"`
		Skipped    *junitSkipped   `xml:"skipped,omitempty"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr"`
	}
)

// add counts in the counts of c; the time is set apart, from the seconds.
func (a *junitCounts) add(c junitCounts) {
	a.Tests += c.Tests
	a.Failures += c.Failures
	a.Errors += c.Errors
	a.Skipped += c.Skipped
}

// WriteJUnit writes the run as JUnit XML: one testcase per spec, with the
// spec's rule IDs, strengths, section and profile as properties. A spec
// that found a rule broken is a failure; one that stopped before it could
// judge (a hang, a panic, a nil) is an error; a skipped or filtered spec is
// skipped, with the reason.
func (r Run) WriteJUnit(w io.Writer) error {
	all := junitSuites{Name: "mapiconf"}
	var total float64
	for _, p := range r.Providers {
		s := junitSuite{Name: "mapiconf: " + p.Title(), Properties: []junitProperty{
			{"mapiconf.version", r.Version},
			{"mapiconf.rules_revision", r.RulesRevision},
			{"mapiconf.provider", p.Name},
			{"mapiconf.profile", p.Profile},
		}}
		var seconds float64
		for _, sp := range p.Specs {
			c := junitCase{
				Name:      sp.Text,
				Classname: fmt.Sprintf("mapiconf.%s.%s.section-%s", p.Name, p.Profile, sp.Section),
				Time:      fmt.Sprintf("%.6f", sp.Seconds),
			}
			for _, id := range sp.Rules {
				c.Properties = append(c.Properties, junitProperty{"rule", id})
			}
			for _, st := range p.strengths(sp.Rules) {
				c.Properties = append(c.Properties, junitProperty{"strength", st})
			}
			c.Properties = append(c.Properties, junitProperty{"section", sp.Section}, junitProperty{"profile", p.Profile})
			switch sp.Status {
			case "failed":
				pr := &junitProblem{Message: firstLine(sp.Message), Type: strings.Join(sp.Failed, " "), Text: sp.Message}
				if len(sp.Failed) > 0 && len(sp.Unjudged) == len(sp.Failed) {
					c.Error = pr
					s.Errors++
				} else {
					c.Failure = pr
					s.Failures++
				}
			case "skipped":
				c.Skipped = &junitSkipped{Message: firstLine(sp.Message)}
				s.Skipped++
			case "not run":
				c.Skipped = &junitSkipped{Message: "not run: filtered out"}
				s.Skipped++
			}
			seconds += sp.Seconds
			s.Cases = append(s.Cases, c)
		}
		s.Tests = len(s.Cases)
		s.Time = fmt.Sprintf("%.6f", seconds)
		total += seconds
		all.add(s.junitCounts)
		all.Suites = append(all.Suites, s)
	}
	all.Time = fmt.Sprintf("%.6f", total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	e := xml.NewEncoder(w)
	e.Indent("", "  ")
	if err := e.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// strengths returns the strengths of the given rules, each once.
func (p Provider) strengths(ids []string) []string {
	var out []string
	for _, r := range p.Rules {
		if slices.Contains(ids, r.ID) {
			for _, st := range r.Strength {
				if !slices.Contains(out, st) {
					out = append(out, st)
				}
			}
		}
	}
	return out
}
