package docs

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// TestReadingTheOutcome keeps the CI-gate guide's example output true: the
// command it names is run, and every line of the example must stand in its
// output, in order. A line "..." stands for lines left out; a line ending
// in "..." for the rest of a longer line.
func TestReadingTheOutcome(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the mapiconf command; skipped with -short")
	}
	root, guide := checkoutFile(t, "docs/ci-gate.md")
	m := regexp.MustCompile("(?s)## Reading the outcome\n.*?`(mapiconf test [^`]*)`.*?\n```\n(.*?)```").FindSubmatch(guide)
	if m == nil {
		t.Fatal("docs/ci-gate.md: no example output, with the command that makes it, under \"## Reading the outcome\"")
	}
	command := strings.Join(strings.Fields(string(m[1])), " ")
	args := append([]string{"run", "./cmd/mapiconf"}, strings.Fields(strings.TrimPrefix(command, "mapiconf "))...)
	cmd := exec.Command("go", append(args, "-no-color")...)
	cmd.Dir = root
	out, _ := cmd.CombinedOutput() // the example is of a failing gate: its status is TestCommands' business
	got := strings.Split(string(out), "\n")
	i := 0
	for _, want := range strings.Split(strings.TrimRight(string(m[2]), "\n"), "\n") {
		if strings.TrimSpace(want) == "..." {
			continue
		}
		prefix, partial := strings.CutSuffix(want, "...")
		for i < len(got) && !(got[i] == want || partial && strings.HasPrefix(got[i], prefix)) {
			i++
		}
		if i == len(got) {
			t.Fatalf("docs/ci-gate.md's example output has\n\t%s\nwhich `%s` does not print (in that order); it printed:\n%s", want, command, out)
		}
		i++
	}
}
