//go:build !windows

package dll_test

import (
	"bytes"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/internal/wine"
	"github.com/mapiconf/mapiconf/internal/wine/winetest"
)

var wineArgs = flag.String("wine.args", "", "more arguments for the Windows test binary, e.g. '-test.bench=. -test.run=^$'")

// The package's tests are Windows programs: on Linux they run under Wine,
// once for each bitness a provider DLL ships in (x64 and x86, as 64-bit and
// 32-bit Outlook load them). TestUnderWine builds the C code with
// mingw-w64 for that bitness, cross-builds this package's Windows test
// binary for it (GOARCH amd64 or 386) and runs it; it skips, saying what
// to install, when Wine or mingw-w64 is missing, unless
// MAPICONF_REQUIRE_WINE=1.
//
// The bitnesses build at the same time, and the DLLs while the test binary
// is built; the Windows test binaries run one at a time (running), since
// their hang specs time calls out after 100 ms and each runs its specs in
// parallel already.
func TestUnderWine(t *testing.T) {
	for _, arch := range winetest.Arches {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			testUnderWine(t, arch)
		})
	}
}

// running is held while a Windows test binary runs.
var running sync.Mutex

func testUnderWine(t *testing.T, arch string) {
	out, err := runUnderWine(t, arch, append([]string{"-test.v"}, strings.Fields(*wineArgs)...)...)
	if err != nil {
		t.Fatalf("the windows/%s tests failed under Wine: %v\n%s", arch, err, out)
	}
	// The verdicts only (and a benchmark's lines): -v shows the rest.
	var summary []string
	for _, line := range strings.Split(out, "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "Benchmark") {
			summary = append(summary, line)
		}
	}
	t.Logf("the windows/%s tests under Wine:\n%s", arch, strings.Join(summary, "\n"))
	if testing.Verbose() {
		fmt.Print(out)
	}
}

// runUnderWine builds what the Windows tests need for bitness arch and runs
// the Windows test binary with args, returning its output.
func runUnderWine(t *testing.T, arch string, args ...string) (string, error) {
	t.Helper()
	tools := winetest.ForTest(t, arch)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	start := time.Now()
	dlls := make(chan error, 1)
	go func() { dlls <- winetest.Build(tools, root, dir) }()
	exe := filepath.Join(dir, "dll.test.exe")
	err = tools.GoBuild(".", "test", "-c", "-o", exe, ".")
	if derr := <-dlls; derr != nil {
		t.Fatal(derr)
	}
	if err != nil {
		t.Fatal(err)
	}
	built := time.Since(start)
	prefix, err := wine.Prefix()
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := tools.Start(prefix); err != nil {
		t.Fatal(err)
	}
	started := time.Since(start)

	cmd := tools.Command(prefix, exe, args...)
	cmd.Env = append(cmd.Env, "MAPICONF_DLL_TESTDIR="+wine.WindowsPath(dir),
		"MAPICONF_GUARD="+wine.WindowsPath(filepath.Join(dir, "mapiconf-guard.dll")))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = nil
	running.Lock()
	defer running.Unlock()
	start = time.Now()
	err = cmd.Run()
	t.Logf("built the DLLs and the Windows test binary in %v, started Wine in %v, ran the Windows tests in %v",
		built.Round(time.Millisecond), started.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return out.String(), err
}
