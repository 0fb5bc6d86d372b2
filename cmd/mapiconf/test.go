package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/conformance/report"
)

// testFlags are mapiconf test's options.
type testFlags struct {
	provider, profile        string
	dll, capabilities, guard string
	arch                     string
	strict                   bool
	labelFilter, rules       string
	reportDir, formats, json string
	explore                  int
	seed                     uint64
	depth                    int
	callTimeout, runTimeout  time.Duration
	lateWatch                time.Duration
	should                   string
	verbose, noColor         bool
}

func (f *testFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.provider, "provider", "reference", "the provider to test: `name` of one built in: "+providerNames())
	fs.StringVar(&f.dll, "dll", "", "test the provider DLL at `path` instead (an x64 or x86 DLL exporting MSProviderInit, run in a process of its bitness; on Linux under Wine: docs/dll.md)")
	fs.StringVar(&f.arch, "arch", "", "with -dll: the bitness the DLL must have, x64 or x86 (default: the DLL's own, read from its PE header)")
	fs.StringVar(&f.capabilities, "capabilities", "", "with -dll: what the provider does beyond the minimum, comma separated: StatusRow, Objects, Subobject=ID, StatusObject, MultipleStores, Spooler, OneStorePerProvider")
	fs.StringVar(&f.guard, "guard", "", "with -dll: the `path` of mapiconf-guard.dll, which turns a crash in the DLL into a failed spec (default: built with mingw-w64's gcc)")
	fs.StringVar(&f.profile, "profile", string(conformance.Immediate), "when the provider calls StoreLogoffTransports: immediate or deferred")
	fs.BoolVar(&f.strict, "strict", false, "fail the may rules (SL-03, RL-04) too, and read SL-02 and SL-03 exactly")
	fs.StringVar(&f.labelFilter, "label-filter", "", "run only the specs this Ginkgo label `expression` selects, e.g. 'must && !enumerate'")
	fs.StringVar(&f.rules, "rules", "", "run only the specs of these rule `IDs`, comma separated, e.g. STLT-04,SL-01")
	fs.StringVar(&f.reportDir, "report-dir", "", "write the reports into `dir`: mapiconf.xml (JUnit), .json, .md, .html and the badge .svg")
	fs.StringVar(&f.formats, "formats", report.FormatNames(), "the reports -report-dir writes, comma separated")
	fs.StringVar(&f.json, "report", "", "also write the JSON report to `file`")
	fs.IntVar(&f.explore, "explore", 0, "random lifecycles the exploration runs (0: the suite's default, 50; -1: none)")
	fs.Var(seedFlag{&f.seed}, "seed", "the exploration's first seed, or random for one from the clock (0: the suite's fixed default, 1); a failure prints the seed that replays it")
	fs.IntVar(&f.depth, "depth", 0, "the size up to which every lifecycle is enumerated and judged, in a fixed order (0: the suite's default, 3; -1: none)")
	fs.DurationVar(&f.callTimeout, "call-timeout", 0, "a provider call that makes no progress this long is a hang (0: the suite's default, 2s)")
	fs.DurationVar(&f.lateWatch, "late-watch", 0, "after the other specs, keep watching this long for calls the provider makes late from its own threads (0: until the run ends)")
	fs.DurationVar(&f.runTimeout, "run-timeout", 10*time.Minute, "with -dll: the whole run's bound; a run still going after it is ended, and fails the gate")
	fs.StringVar(&f.should, "should", "fail", "whether a broken should rule fails the gate: fail or warn")
	fs.BoolVar(&f.verbose, "verbose", false, "print every spec as it runs")
	fs.BoolVar(&f.noColor, "no-color", false, "no colour codes in the output (also when NO_COLOR is set)")
}

// envName is the environment variable that sets a flag.
func envName(flagName string) string {
	return "MAPICONF_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// fromEnv sets every flag not given on the command line from its
// environment variable, if that is set and not empty (a CI passes an input
// left empty as an empty variable: it means the default).
func fromEnv(fs *flag.FlagSet) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		v := os.Getenv(envName(f.Name))
		if v == "" || given[f.Name] || err != nil {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = fmt.Errorf("%s=%q: %v", envName(f.Name), v, e)
		}
	})
	return err
}

func testCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mapiconf test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f testFlags
	f.register(fs)
	fs.VisitAll(func(fl *flag.Flag) { fl.Usage += " [" + envName(fl.Name) + "]" })
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: mapiconf test [flags]\n\nRuns the suite against a provider, prints the report by rule, writes the\nreports asked for, and exits 1 when a rule fails the gate (mapiconf help).\nEach flag is also the environment variable in brackets; the flag wins.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitPass
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mapiconf test: unexpected argument %q (flags only; mapiconf test -h)\n", fs.Arg(0))
		return exitUsage
	}
	if err := fromEnv(fs); err != nil {
		fmt.Fprintf(stderr, "mapiconf test: %v\n", err)
		return exitUsage
	}
	gate, suite, reporter, formats, err := f.setup()
	if err != nil {
		fmt.Fprintf(stderr, "mapiconf test: %v\n", err)
		return exitUsage
	}
	if err := f.prepareReports(); err != nil {
		fmt.Fprintf(stderr, "mapiconf test: %v\n", err)
		return exitUsage
	}
	if f.dll != "" && os.Getenv(doneEnv) == "" {
		// A DLL runs in a child process: there a DLL that ends the
		// process cannot pass for a verdict (testInChild).
		return testInChild(fs, &f, stdout, stderr)
	}
	cfg, cleanup, err := f.providerConfig(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "mapiconf test: %v\n", err)
		return exitUsage
	}
	defer cleanup()

	// The suite runs as Ginkgo specs, in this process, as under go test.
	conformance.Describe(cfg)
	var rep conformance.Report
	var interrupted []string
	ginkgo.ReportAfterSuite("mapiconf report", func(r ginkgo.Report) {
		rep = conformance.Summarize(r)
		for _, why := range r.SpecialSuiteFailureReasons {
			if strings.Contains(why, "Interrupted") {
				interrupted = append(interrupted, why)
			}
		}
	})
	ginkgo.RunSpecs(discard{}, "mapiconf", suite, reporter)
	if len(interrupted) > 0 {
		// The specs cut short failed for it, not for the provider.
		fmt.Fprintf(stderr, "mapiconf test: %s: no verdict\n", strings.Join(interrupted, "; "))
		return exitUsage
	}

	fmt.Fprint(stdout, "\n"+rep.String())
	out := rep.Outcome()
	status := exitPass
	if fails := gate.Failures(out); len(fails) > 0 {
		status = exitFail
		fmt.Fprintf(stdout, "mapiconf: the gate FAILS: %d broken rule(s) fail it:\n", len(fails))
		for _, l := range fails {
			fmt.Fprintf(stdout, "  %s\n", l)
		}
	} else {
		fmt.Fprintln(stdout, "mapiconf: the gate passes.")
	}
	for _, l := range gate.Warnings(out) {
		fmt.Fprintf(stdout, "  warning (-should=warn): %s\n", l)
	}
	for _, seed := range replaySeeds(out) {
		fmt.Fprintf(stdout, "mapiconf: replay the exploration's failure: %s\n", f.replay(seed))
	}
	if f.reportDir != "" {
		files, err := out.WriteDir(f.reportDir, formats...)
		if err != nil {
			fmt.Fprintf(stderr, "mapiconf test: %v\n", err)
			return exitUsage
		}
		fmt.Fprintf(stdout, "mapiconf: reports: %s\n", strings.Join(files, " "))
	}
	if f.json != "" {
		jf, _ := report.FormatByName("json")
		if err := out.WriteFile(f.json, jf); err != nil {
			fmt.Fprintf(stderr, "mapiconf test: %v\n", err)
			return exitUsage
		}
	}
	return status
}

