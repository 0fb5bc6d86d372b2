//go:build !windows

package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/dll"
	"github.com/mapiconf/mapiconf/internal/wine"
)

// testUnderWine tests a provider DLL on Linux (or any system but Windows):
// the DLL is Windows code, so the suite runs as a Windows program under
// Wine, as package dll's own tests do (docs/dll.md). It cross-builds this
// command for Windows from mapiconf's source, builds the guard with
// mingw-w64, and runs `mapiconf.exe test` under Wine with the same flags,
// its paths as Wine's drive Z: shows them. The Windows program's output is
// this command's, and its exit status this command's.
func testUnderWine(fs *flag.FlagSet, f *testFlags, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "mapiconf test -dll: %v\n", err)
		return exitUsage
	}
	if runtime.GOARCH != "amd64" {
		return fail(fmt.Errorf("a 64-bit provider DLL runs under Wine on an x86-64 machine only; this is %s", runtime.GOARCH))
	}
	if _, err := os.Stat(f.dll); err != nil {
		return fail(err)
	}
	tools, err := wine.Find()
	if err != nil {
		return fail(err)
	}
	src, err := mapiconfSource()
	if err != nil {
		return fail(err)
	}
	dir, err := os.MkdirTemp("", "mapiconf-wine")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	// Say what the silence is: with an empty Go build cache and a new Wine
	// prefix the first run takes minutes before the suite starts.
	fmt.Fprintf(stderr, "mapiconf: building mapiconf for Windows from %s and starting Wine (minutes the first time: docs/dll.md)\n", src)
	exe := filepath.Join(dir, "mapiconf.exe")
	if err := wine.GoBuild(src, "build", "-o", exe, "./cmd/mapiconf"); err != nil {
		return fail(err)
	}
	guard := f.guard
	if guard == "" {
		if guard, err = dll.BuildGuard(tools.CC, dir); err != nil {
			return fail(err)
		}
	}
	prefix, err := wine.Prefix()
	if err != nil {
		return fail(err)
	}
	if err := tools.Start(prefix); err != nil {
		return fail(err)
	}

	// Every flag is given, so that the MAPICONF_ variables, which the
	// Windows program also sees, change nothing.
	args := []string{"test"}
	fs.VisitAll(func(fl *flag.Flag) {
		v := fl.Value.String()
		if fl.Name == "guard" {
			v = guard
		}
		switch fl.Name {
		case "dll", "guard", "report-dir", "report":
			v = windowsPath(v)
		}
		args = append(args, "-"+fl.Name+"="+v)
	})
	cmd := tools.Command(prefix, exe, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, stdout, stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return exitPass
	case errors.As(err, &exit) && exit.ExitCode() >= 0 && exit.ExitCode() <= exitUsage:
		return exit.ExitCode()
	default:
		return fail(fmt.Errorf("running the suite under Wine (%s %s): %v", tools.Wine, exe, err))
	}
}

// windowsPath is a path for the Windows program: an absolute path on drive
// Z:, where Wine shows /; a relative one as it is, since the Windows
// program starts in this directory.
func windowsPath(p string) string {
	if p == "" || !filepath.IsAbs(p) {
		return p
	}
	return wine.WindowsPath(p)
}

// mapiconfSource finds mapiconf's source, to build the Windows program
// from: the directory MAPICONF_SOURCE names; else, for a mapiconf installed
// at a release (go install ...@v1.2.0), that release in the module cache
// (go mod download); else the mapiconf of the module in the current
// directory: a checkout of mapiconf, or a module that requires it; else the
// checkout this command was built from (go install ./cmd/mapiconf, as the
// README says until the first release), so that it runs from the directory
// of any DLL.
func mapiconfSource() (string, error) {
	if dir := os.Getenv(sourceEnv); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "cmd", "mapiconf")); err != nil {
			return "", fmt.Errorf("%s=%s is not mapiconf's source: %v", sourceEnv, dir, err)
		}
		return dir, nil
	}
	if v := releaseVersion(); v != "" {
		out, err := exec.Command("go", "mod", "download", "-json", module+"@"+v).Output()
		var m struct{ Dir string }
		if err == nil && json.Unmarshal(out, &m) == nil && m.Dir != "" {
			return m.Dir, nil
		}
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if dir := strings.TrimSpace(string(out)); err == nil && dir != "" {
		return dir, nil
	}
	if dir := builtFrom(); dir != "" {
		return dir, nil
	}
	return "", fmt.Errorf("on %s, mapiconf runs a provider DLL as a Windows program under Wine, built from mapiconf's source, and cannot find it: run mapiconf in a checkout of mapiconf or in a module that requires it, or set %s to a checkout", runtime.GOOS, sourceEnv)
}

// builtFrom is the mapiconf source tree this command was compiled from, as
// the compiler recorded this file's path, if it is still there: "" for a
// build with -trimpath (the path is then relative) or a checkout since
// removed.
func builtFrom() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Dir(filepath.Dir(filepath.Dir(file))) // .../cmd/mapiconf/underwine.go
	if _, err := os.Stat(filepath.Join(dir, "cmd", "mapiconf", "underwine.go")); err != nil {
		return ""
	}
	return dir
}

// pseudo matches a pseudo-version (v0.0.0-20261125161500-f2749f5abc12), which
// a build from a checkout is stamped with: no proxy serves it.
var pseudo = regexp.MustCompile(`-(0\.)?\d{14}-[0-9a-f]{12}`)

// releaseVersion is the release of mapiconf this command was installed
// at, or "" for a build from a checkout.
func releaseVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Path != module {
		return ""
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" || strings.Contains(v, "+") || pseudo.MatchString(v) {
		return ""
	}
	return v
}

// dllConfig is for Windows: here testUnderWine runs the DLL.
func dllConfig(string, string, conformance.Profile, conformance.Capabilities, io.Writer) (conformance.Config, func(), error) {
	return conformance.Config{}, nil, errors.New("a provider DLL is loaded by mapiconf's Windows build only")
}
