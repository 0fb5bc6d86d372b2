package main

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/mapiconf/mapiconf/conformance/report"
	"github.com/mapiconf/mapiconf/internal/wine"
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
	tools := wine.ForTest(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dlls := t.TempDir()
	var bad wine.Variant
	for _, v := range wine.Variants {
		if v.Name == "no-stlt" {
			bad = v
		}
	}
	for _, v := range []wine.Variant{wine.Variants[0], bad} {
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

	t.Run("usage", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"-dll", filepath.Join(dlls, "nosuch.dll")}, "nosuch.dll: no such file"},
			{[]string{"-dll", filepath.Join(dlls, "provider.dll"), "-provider", "no-stlt"}, "test one provider at a time"},
			{[]string{"-dll", filepath.Join(dlls, "provider.dll"), "-capabilities", "Folders"}, `unknown capability "Folders"`},
			{[]string{"-capabilities", "StatusRow"}, "give -dll too"},
		} {
			code, out := mapiconf(t, env, append([]string{"test"}, c.args...)...)
			if code != exitUsage || !strings.Contains(out, c.want) {
				t.Errorf("mapiconf test %s: exit %d, want %d saying %q:\n%s", strings.Join(c.args, " "), code, exitUsage, c.want, out)
			}
		}
	})
}
