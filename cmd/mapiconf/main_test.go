package main

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/conformance/report"
	"github.com/mapiconf/mapiconf/reference"
)

// binary is the command, built once: each run of mapiconf test needs a
// process of its own, as Ginkgo runs its specs once per process.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	parallelUnlessGiven("64") // cores bounds the runs that keep a core busy
	dir, err := os.MkdirTemp("", "mapiconf-cmd")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "mapiconf")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mapiconf runs the command with the given MAPICONF_ variables (and no
// others from this environment) and returns its exit status and output.
func mapiconf(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MAPICONF_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = t.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := busy()
	err := cmd.Run()
	done()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("mapiconf %s: %v", strings.Join(args, " "), err)
		}
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

func readRun(t *testing.T, path string) report.Run {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := report.ReadJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(r.Providers) != 1 {
		t.Fatalf("%s has %d providers, want 1", path, len(r.Providers))
	}
	return r
}

// ran counts the specs a run ran (not filtered out).
func ran(r report.Run) int {
	n := 0
	for _, s := range r.Providers[0].Specs {
		if s.Status != "not run" {
			n++
		}
	}
	return n
}

// mapiconf version prints the version the command was built at. That is
// the built binary's, not this test binary's (which knows no module
// version): with Go's default -buildvcs, a build in a clean clone is
// stamped with a pseudo-version from its commit, without it "(devel)".
func TestVersion(t *testing.T) {
	bi, err := buildinfo.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	code, out := mapiconf(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "mapiconf "+bi.Main.Version) || !strings.Contains(out, "RULES.md "+conformance.RulesRevision) {
		t.Errorf("mapiconf version: exit %d, printed:\n%s\nwant the version the binary was built at, %s, and RULES.md %s", code, out, bi.Main.Version, conformance.RulesRevision)
	}
}

func TestRules(t *testing.T) {
	code, out := mapiconf(t, nil, "rules", "-v")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, r := range conformance.Rules {
		line := fmt.Sprintf("  %-8s %-14s %s", r.ID, r.StrengthText(), r.Text)
		if !strings.Contains(out, line) || !strings.Contains(out, "Source: "+r.Source) {
			t.Errorf("mapiconf rules does not list %s with its source", r.ID)
		}
		if r.Planned() && !strings.Contains(out, r.Text+" (not checked yet)") {
			t.Errorf("mapiconf rules does not say that %s is not checked yet", r.ID)
		}
	}
}

func TestHelp(t *testing.T) {
	code, out := mapiconf(t, nil, "--help")
	if code != 0 || !strings.Contains(out, "Examples:\n  mapiconf test ") || !strings.Contains(out, "Exit status:") {
		t.Errorf("mapiconf --help: exit %d, no examples or exit statuses:\n%s", code, out)
	}
	code, out = mapiconf(t, nil, "help", "test")
	for _, flag := range []string{"provider", "profile", "strict", "label-filter", "rules", "report-dir", "formats", "explore", "seed", "should"} {
		if !strings.Contains(out, "-"+flag) || !strings.Contains(out, "["+envName(flag)+"]") {
			t.Errorf("mapiconf help test does not document -%s and %s", flag, envName(flag))
		}
	}
	if code != 0 {
		t.Errorf("mapiconf help test: exit %d", code)
	}
	if code, _ := mapiconf(t, nil); code != exitUsage {
		t.Errorf("mapiconf with no command: exit %d, want %d", code, exitUsage)
	}
}

// MAPICONF_REPORT_DIR=dir mapiconf test: the reference provider passes
// every rule it can, and every report is in dir.
func TestReportDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out := mapiconf(t, []string{"MAPICONF_REPORT_DIR=" + dir, "MAPICONF_PROFILE=deferred"}, "test", "-no-color")
	if code != exitPass {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	var names []string
	for _, f := range report.Formats {
		names = append(names, "mapiconf"+f.Ext)
		if _, err := os.Stat(filepath.Join(dir, "mapiconf"+f.Ext)); err != nil {
			t.Errorf("no %s report: %v", f.Name, err)
		}
	}
	run := readRun(t, filepath.Join(dir, "mapiconf.json"))
	p := run.Providers[0]
	specs, err := conformance.Check(context.Background(), reference.Config(reference.Options{StatusRow: true, Deferred: true}))
	if err != nil {
		t.Fatal(err)
	}
	// Check leaves out the exploration, which mapiconf test runs.
	if p.Name != "reference" || p.Profile != "deferred" || len(p.Specs) != len(specs)+1 || ran(run) != len(p.Specs) {
		t.Errorf("the JSON report has %s, %d specs of which %d ran; want reference (deferred profile), %d specs, all run", p.Title(), len(p.Specs), ran(run), len(specs)+1)
	}
	passed, of := p.Score()
	judged := 0
	for _, r := range p.Rules {
		if r.Result != report.NotChecked && r.Result != report.SelfCheck && r.Result != report.Skipped {
			judged++
		}
	}
	if passed != judged || of != judged {
		t.Errorf("the reference provider passes %d/%d rules, want %d/%d", passed, of, judged, judged)
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "mapiconf.svg"))
	if want := fmt.Sprintf("mapiconf: deferred %d/%d", judged, judged); !bytes.Contains(svg, []byte(want)) {
		t.Errorf("the badge does not say %q:\n%s", want, svg)
	}
	var j struct {
		Suites []struct {
			Cases []struct{} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "mapiconf.xml"))
	if err := xml.Unmarshal(b, &j); err != nil || len(j.Suites) != 1 || len(j.Suites[0].Cases) != len(p.Specs) {
		t.Errorf("the JUnit report does not have one testcase per spec (%d): %v", len(p.Specs), err)
	}
	if !strings.Contains(out, "mapiconf: the gate passes.") || !strings.Contains(out, "mapiconf report: reference (deferred profile)") || strings.Contains(out, "\x1b[") {
		t.Errorf("the output does not say the gate passes, or has colour codes despite -no-color:\n%s", out)
	}
}

