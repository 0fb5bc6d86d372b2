//go:build !windows

package dll_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/internal/wine"
	"github.com/mapiconf/mapiconf/internal/wine/winetest"
)

var wineArgs = flag.String("wine.args", "", "more arguments for the Windows test binary, e.g. '-test.bench=. -test.run=^$'; given, it runs once per bitness, one bitness at a time")

// The package's tests are Windows programs: on Linux they run under Wine,
// once for each bitness a provider DLL ships in (x64 and x86, as 64-bit and
// 32-bit Outlook load them). TestUnderWine builds the C code with
// mingw-w64 for that bitness, cross-builds this package's Windows test
// binary for it (GOARCH amd64 or 386) and runs it; it skips, saying what
// to install, when Wine or mingw-w64 is missing, unless
// MAPICONF_REQUIRE_WINE=1.
//
// The bitnesses build at the same time, and the DLLs while the test binary
// is built. Each bitness's tests then run in several Windows processes at
// once (shards): every variant of the C provider that crashes or hangs in
// a process of its own, the rest in one. Those variants leave their
// process changed for good, and would slow every spec after them: a hang
// leaves a thread in the DLL for each spec, and a crash leaves the
// provider's blocks allocated (about ten per lifecycle, 70,000 after the
// enumeration), which every later provider's heap validation walks (5 ms
// each at the end, against 20 µs). The hang variants wait for a call
// timeout in every spec and use little CPU, so they run beside the others;
// the others take a core each (cpuSlots). Those variants' specs time calls
// out after 100 ms, so the rest, whose calls have the default 2 s, run at
// a lower CPU priority (nice): on a busy machine a call of theirs that
// waits for a core could pass for a hang.
//
// The shards' Go runtime collects garbage less often (GOGC=400, unless
// GOGC is set; a few hundred MB of heap at most): under Wine a collection
// stops and wakes threads through the Wine server, and the C provider's
// variants ran 25 to 40% faster so. -wine.args (a benchmark) runs with
// the default.
func TestUnderWine(t *testing.T) {
	for _, arch := range winetest.Arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			testUnderWine(t, arch)
		})
	}
}

// running is held while a Windows test binary runs with -wine.args (a
// benchmark, say): one bitness at a time, as the numbers are compared.
var running sync.Mutex

// cpuSlots bounds the Windows test processes that keep a core busy.
var cpuSlots = make(chan struct{}, runtime.NumCPU())

// A shard is one run of the Windows test binary.
type shard struct {
	name string
	args []string // -test.run or -test.skip
	// waits: its specs mostly wait for a call timeout (a hang), and it
	// runs without taking a core.
	waits bool
	ran   string // what its output says when its test passed ("": any)
	// timed: its specs time calls out after 100 ms (a variant that
	// crashes or hangs); the others run at a lower CPU priority.
	timed bool
}

// shards are the Windows test binary's runs that together run every test
// once: each variant of TestCProvider that crashes or hangs alone, then
// everything else.
func shards() []shard {
	var out []shard
	var alone []string
	for _, v := range winetest.Variants {
		if v.Hostile == "" {
			continue
		}
		name := regexp.QuoteMeta(v.Name)
		alone = append(alone, name)
		out = append(out, shard{name: v.Name, args: []string{"-test.run=^TestCProvider$/^" + name + "$"}, waits: v.Fault == "hung", ran: "--- PASS: TestCProvider/" + v.Name + " ", timed: true})
	}
	rest := shard{name: "the rest"}
	if len(alone) > 0 {
		rest.args = []string{"-test.skip=^TestCProvider$/^(" + strings.Join(alone, "|") + ")$"}
	}
	return append(out, rest)
}

