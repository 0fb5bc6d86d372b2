// Command mapiconf runs the mapiconf conformance suite and writes its
// reports: the CI gate for a MAPI message store provider.
//
//	mapiconf test [flags]   run the suite against a provider (-dll: a provider DLL); exit status 1 when a rule fails the gate
//	mapiconf rules [-v]     print the rule catalogue
//	mapiconf version        print the version and the RULES.md revision
//
// Every flag of mapiconf test can also be set by an environment variable:
// MAPICONF_ and the flag's name in capitals, '-' as '_' (MAPICONF_PROFILE,
// MAPICONF_REPORT_DIR, ...). A flag on the command line wins. Run
// `mapiconf help` for examples.
//
// Install it with
//
//	go install github.com/mapiconf/mapiconf/cmd/mapiconf@latest
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/mapiconf/mapiconf/conformance"
)

// Exit statuses, as the usage text documents them.
const (
	exitPass  = 0 // no rule fails the gate
	exitFail  = 1 // a rule fails the gate
	exitUsage = 2 // the command cannot run as asked: a bad flag, an unknown provider, an unwritable report
)

func main() {
	exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "test":
		status := testCommand(rest, stdout, stderr)
		writeDone(status)
		return status
	case "rules":
		return rulesCommand(rest, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "mapiconf %s\nRULES.md %s\n%s %s/%s\n", conformance.Version(), conformance.RulesRevision, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return exitPass
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 && rest[0] == "test" {
			return testCommand([]string{"-h"}, stdout, stdout)
		}
		usage(stdout)
		return exitPass
	default:
		fmt.Fprintf(stderr, "mapiconf: unknown command %q\n\n", cmd)
		usage(stderr)
		return exitUsage
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, strings.TrimLeft(`
mapiconf checks a MAPI message store provider against the shutdown rules of
Microsoft's documentation (RULES.md), and writes reports for a CI gate.

Usage:
  mapiconf test [flags]     run the suite against a provider (mapiconf test -h: every flag)
  mapiconf rules [-v]       print the rule catalogue (-v: with the documentation's sentences)
  mapiconf version          print mapiconf's version and the RULES.md revision
  mapiconf help [test]      print this, or the flags of mapiconf test

Examples:
  mapiconf test                                  # the reference provider, immediate profile
  mapiconf test -profile deferred -report-dir reports
  MAPICONF_REPORT_DIR=reports mapiconf test      # the same, set from the environment
  mapiconf test -rules STLT-04,SL-01 -verbose    # only the specs of two rules, each printed
  mapiconf test -label-filter 'must && !enumerate'   # Ginkgo's label syntax
  mapiconf test -explore 100000 -seed 7          # a long exploration, replayable
  mapiconf test -provider no-stlt                # a known-bad provider: watch the gate fail
  mapiconf test -dll mystore.dll -profile deferred -capabilities StatusRow,Spooler
                                                 # a provider DLL, x64 or x86 (on Linux under Wine: docs/dll.md)

Every flag of mapiconf test is also an environment variable: MAPICONF_ and the
flag's name in capitals, '-' as '_' (MAPICONF_PROFILE=deferred). A flag given on
the command line wins.

Exit status:
  0  no rule fails the gate: no must, does or suite rule is FAIL or ERROR, and no
     should rule either unless -should=warn (may rules fail only with -strict)
  1  a rule fails the gate (or a spec failed naming no rule)
  2  the command could not run as asked (a bad flag, an unknown provider, a
     DLL that does not load, Wine missing, a report it could not write)
`, "\n"))
}
