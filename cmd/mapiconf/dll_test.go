package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/conformance/report"
	"github.com/mapiconf/mapiconf/internal/wine"
	"github.com/mapiconf/mapiconf/internal/wine/winetest"
)

// cCapabilities declares everything the C reference provider does.
const cCapabilities = "StatusRow,Objects,Subobject=msg-1,StatusObject,MultipleStores,Spooler"

// mapiconf test -dll on the C reference provider and on a known-bad
// variant of it: the gate passes on the one and fails on the other with
// exactly the rules the variant declares, and the reports are written where
// the command was asked to write them. On Linux this runs the command
// under Wine, as a provider author's CI does.
func TestDLL(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows the command loads the DLL in process, as package dll's tests do; this test is of the way through Wine")
	}
	tools := winetest.ForTest(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dlls := t.TempDir()
	var bad winetest.Variant
	for _, v := range winetest.Variants {
		if v.Name == "no-stlt" {
			bad = v
		}
	}
	for _, v := range []winetest.Variant{winetest.Variants[0], bad} {
		var flags []string
		if v.Define != "" {
			flags = append(flags, "-D"+v.Define)
		}
		if err := tools.BuildDLL(filepath.Join(dlls, v.Name+".dll"), filepath.Join(root, "reference", "c", "provider.c"), flags...); err != nil {
			t.Fatal(err)
		}
	}
	// The command finds mapiconf's source itself in a checkout; here it
	// runs in a directory of its own, so it is told.
	env := []string{sourceEnv + "=" + root}

	t.Run("passes", func(t *testing.T) {
		reports := t.TempDir()
		code, out := mapiconf(t, append(env, "MAPICONF_REPORT_DIR="+reports, "MAPICONF_CAPABILITIES="+cCapabilities),
			"test", "-dll", filepath.Join(dlls, "provider.dll"), "-profile", "deferred", "-no-color")
		if code != exitPass {
			t.Fatalf("exit %d, want %d:\n%s", code, exitPass, out)
		}
		r := readRun(t, filepath.Join(reports, "mapiconf.json"))
		p := r.Providers[0]
		if p.Name != "provider.dll" || p.Profile != "deferred" {
			t.Errorf("the report is of %s (%s profile), want provider.dll (deferred)", p.Name, p.Profile)
		}
		var passed []string
		for _, rule := range p.Rules {
			if rule.Result == report.Pass {
				passed = append(passed, rule.ID)
			}
		}
		// Every rule a provider can show in the deferred profile: all
		// but the three self-checks and SL-05 (immediate only).
		if len(passed) != 36 || !slices.Contains(passed, "SP-01") {
			t.Errorf("%d rules pass, want 36 with SP-01 (the capabilities reached the Windows program):\n%s", len(passed), out)
		}
		for _, name := range []string{"mapiconf.xml", "mapiconf.json", "mapiconf.md", "mapiconf.html", "mapiconf.svg"} {
			if _, err := os.Stat(filepath.Join(reports, name)); err != nil {
				t.Errorf("the report %s: %v", name, err)
			}
		}
	})

	t.Run("fails", func(t *testing.T) {
		code, out := mapiconf(t, env, "test", "-dll", filepath.Join(dlls, "no-stlt.dll"), "-capabilities", cCapabilities,
			"-profile", "deferred", "-explore", "-1", "-no-color")
		if code != exitFail {
			t.Fatalf("exit %d, want %d:\n%s", code, exitFail, out)
		}
		var failed []string
		for _, line := range strings.Split(out, "\n") {
			if rest, ok := strings.CutPrefix(line, "  no-stlt.dll (deferred profile): "); ok {
				failed = append(failed, strings.Fields(rest)[0])
			}
		}
		if !slices.Equal(failed, bad.Declares) {
			t.Errorf("the gate fails on %v, want exactly %v:\n%s", failed, bad.Declares, out)
		}
	})

	// The Windows program itself, as a Windows runner runs it: it loads
	// the DLL in process. Under Wine no gcc.exe is on the PATH to build the
	// guard with (Linux's mingw-w64 is no Windows program), so it warns and
	// calls the DLL directly.
	t.Run("windows", func(t *testing.T) {
		dir := t.TempDir()
		exe := filepath.Join(dir, "mapiconf.exe")
		if err := wine.GoBuild(".", "build", "-o", exe, "."); err != nil {
			t.Fatal(err)
		}
		prefix, err := wine.Prefix()
		if err != nil {
			t.Fatal(err)
		}
		if err := tools.Start(prefix); err != nil {
			t.Fatal(err)
		}
		reports := filepath.Join(dir, "reports")
		cmd := tools.Command(prefix, exe, "test", "-dll", wine.WindowsPath(filepath.Join(dlls, "provider.dll")), "-profile", "deferred",
			"-capabilities", cCapabilities, "-explore", "-1", "-no-color", "-report-dir", wine.WindowsPath(reports))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("mapiconf.exe test: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "warning: no guard, so a crash in") || !strings.Contains(string(out), "mapiconf: the gate passes.") {
			t.Errorf("the output does not warn that there is no guard, or does not say the gate passes:\n%s", out)
		}
		if _, err := os.Stat(filepath.Join(reports, "mapiconf.json")); err != nil {
			t.Errorf("the JSON report: %v", err)
		}
	})

	// A DLL that ends the process ends the child with status 0 and no
	// verdict: the gate fails, saying so.
	t.Run("ends the process", func(t *testing.T) {
		exits := filepath.Join(t.TempDir(), "exits.dll")
		if err := tools.BuildDLL(exits, filepath.Join("testdata", "exits.c")); err != nil {
			t.Fatal(err)
		}
		code, out := mapiconf(t, env, "test", "-dll", exits, "-explore", "-1")
		if code != exitFail || !strings.Contains(out, "ended with exit status 0 during call #1 MSProviderInit, before it could give a verdict: the provider DLL ended the process") {
			t.Errorf("exit %d, want %d saying the process ended before a verdict:\n%s", code, exitFail, out)
		}
	})

	// An interrupt reaches the Windows program under Wine, and ends the
	// run with no verdict (exit status 2), not as a provider's failure.
	t.Run("interrupted", func(t *testing.T) {
		cmd := exec.Command(binary, "test", "-dll", filepath.Join(dlls, "provider.dll"), "-profile", "deferred", "-label-filter", "explore", "-explore", "100000000", "-no-color")
		cmd.Env = append(os.Environ(), env...)
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for start := time.Now(); !strings.Contains(out.String(), "Will run 1 of"); time.Sleep(50 * time.Millisecond) {
			if time.Since(start) > 2*time.Minute {
				cmd.Process.Kill()
				t.Fatalf("the run did not start within 2 minutes:\n%s", out.String())
			}
		}
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != exitUsage || !strings.Contains(out.String(), "interrupted: no verdict") {
			t.Errorf("exit %d, want %d saying there is no verdict:\n%s", code, exitUsage, out.String())
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"-dll", filepath.Join(dlls, "nosuch.dll")}, "nosuch.dll: no such file"},
			{[]string{"-dll", filepath.Join(dlls, "provider.dll"), "-provider", "no-stlt"}, "test one provider at a time"},
			{[]string{"-dll", filepath.Join(dlls, "provider.dll"), "-capabilities", "Folders"}, `unknown capability "Folders"`},
			{[]string{"-capabilities", "StatusRow"}, "give -dll too"},
			{[]string{"-dll", filepath.Join(root, "go.mod")}, "is no Windows DLL mapiconf can read"},
			{[]string{"-dll", filepath.Join(dlls, "provider.dll"), "-guard", filepath.Join(dlls, "nosuch.dll")}, "-guard: stat"},
		} {
			code, out := mapiconf(t, env, append([]string{"test"}, c.args...)...)
			if code != exitUsage || !strings.Contains(out, c.want) {
				t.Errorf("mapiconf test %s: exit %d, want %d saying %q:\n%s", strings.Join(c.args, " "), code, exitUsage, c.want, out)
			}
		}
	})
}

// syncBuffer is a bytes.Buffer that a running command writes while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
