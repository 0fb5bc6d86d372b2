package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mapiconf/mapiconf/conformance"
)

// rulesCommand prints the rule catalogue, section by section: each rule's
// ID, strength and sentence; with -v also its source and the
// documentation's own sentence.
func rulesCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mapiconf rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "also print each rule's source page and the documentation's sentence")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitPass
		}
		return exitUsage
	}
	fmt.Fprintf(stdout, "mapiconf %s, RULES.md %s: %d rules\n", conformance.Version(), conformance.RulesRevision, len(conformance.Rules))
	section := ""
	for _, r := range conformance.Rules {
		if r.Section != section {
			section = r.Section
			fmt.Fprintf(stdout, "\n%s. %s\n", section, conformance.Sections[section])
		}
		text := r.Text
		if r.Planned() {
			text += " (not checked yet)"
		}
		fmt.Fprintf(stdout, "  %-8s %-14s %s\n", r.ID, r.StrengthText(), text)
		if *verbose {
			fmt.Fprintf(stdout, "  %-8s %-14s Source: %s\n  %-8s %-14s %q\n", "", "", r.Source, "", "", strings.TrimSpace(r.Quote()))
		}
	}
	return exitPass
}
