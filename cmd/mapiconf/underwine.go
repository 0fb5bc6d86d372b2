//go:build !windows

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/dll"
	"github.com/mapiconf/mapiconf/internal/wine"
)

// newChild makes the child that tests a provider DLL on Linux (or any
// system but Windows): the DLL is Windows code, so the suite runs as a
// Windows program under Wine, as package dll's own tests do (docs/dll.md).
// It cross-builds this command for Windows from mapiconf's source, builds
// the guard with mingw-w64 unless -guard names one, and starts Wine.
func newChild(f *testFlags, stderr io.Writer) (ch child, err error) {
	if runtime.GOARCH != "amd64" {
		return ch, fmt.Errorf("a 64-bit provider DLL runs under Wine on an x86-64 machine only; this is %s", runtime.GOARCH)
	}
	tools, err := wine.Find()
	if err != nil {
		return ch, err
	}
	src, err := mapiconfSource()
	if err != nil {
		return ch, err
	}
	dir, err := os.MkdirTemp("", "mapiconf-wine")
	if err != nil {
		return ch, err
	}
	ch.cleanup = func() { os.RemoveAll(dir) }
	defer func() {
		if err != nil {
			ch.cleanup()
		}
	}()
	// Say what the silence is: with an empty Go build cache and a new Wine
	// prefix the first run takes minutes before the suite starts.
	fmt.Fprintf(stderr, "mapiconf: building mapiconf for Windows from %s and starting Wine (minutes the first time: docs/dll.md)\n", src)
	exe := filepath.Join(dir, "mapiconf.exe")
	if err := wine.GoBuild(src, "build", "-o", exe, "./cmd/mapiconf"); err != nil {
		return ch, err
	}
	ch.guard = f.guard
	if ch.guard == "" {
		if ch.guard, err = dll.BuildGuard(tools.CC, dir); err != nil {
			return ch, err
		}
	}
	prefix, err := wine.Prefix()
	if err != nil {
		return ch, err
	}
	if err := tools.Start(prefix); err != nil {
		return ch, err
	}
	ch.command = func(args ...string) *exec.Cmd {
		cmd := tools.Command(prefix, exe, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helpers are reaped with it
		return cmd
	}
	ch.path = windowsPath
	ch.reap = reapGroup
	return ch, nil
}

// reapGroup ends what is left of the child's process group once the child
// has ended: a program it started (Wine's debugger, explorer.exe) must not
// outlive the run, nor hold its output open. Wine's server is spared: the
// other runs in the prefix use it, and it ends by itself.
func reapGroup(cmd *exec.Cmd) {
	pgid := cmd.Process.Pid
	entries, err := os.ReadDir("/proc")
	if err != nil {
		syscall.Kill(-pgid, syscall.SIGKILL) // no /proc: the whole group
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...: comm may hold spaces.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(s[i+1:])
		comm := s[strings.IndexByte(s, '(')+1 : i]
		if len(fields) > 2 && fields[2] == strconv.Itoa(pgid) && !strings.HasPrefix(comm, "wineserver") {
			syscall.Kill(pid, syscall.SIGKILL)
		}
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

// exit ends this command with status.
func exit(status int) { os.Exit(status) }

// dllConfig is for Windows: here testUnderWine runs the DLL.
func dllConfig(*testFlags, conformance.Profile, conformance.Capabilities, io.Writer) (conformance.Config, func(), error) {
	return conformance.Config{}, nil, errors.New("a provider DLL is loaded by mapiconf's Windows build only")
}
