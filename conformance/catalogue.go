package conformance

//go:generate go test -run TestCatalogue|TestRulesRevision -update .

import (
	"fmt"
	"strings"
)

// Catalogue renders docs/rules.md: every rule with its strength, sentence
// and source, and the specs that check it, generated from the spec table.
func Catalogue() string {
	specs := allSpecs()
	var b strings.Builder
	b.WriteString("# Rule catalogue\n\n")
	b.WriteString("Generated from the spec table by `go test ./conformance -run TestCatalogue -update`; do not edit.\n")
	b.WriteString("The rules are those of the requirements document, `shared/spec/RULES.md`; each spec carries its rule IDs, its section and its strength as Ginkgo labels, so `-ginkgo.label-filter='STLT-04'` or `-ginkgo.label-filter=must` selects them.\n")
	b.WriteString("Every spec runs in both profiles; a spec whose judgement differs by profile says so in the rule.\n")
	for _, sec := range sectionOrder {
		fmt.Fprintf(&b, "\n## %s. %s\n", sec, Sections[sec])
		for _, r := range Rules {
			if r.Section != sec {
				continue
			}
			fmt.Fprintf(&b, "\n### %s (%s)\n\n%s\n\nSource: %s\n\n> %s\n\n", r.ID, r.StrengthText(), r.Text, r.Source, r.Quote())
			if a := r.Note(); a != "" {
				fmt.Fprintf(&b, "Note: %s\n\n", a)
			}
			var needs []string
			for _, sp := range specs {
				for _, id := range sp.rules {
					if id != r.ID {
						continue
					}
					line := "- " + sp.text
					if len(sp.needs) > 0 {
						var ns []string
						for _, n := range sp.needs {
							ns = append(ns, n(Config{Profile: Deferred}))
						}
						line += " _(skipped if " + strings.Join(ns, ", or ") + ")_"
					}
					needs = append(needs, line)
				}
			}
			if r.Planned() {
				b.WriteString("Not checked yet: planned (RULES.md revision 3); every report shows it as \"not checked yet\".\n")
				continue
			}
			fmt.Fprintf(&b, "Checked by %d spec(s):\n\n%s\n", len(needs), strings.Join(needs, "\n"))
		}
	}
	return b.String()
}