// A known-bad provider fails the gate, exit status 1, naming exactly the
// rules it breaks.
func TestGateFails(t *testing.T) {
	t.Parallel()
	var bad reference.Bad
	for _, b := range reference.KnownBad() {
		if b.Name == "orderly-on-release-only" {
			bad = b
		}
	}
	code, out := mapiconf(t, nil, "test", "-provider", bad.Name, "-explore", "-1")
	if code != exitFail {
		t.Fatalf("exit %d, want %d:\n%s", code, exitFail, out)
	}
	declared := bad.Declares[conformance.Immediate]
	if want := fmt.Sprintf("mapiconf: the gate FAILS: %d broken rule(s) fail it:", len(declared)); !strings.Contains(out, want) {
		t.Errorf("the output does not say %q:\n%s", want, out)
	}
	for _, id := range declared {
		if !strings.Contains(out, "  "+bad.Name+" (immediate profile): "+id+" (") {
			t.Errorf("the gate's failures do not name %s:\n%s", id, out)
		}
	}
}

// A broken should rule fails the gate unless -should=warn; the flag wins
// over its environment variable.
func TestShould(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  []string
		args []string
		want int
	}{
		{nil, nil, exitFail},
		{nil, []string{"-should=warn"}, exitPass},
		{[]string{"MAPICONF_SHOULD=warn"}, nil, exitPass},
		{[]string{"MAPICONF_SHOULD=warn"}, []string{"-should=fail"}, exitFail},
	} {
		args := append([]string{"test", "-provider", "gives-up-on-no-support", "-rules", "STLT-07"}, c.args...)
		code, out := mapiconf(t, c.env, args...)
		if code != c.want {
			t.Errorf("%v mapiconf %s: exit %d, want %d:\n%s", c.env, strings.Join(args, " "), code, c.want, out)
		}
		if c.want == exitPass && !strings.Contains(out, "warning (-should=warn): gives-up-on-no-support (immediate profile): STLT-07 (should) FAIL") {
			t.Errorf("the output does not warn of STLT-07:\n%s", out)
		}
	}
}