// prepareReports makes the directories the reports go to now, so that one
// that cannot be written fails the command before the run, not after it.
func (f *testFlags) prepareReports() error {
	if f.reportDir != "" {
		if err := os.MkdirAll(f.reportDir, 0o755); err != nil {
			return fmt.Errorf("-report-dir: %v", err)
		}
	}
	if f.json != "" {
		if err := os.MkdirAll(filepath.Dir(f.json), 0o755); err != nil {
			return fmt.Errorf("-report: %v", err)
		}
	}
	return nil
}

// setup checks the flags and turns them into the gate and Ginkgo's
// configuration; providerConfig makes the provider's Config.
func (f *testFlags) setup() (gate report.Gate, suite types.SuiteConfig, rep types.ReporterConfig, formats []string, err error) {
	profile := conformance.Profile(f.profile)
	if profile != conformance.Immediate && profile != conformance.Deferred {
		return gate, suite, rep, nil, fmt.Errorf("-profile %q: want immediate or deferred", f.profile)
	}
	if err := f.checkProvider(); err != nil {
		return gate, suite, rep, nil, err
	}

	switch f.should {
	case "fail":
		gate.ShouldFails = true
	case "warn":
	default:
		return gate, suite, rep, nil, fmt.Errorf("-should %q: want fail or warn", f.should)
	}
	for _, name := range strings.Split(f.formats, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		if _, ok := report.FormatByName(name); !ok {
			return gate, suite, rep, nil, fmt.Errorf("-formats: unknown report %q (want some of %s)", name, report.FormatNames())
		}
		formats = append(formats, name)
	}

	suite, rep = ginkgo.GinkgoConfiguration()
	var filters []string
	if f.labelFilter != "" {
		filters = append(filters, "("+f.labelFilter+")")
	}
	if f.rules != "" {
		var ids []string
		for _, id := range strings.Split(f.rules, ",") {
			id = strings.TrimSpace(id)
			if _, ok := conformance.RuleByID(id); !ok {
				return gate, suite, rep, nil, fmt.Errorf("-rules: no rule %q (mapiconf rules lists them)", id)
			}
			ids = append(ids, id)
		}
		filters = append(filters, "("+strings.Join(ids, " || ")+")")
		gate.Rules = ids
	}
	suite.LabelFilter = strings.Join(filters, " && ")
	if _, err := types.ParseLabelFilter(suite.LabelFilter); err != nil {
		return gate, suite, rep, nil, fmt.Errorf("-label-filter %q: %v", f.labelFilter, err)
	}
	rep.Verbose = f.verbose
	rep.NoColor = f.noColor || os.Getenv("NO_COLOR") != ""
	return gate, suite, rep, formats, nil
}

// replayed finds the seeds an exploration's failure says replay it (in the
// words of a Config: "Replay it with Config.Seed = 7 and Config.Explore = 1").
var replayed = regexp.MustCompile(`Replay it with Config\.Seed = (\d+) and Config\.Explore = 1`)

// replaySeeds returns each seed that replays a failure of the exploration,
// once, so that the command line can say how to replay it.
func replaySeeds(r report.Run) []string {
	var seeds []string
	for _, p := range r.Providers {
		for _, s := range p.Specs {
			for _, m := range replayed.FindAllStringSubmatch(s.Message, -1) {
				if !slices.Contains(seeds, m[1]) {
					seeds = append(seeds, m[1])
				}
			}
		}
	}
	return seeds
}

// discard stands in for *testing.T: a failed spec is reported by the gate,
// not by Ginkgo's verdict.
type discard struct{}

func (discard) Fail() {}

// seedFlag is -seed: a number, or "random" for one from the clock, which
// it then shows as that number, so that a child process and the replay
// command get the seed itself.
type seedFlag struct{ seed *uint64 }

func (s seedFlag) String() string {
	if s.seed == nil {
		return "0"
	}
	return strconv.FormatUint(*s.seed, 10)
}

func (s seedFlag) Set(v string) error {
	if v == "random" {
		*s.seed = max(uint64(time.Now().UnixNano()), 1)
		return nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return fmt.Errorf("want a number or random, not %q", v)
	}
	*s.seed = n
	return nil
}
