package conformance

import (
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mapiconf/mapiconf/internal/generated"
)

var update = flag.Bool("update", false, "rewrite docs/rules.md")

// rulesMD is the requirements document, beside the checkout as CI lays it out.
const rulesMD = "../../shared/spec/RULES.md"

// The rule table is RULES.md, transcribed: same IDs in the same order, same
// strengths, same sentences (without Markdown's backquotes).
func TestRulesMatchRequirements(t *testing.T) {
	doc, err := os.ReadFile(rulesMD)
	if err != nil {
		t.Skipf("the requirements document is not beside the checkout (%v); CI has it", err)
	}
	row := regexp.MustCompile(`^\| ([A-Z]+-\d+) \| (.*?) \| (.*?) \|`)
	var ids []string
	for _, line := range strings.Split(string(doc), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		id, text, strength := m[1], strings.ReplaceAll(m[2], "`", ""), m[3]
		ids = append(ids, id)
		r, ok := RuleByID(id)
		if !ok {
			t.Errorf("RULES.md has %s, the rule table does not", id)
			continue
		}
		if r.Text != text {
			t.Errorf("%s: the rule table says\n  %q\nRULES.md says\n  %q", id, r.Text, text)
		}
		for _, st := range r.Strength {
			if !strings.Contains(strength, string(st)) {
				t.Errorf("%s: strength %q is not in RULES.md's %q", id, st, strength)
			}
		}
	}
	var transcribed []Rule
	for _, r := range Rules {
		if r.Added() {
			if r.Note() == "" {
				t.Errorf("%s is not in RULES.md, and no amendment says why the suite adds it", r.ID)
			}
			continue
		}
		transcribed = append(transcribed, r)
	}
	if len(ids) != len(transcribed) {
		t.Errorf("RULES.md has %d rules, the rule table %d (and %d added)", len(ids), len(transcribed), len(Rules)-len(transcribed))
	}
	for i := range min(len(ids), len(transcribed)) {
		if ids[i] != transcribed[i].ID {
			t.Errorf("rule %d: RULES.md has %s, the rule table %s", i+1, ids[i], transcribed[i].ID)
			break
		}
	}
}

// Every rule has a spec, every spec names only known rules, and the
// catalogue in docs/ is what the spec table says.
func TestCatalogue(t *testing.T) {
	checked := map[string]int{}
	texts := map[string]bool{}
	for _, sp := range allSpecs() {
		if texts[sp.section+sp.text] {
			t.Errorf("two specs are called %q", sp.text)
		}
		texts[sp.section+sp.text] = true
		for _, id := range sp.rules {
			r, ok := RuleByID(id)
			if !ok {
				t.Errorf("spec %q names unknown rule %s", sp.text, id)
			}
			// Section H (robustness) judges other sections' rules under
			// concurrency and after the fact.
			if id == sp.rules[0] && r.Section != sp.section && sp.section != "H" {
				t.Errorf("spec %q of section %s is filed under %s of section %s", sp.text, sp.section, id, r.Section)
			}
			checked[id]++
		}
	}
	for _, r := range Rules {
		switch {
		case checked[r.ID] == 0 && !r.Planned():
			t.Errorf("no spec checks %s", r.ID)
		case checked[r.ID] > 0 && r.Planned():
			t.Errorf("%s is checked by %d spec(s) but still listed as planned", r.ID, checked[r.ID])
		}
		if r.Quote() == "" {
			t.Errorf("%s has no documentation sentence", r.ID)
		}
	}
	generated.Check(t, "../docs/rules.md", []byte(Catalogue()), *update, "go test ./conformance -run TestCatalogue -update")
}

func TestLabels(t *testing.T) {
	for _, sp := range allSpecs() {
		for _, l := range sp.labels() {
			if strings.ContainsAny(l, "&|!,()/ :") {
				t.Errorf("spec %q: label %q is not a valid Ginkgo label", sp.text, l)
			}
		}
	}
}

func TestInRuleOrder(t *testing.T) {
	got := InRuleOrder([]string{"SS-02", "STLT-01", "no-such-rule", "STLT-01"})
	if want := []string{"STLT-01", "SS-02"}; !slices.Equal(got, want) {
		t.Errorf("InRuleOrder: %v, want %v", got, want)
	}
}
