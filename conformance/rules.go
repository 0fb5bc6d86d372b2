package conformance

import "github.com/mapiconf/mapiconf/conformance/internal/rule"

// The rule catalogue lives in package rule, which the judges and the
// reports share; these names are its public face.
type (
	// Rule is one rule of the requirements document, RULES.md.
	Rule = rule.Rule
	// Strength is how firmly the documentation states a rule.
	Strength = rule.Strength
)

const (
	Must   = rule.Must
	Should = rule.Should
	Does   = rule.Does
	May    = rule.May
	Suite  = rule.Suite
)

// Rules lists every rule of RULES.md in its order.
var Rules = rule.All

// Sections names each section of RULES.md, for labels and reports.
var Sections = rule.Sections

// RuleByID returns the rule with the given ID.
func RuleByID(id string) (Rule, bool) { return rule.ByID(id) }

// InRuleOrder returns the rule IDs among ids in the order of RULES.md, each
// once; IDs of no rule are left out. Verdicts compare as lists in this
// order.
func InRuleOrder(ids []string) []string { return rule.InOrder(ids) }

// sectionLabel is the section's Ginkgo label, e.g. "section-B".
func sectionLabel(letter string) string { return "section-" + letter }