// The rule and label filters, the exploration's size and seed: each as a
// flag and as an environment variable.
func TestSelection(t *testing.T) {
	t.Parallel()
	cfg := reference.Config(reference.Options{StatusRow: true})
	stlt04, err := conformance.Check(context.Background(), cfg, "STLT-04")
	if err != nil {
		t.Fatal(err)
	}
	sl, err := conformance.Check(context.Background(), cfg, "SL-01", "STLT-04")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		env  []string
		args []string
		want int
	}{
		{nil, []string{"-rules", "STLT-04"}, len(stlt04)},
		{[]string{"MAPICONF_RULES=SL-01,STLT-04"}, nil, len(sl)},
		{[]string{"MAPICONF_LABEL_FILTER=STLT-04"}, nil, len(stlt04)},
		{nil, []string{"-label-filter", "STLT-04 || SL-01"}, len(sl)},
		{nil, []string{"-label-filter", "explore", "-explore", "3"}, 1},
		{[]string{"MAPICONF_EXPLORE=-1"}, []string{"-label-filter", "explore"}, 0},
	} {
		json := filepath.Join(t.TempDir(), "r.json")
		args := append([]string{"test", "-report", json}, c.args...)
		code, out := mapiconf(t, c.env, args...)
		if code != exitPass {
			t.Errorf("%v mapiconf %s: exit %d:\n%s", c.env, strings.Join(args, " "), code, out)
			continue
		}
		if got := ran(readRun(t, json)); got != c.want {
			t.Errorf("%v mapiconf %s ran %d specs, want %d", c.env, strings.Join(args, " "), got, c.want)
		}
	}
	// The seed a failing exploration prints is the one given.
	json := filepath.Join(t.TempDir(), "r.json")
	code, out := mapiconf(t, []string{"MAPICONF_SEED=7"}, "test", "-provider", "no-stlt", "-label-filter", "explore", "-explore", "5", "-report", json)
	if code != exitFail {
		t.Fatalf("the exploration of no-stlt: exit %d:\n%s", code, out)
	}
	found := false
	for _, s := range readRun(t, json).Providers[0].Specs {
		found = found || strings.Contains(s.Message, "(seed 7)")
	}
	if !found {
		t.Errorf("no failure of the exploration names seed 7:\n%s", out)
	}
	if want := "mapiconf: replay the exploration's failure: mapiconf test -provider no-stlt -profile immediate -label-filter explore -seed 7 -explore 1\n"; !strings.Contains(out, want) {
		t.Errorf("the output does not say %q:\n%s", want, out)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"-profile", "lazy"}, `-profile "lazy": want immediate or deferred`},
		{nil, []string{"-provider", "nosuch"}, `-provider "nosuch": no such provider`},
		{nil, []string{"-rules", "STLT-99"}, `-rules: no rule "STLT-99"`},
		{nil, []string{"-label-filter", "STLT-04 &&"}, `-label-filter "STLT-04 &&"`},
		{nil, []string{"-formats", "pdf"}, `-formats: unknown report "pdf"`},
		{nil, []string{"-should", "maybe"}, `-should "maybe": want fail or warn`},
		{[]string{"MAPICONF_EXPLORE=many"}, nil, `MAPICONF_EXPLORE="many"`},
		{nil, []string{"extra"}, `unexpected argument "extra"`},
	} {
		code, out := mapiconf(t, c.env, append([]string{"test"}, c.args...)...)
		if code != exitUsage || !strings.Contains(out, c.want) {
			t.Errorf("%v mapiconf test %s: exit %d, want %d saying %q:\n%s", c.env, strings.Join(c.args, " "), code, exitUsage, c.want, out)
		}
	}
}

// The replay command a failed exploration prints carries every flag that
// shapes the exploration, so that it runs the lifecycle that failed.
func TestReplayCommand(t *testing.T) {
	for _, c := range []struct {
		f    testFlags
		want string
	}{
		{testFlags{provider: "no-stlt", profile: "immediate"},
			"mapiconf test -provider no-stlt -profile immediate -label-filter explore -seed 7 -explore 1"},
		{testFlags{dll: "build/mystore.dll", profile: "deferred", capabilities: "StatusRow,Spooler", strict: true, callTimeout: 500 * time.Millisecond},
			"mapiconf test -dll build/mystore.dll -profile deferred -capabilities StatusRow,Spooler -strict -call-timeout 500ms -label-filter explore -seed 7 -explore 1"},
	} {
		if got := c.f.replay("7"); got != c.want {
			t.Errorf("replay: %q\nwant %q", got, c.want)
		}
	}
}

// An interrupted run gives no verdict (exit status 2): the specs it cut
// short failed for the interrupt, not for the provider.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "test", "-label-filter", "explore", "-explore", "100000000", "-no-color")
	cmd.Dir = t.TempDir()
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	defer busy()()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for start := time.Now(); !strings.Contains(out.String(), "Will run 1 of"); time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > time.Minute {
			cmd.Process.Kill()
			t.Fatalf("the run did not start within a minute:\n%s", out.String())
		}
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitUsage || !strings.Contains(out.String(), "Interrupted by User: no verdict") || strings.Contains(out.String(), "the gate FAILS") {
		t.Errorf("exit %d, want %d saying there is no verdict, and no gate:\n%s", code, exitUsage, out.String())
	}
}