func testUnderWine(t *testing.T, arch string) {
	w := buildUnderWine(t, arch)
	if args := strings.Fields(*wineArgs); len(args) > 0 {
		running.Lock()
		defer running.Unlock()
		out, err := w.run(false, append([]string{"-test.v"}, args...))
		report(t, arch, "", out, err)
		return
	}
	type result struct {
		out string
		err error
	}
	ss := shards()
	var gogc []string
	if os.Getenv("GOGC") == "" {
		gogc = []string{"GOGC=400"}
	}
	results := make([]chan result, len(ss))
	for i, s := range ss {
		results[i] = make(chan result, 1)
		go func() {
			if !s.waits {
				cpuSlots <- struct{}{}
				defer func() { <-cpuSlots }()
			}
			start := time.Now()
			out, err := w.run(!s.timed, append([]string{"-test.v"}, s.args...), gogc...)
			results[i] <- result{fmt.Sprintf("(ran in %v)\n%s", time.Since(start).Round(time.Millisecond), out), err}
		}()
	}
	for i, s := range ss {
		r := <-results[i]
		if r.err == nil && !strings.Contains(r.out, s.ran) {
			r.err = fmt.Errorf("-test.v did not print %q", strings.TrimSpace(s.ran))
		}
		report(t, arch, s.name, r.out, r.err)
	}
}

// report fails t if the Windows tests failed, and logs their verdicts.
func report(t *testing.T, arch, shard, out string, err error) {
	t.Helper()
	what := "the windows/" + arch + " tests"
	if shard != "" {
		what += " (" + shard + ")"
	}
	if err != nil {
		t.Errorf("%s failed under Wine: %v\n%s", what, err, out)
		return
	}
	// The verdicts only (and a benchmark's lines): -v shows the rest.
	var summary []string
	for i, line := range strings.Split(out, "\n") {
		if l := strings.TrimSpace(line); i == 0 || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "Benchmark") {
			summary = append(summary, line)
		}
	}
	t.Logf("%s under Wine:\n%s", what, strings.Join(summary, "\n"))
	if testing.Verbose() {
		fmt.Print(out)
	}
}

// A built Windows test binary, with the DLLs it loads, ready to run.
type built struct {
	tools       wine.Tools
	prefix, dir string
	exe         string
}

// buildUnderWine builds what the Windows tests need for bitness arch and
// starts Wine.
func buildUnderWine(t *testing.T, arch string) built {
	t.Helper()
	tools := winetest.ForTest(t, arch)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	prefix, err := wine.Prefix()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	start := time.Now()
	// Wine starts (a new prefix takes 5 to 15 s) while the DLLs and the
	// test binary build.
	var started, dlls time.Duration
	var serr, derr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); serr = tools.Start(prefix); started = time.Since(start) }()
	go func() { defer wg.Done(); derr = winetest.Build(tools, root, dir); dlls = time.Since(start) }()
	exe := filepath.Join(dir, "dll.test.exe")
	err = tools.GoBuild(".", "test", "-c", "-o", exe, ".")
	compiled := time.Since(start)
	wg.Wait()
	if err := errors.Join(err, derr, serr); err != nil {
		t.Fatal(err)
	}
	t.Logf("built the Windows test binary in %v and the DLLs in %v, started Wine in %v, at the same time",
		compiled.Round(time.Millisecond), dlls.Round(time.Millisecond), started.Round(time.Millisecond))
	return built{tools, prefix, dir, exe}
}

// run runs the Windows test binary with args and the environment
// variables env, returning its output; at a lower CPU priority if lower,
// when nice is found.
func (b built) run(lower bool, args []string, env ...string) (string, error) {
	cmd := b.tools.Command(b.prefix, b.exe, args...)
	if nice, err := exec.LookPath("nice"); lower && err == nil {
		cmd.Path, cmd.Args = nice, append([]string{"nice", "-n", "10"}, cmd.Args...)
	}
	cmd.Env = append(cmd.Env, "MAPICONF_DLL_TESTDIR="+wine.WindowsPath(b.dir),
		"MAPICONF_GUARD="+wine.WindowsPath(filepath.Join(b.dir, "mapiconf-guard.dll")))
	cmd.Env = append(cmd.Env, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = nil
	err := cmd.Run()
	return out.String(), err
}
