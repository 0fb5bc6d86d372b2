package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
)

// The Windows program that loads a provider DLL is built from mapiconf's
// source when it is not this command: under Wine always (underwine.go);
// on Windows for a DLL of the other bitness (dll_windows.go).

// mapiconfSource finds mapiconf's source, to build the Windows program
// from, so that the Windows program is the same mapiconf as this command:
// the directory MAPICONF_SOURCE names; else, for a mapiconf installed at a
// release (go install ...@v1.2.0), that release in the module cache (go mod
// download); else the source tree this command was built from, if it is
// still there (go install ./cmd/mapiconf in a checkout, as the README says
// until the first release); else the mapiconf of the module in the current
// directory: a checkout of mapiconf, or a module that requires it.
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
	if dir := builtFrom(); dir != "" {
		return dir, nil
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", module).Output()
	if dir := strings.TrimSpace(string(out)); err == nil && dir != "" {
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
	dir := filepath.Dir(filepath.Dir(filepath.Dir(file))) // .../cmd/mapiconf/source.go
	if _, err := os.Stat(filepath.Join(dir, "cmd", "mapiconf", "source.go")); err != nil {
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
