package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
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
// the command was asked to write them; an x86 build gets the report its x64
// build gets. On Linux this runs the command under Wine, as a provider
// author's CI does.
func TestDLL(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("on Windows the command loads the DLL in process, as package dll's tests do; this test is of the way through Wine")
	}
	tools := winetest.ForTest(t, wine.AMD64)
	tools32 := winetest.ForTest(t, wine.I386)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// dlls holds the x64 builds, dlls32 the x86 builds of the same source.
	dlls, dlls32 := t.TempDir(), t.TempDir()
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
		for tools, dir := range map[wine.Tools]string{tools: dlls, tools32: dlls32} {
			if err := tools.BuildDLL(filepath.Join(dir, v.Name+".dll"), filepath.Join(root, "reference", "c", "provider.c"), flags...); err != nil {
				t.Fatal(err)
			}
		}
	}
	// MSProviderInit declared __stdcall, which on x86 either exports a
	// decorated name or, renamed back, unbalances the stack.
	for _, d := range []string{"INIT_STDCALL", "INIT_STDCALL_RENAMED"} {
		if err := tools32.BuildDLL(filepath.Join(dlls32, strings.ToLower(d)+".dll"), filepath.Join(root, "dll", "testdata", "badinit.c"), "-D"+d, "-Wno-unused-parameter"); err != nil {
			t.Fatal(err)
		}
	}
	// The command finds mapiconf's source itself in a checkout; here it
	// runs in a directory of its own, so it is told.
	env := []string{sourceEnv + "=" + root}

	t.Run("passes", func(t *testing.T) {
		t.Parallel() // each runs the command in processes of its own
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

	// The same command on the x86 and the x64 build of the C provider:
	// the same verdict, rule by rule and spec by spec, with the same
	// reasons and messages, and the same output but for the times.
	t.Run("x86 as x64", func(t *testing.T) {
		t.Parallel() // each runs the command in processes of its own
		var runs [2]report.Run
		var outs [2]string
		for i, dir := range []string{dlls, dlls32} {
			reports := t.TempDir()
			code, out := mapiconf(t, append(env, "MAPICONF_REPORT_DIR="+reports), "test", "-dll", filepath.Join(dir, "provider.dll"),
				"-profile", "deferred", "-capabilities", cCapabilities, "-explore", "-1", "-no-color")
			if code != exitPass {
				t.Fatalf("%s: exit %d, want %d:\n%s", dir, code, exitPass, out)
			}
			runs[i], outs[i] = readRun(t, filepath.Join(reports, "mapiconf.json")), withoutTimes(out)
			for j := range runs[i].Providers[0].Specs {
				runs[i].Providers[0].Specs[j].Seconds = 0
			}
		}
		if !strings.Contains(outs[0], "windows/amd64") || !strings.Contains(outs[1], "windows/386") {
			t.Errorf("the x64 build did not run in windows/amd64, or the x86 build in windows/386:\n%s\n%s", outs[0], outs[1])
		}
		x64, x86 := runs[0].Providers[0], runs[1].Providers[0]
		if !reflect.DeepEqual(x64.Rules, x86.Rules) || !reflect.DeepEqual(x64.Specs, x86.Specs) {
			t.Errorf("the x86 build's report differs from the x64 build's:\nx64: %+v\nx86: %+v", x64.Rules, x86.Rules)
		}
		same := strings.NewReplacer("windows/amd64", "windows/ARCH", "windows/386", "windows/ARCH", dlls, "DIR", dlls32, "DIR")
		if a, b := same.Replace(outs[0]), same.Replace(outs[1]); a != b {
			t.Errorf("the x86 build's output differs from the x64 build's:\n--- x64\n%s\n--- x86\n%s", a, b)
		}
	})

	for _, dir := range []string{dlls, dlls32} {
		t.Run("fails/"+filepath.Base(dir), func(t *testing.T) {
			t.Parallel() // each runs the command in processes of its own
			code, out := mapiconf(t, env, "test", "-dll", filepath.Join(dir, "no-stlt.dll"), "-capabilities", cCapabilities,
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
	}

	// The Windows program itself, as a Windows runner runs it, of each
	// bitness with a DLL of its own: it loads the DLL in process. Under
	// Wine no gcc.exe is on the PATH to build the guard with (Linux's
	// mingw-w64 is no Windows program), so it warns and calls the DLL
	// directly.
	for tools, dlls := range map[wine.Tools]string{tools: dlls, tools32: dlls32} {
		t.Run("windows/"+tools.Arch, func(t *testing.T) {
			t.Parallel() // each runs the command in processes of its own
			dir := t.TempDir()
			exe, _ := buildForWindows(t, tools)
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
			done := busy()
			out, err := cmd.CombinedOutput()
			done()
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
	}

	// A DLL that ends the process ends the child with status 0 and no
	// verdict: the gate fails, saying so.
	t.Run("ends the process", func(t *testing.T) {
		t.Parallel() // each runs the command in processes of its own
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
		t.Parallel() // each runs the command in processes of its own
		cmd := exec.Command(binary, "test", "-dll", filepath.Join(dlls, "provider.dll"), "-profile", "deferred", "-label-filter", "explore", "-explore", "100000000", "-no-color")
		cmd.Env = append(os.Environ(), env...)
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		defer busy()()
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
			{[]string{"-dll", filepath.Join(dlls32, "provider.dll"), "-arch", "x64"}, "is an x86 (32-bit) DLL, not the x64 build -arch asks for"},
			{[]string{"-dll", filepath.Join(dlls, "provider.dll"), "-arch", "arm64"}, `-arch "arm64": x64 or x86`},
			{[]string{"-dll", filepath.Join(dlls32, "provider.dll"), "-guard", filepath.Join(dlls, "provider.dll")}, "is an x64 (64-bit) DLL, and"},
			{[]string{"-dll", filepath.Join(dlls32, "init_stdcall.dll")}, "exports MSProviderInit@36 but no MSProviderInit"},
			{[]string{"-dll", filepath.Join(dlls32, "init_stdcall_renamed.dll")}, "MSProviderInit is declared __stdcall: it took 36 bytes of arguments off the stack"},
		} {
			t.Run(c.want, func(t *testing.T) {
				t.Parallel() // each runs the command in processes of its own
				code, out := mapiconf(t, env, append([]string{"test"}, c.args...)...)
				if code != exitUsage || !strings.Contains(out, c.want) {
					t.Errorf("mapiconf test %s: exit %d, want %d saying %q:\n%s", strings.Join(c.args, " "), code, exitUsage, c.want, out)
				}
			})
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

// varying matches what differs between two runs of the same suite: the
// durations Ginkgo and the report print, the random seed, and the
// directories (the suite's, the reports').
var varying = regexp.MustCompile(`\d+(\.\d+)? ?(ns|µs|ms|s|m|seconds|lifecycles/s)\b|(?m)^(Running Suite|Random Seed|mapiconf: reports):.*$`)

func withoutTimes(out string) string { return varying.ReplaceAllString(out, "T") }
