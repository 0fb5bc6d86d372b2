package reference

//go:generate go test -run TestKillMatrix -update .

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/mapiconf/mapiconf/conformance"
)

// Cell values of the kill matrix.
const (
	Killed        = "killed"         // declared broken, and the suite failed it
	Survived      = "survived"       // declared broken, and the suite passed it: a blind spot
	Unexpected    = "unexpected"     // failed without being declared: a spec that is not precise
	NotApplicable = "not applicable" // neither declared nor failed
)

// Unbreakable lists the rules no provider can break, with the reason. The
// kill matrix test holds the list to the truth: a rule here that some
// provider kills, or a rule missing here that none kills, fails it.
var Unbreakable = map[string]string{}

// MatrixRow is one known-bad provider in one declared profile.
type MatrixRow struct {
	Provider string              `json:"provider"`
	Profile  conformance.Profile `json:"profile"`
	Doc      string              `json:"doc"`
	Declared []string            `json:"declared"`
	Failed   []string            `json:"failed"`
	Cells    map[string]string   `json:"cells"` // rule ID → Killed, Survived, Unexpected or NotApplicable

	results []conformance.Result
}

// Matrix is the kill matrix: every known-bad provider, and the reference
// provider, against every rule.
type Matrix struct {
	Depth       int               `json:"depth"` // the enumeration's (conformance.Config.Depth)
	Rules       []string          `json:"rules"`
	Rows        []MatrixRow       `json:"rows"`
	Unbreakable map[string]string `json:"unbreakable"`
}

// MatrixDepth is the enumeration's depth in the kill matrix: every
// known-bad provider shows what it breaks by then, and the matrix stays
// quick. TestEnumerationOnlyAtDefaultDepth runs the providers only the
// enumeration finds at the gate's default depth.
const MatrixDepth = 2

// KillMatrix runs the suite, with the enumeration to depth, against the
// reference provider and every known-bad provider, in every profile each
// applies to.
func KillMatrix(ctx context.Context, depth int) (Matrix, error) {
	m := Matrix{Depth: depth, Unbreakable: Unbreakable}
	for _, r := range conformance.Rules {
		if r.Planned() {
			continue // no spec checks it yet: nothing to kill
		}
		m.Rules = append(m.Rules, r.ID)
	}
	type entry struct {
		bad     Bad
		profile conformance.Profile
		cfg     conformance.Config
	}
	var entries []entry
	for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
		cfg := Config(Options{StatusRow: true, Deferred: p == conformance.Deferred})
		entries = append(entries, entry{Bad{Name: "reference", Doc: "the reference provider: no flaw"}, p, cfg})
	}
	for _, b := range KnownBad() {
		if b.Awaits != "" {
			continue // out of the matrix until the suite judges it right (TestAwaitingBad)
		}
		for _, p := range []conformance.Profile{conformance.Immediate, conformance.Deferred} {
			if _, ok := b.Declares[p]; ok {
				entries = append(entries, entry{b, p, b.Config(p)})
			}
		}
	}
	for _, e := range entries {
		e.cfg.Depth = depth
		// One at a time: specs with timing in them (RB-01's racers, a
		// provider's own timers) must not be judged on a machine the
		// matrix itself loads.
		results, err := conformance.Check(ctx, e.cfg)
		if err != nil {
			return m, fmt.Errorf("%s (%s): %w", e.bad.Name, e.profile, err)
		}
		row := MatrixRow{Provider: e.bad.Name, Profile: e.profile, Doc: e.bad.Doc,
			Declared: conformance.InRuleOrder(e.bad.Declares[e.profile]), Failed: conformance.FailedRules(results),
			Cells: map[string]string{}, results: results}
		if row.Declared == nil {
			row.Declared = []string{}
		}
		if row.Failed == nil {
			row.Failed = []string{}
		}
		for _, id := range m.Rules {
			declared, failed := slices.Contains(row.Declared, id), slices.Contains(row.Failed, id)
			switch {
			case declared && failed:
				row.Cells[id] = Killed
			case declared:
				row.Cells[id] = Survived
			case failed:
				row.Cells[id] = Unexpected
			default:
				row.Cells[id] = NotApplicable
			}
		}
		m.Rows = append(m.Rows, row)
	}
	return m, nil
}

// Messages returns the failure messages of the specs that failed rule id,
// to explain a cell.
func (r MatrixRow) Messages(id string) []string {
	var out []string
	for _, x := range r.results {
		if slices.Contains(x.Failed, id) {
			out = append(out, x.Spec+":\n"+x.Message)
		}
	}
	return out
}

// KilledBy returns the rows that kill rule id.
func (m Matrix) KilledBy(id string) []string {
	var out []string
	for _, r := range m.Rows {
		if r.Cells[id] == Killed {
			out = append(out, fmt.Sprintf("%s (%s)", r.Provider, r.Profile))
		}
	}
	return out
}

// JSON is the matrix as indented JSON.
func (m Matrix) JSON() []byte {
	b, _ := json.MarshalIndent(m, "", "  ")
	return append(b, '\n')
}

// Markdown renders the matrix as a table, a row per provider and profile, a
// column per rule.
func (m Matrix) Markdown() string {
	var b strings.Builder
	b.WriteString("# Kill matrix\n\n")
	b.WriteString("Generated by `go test ./reference -run TestKillMatrix -update` from [killmatrix.json](killmatrix.json); do not edit.\n\n")
	b.WriteString("Each known-bad provider is the reference provider with one documented flaw (`reference/flaws.go`). The whole conformance suite runs against each, in every profile the flaw applies to")
	fmt.Fprintf(&b, " (the enumeration to depth %d; the gate's default is %d)", m.Depth, conformance.DefaultDepth)
	b.WriteString(", and the set of rules it fails must equal the set the provider declares: ")
	b.WriteString("**K** the rule is killed (declared and failed); **S** survived (declared, not failed: a blind spot); **U** unexpected (failed, not declared: an imprecise spec); **·** neither. The test fails on any S or U.\n\n")
	b.WriteString("| provider | profile |")
	for _, id := range m.Rules {
		b.WriteString(" " + id + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(m.Rules)) + "\n")
	short := map[string]string{Killed: "K", Survived: "S", Unexpected: "U", NotApplicable: "·"}
	for _, r := range m.Rows {
		fmt.Fprintf(&b, "| %s | %s |", r.Provider, r.Profile)
		for _, id := range m.Rules {
			b.WriteString(" " + short[r.Cells[id]] + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## The providers\n\n")
	seen := map[string]bool{}
	for _, r := range m.Rows {
		if seen[r.Provider] {
			continue
		}
		seen[r.Provider] = true
		fmt.Fprintf(&b, "- **%s**: %s.\n", r.Provider, r.Doc)
	}
	b.WriteString("\n## Rules and who kills them\n\n")
	for _, id := range m.Rules {
		if why, ok := m.Unbreakable[id]; ok {
			fmt.Fprintf(&b, "- **%s**: no provider can break it: %s\n", id, why)
			continue
		}
		fmt.Fprintf(&b, "- **%s**: %s\n", id, strings.Join(m.KilledBy(id), ", "))
	}
	return b.String()
}
