//go:build !windows

package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
// It cross-builds this command for Windows, of the DLL's bitness arch
// (amd64 or 386), from mapiconf's source, builds the guard with mingw-w64
// for the same unless -guard names one, and starts Wine.
func newChild(f *testFlags, arch string, stderr io.Writer) (ch child, err error) {
	if runtime.GOARCH != "amd64" {
		return ch, fmt.Errorf("a provider DLL runs under Wine on an x86-64 machine only; this is %s", runtime.GOARCH)
	}
	tools, err := wine.Find(arch)
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
	fmt.Fprintf(stderr, "mapiconf: building mapiconf for windows/%s from %s and starting Wine (minutes the first time: docs/dll.md)\n", arch, src)
	prefix, err := wine.Prefix()
	if err != nil {
		return ch, err
	}
	// Wine starts while the builds run: each is a process or two that
	// mostly waits (0.2 s or more a run when nothing is to be built).
	started := make(chan error, 1)
	go func() { started <- tools.Start(prefix) }()
	exe := filepath.Join(dir, "mapiconf.exe")
	err = buildWindows(tools, src, exe)
	ch.guard = f.guard
	if err == nil && ch.guard == "" {
		ch.guard, err = dll.BuildGuard(tools.CC, dir)
	}
	if serr := <-started; err == nil {
		err = serr
	}
	if err != nil {
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

// buildWindows cross-builds mapiconf from src into exe. The build goes to a
// file kept in the user's cache first, one per source tree and bitness,
// which go build leaves as it is when nothing changed (no link: about 1.5 s
// of CPU and 3 s a run), and is copied to exe from there, so that a later
// build does not replace the program this run is using. go build replaces
// the kept file by a rename (its temporary files are made beside it,
// GOTMPDIR), so a copy is of one whole build.
func buildWindows(tools wine.Tools, src, exe string) error {
	kept := keptBuild(src, tools.Arch)
	if kept == "" {
		return tools.GoBuild(src, "build", "-o", exe, "./cmd/mapiconf")
	}
	tmp := filepath.Join(filepath.Dir(kept), "tmp")
	if err := tools.GoBuildEnv([]string{"GOTMPDIR=" + tmp}, src, "build", "-o", kept, "./cmd/mapiconf"); err != nil {
		return err
	}
	if err := copyFile(exe, kept); err != nil {
		return tools.GoBuild(src, "build", "-o", exe, "./cmd/mapiconf")
	}
	return nil
}

// keptBuild is where the Windows build of the source tree src is kept, its
// directory made: "" when there is no user cache directory.
func keptBuild(src, arch string) string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(src))
	dir := filepath.Join(base, "mapiconf", "windows", hex.EncodeToString(sum[:6])+"-"+arch)
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		return ""
	}
	return filepath.Join(dir, "mapiconf.exe")
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
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

// exit ends this command with status.
func exit(status int) { os.Exit(status) }

// dllConfig is for Windows: here testUnderWine runs the DLL.
func dllConfig(*testFlags, conformance.Profile, conformance.Capabilities, io.Writer) (conformance.Config, func(), error) {
	return conformance.Config{}, nil, errors.New("a provider DLL is loaded by mapiconf's Windows build only")
}
