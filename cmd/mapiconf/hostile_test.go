package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/dll"
	"github.com/mapiconf/mapiconf/internal/wine"
	"github.com/mapiconf/mapiconf/internal/wine/winetest"
)

// hostileBudget bounds each hostile DLL's run: the 60 s, several
// times what a run takes here alone (6 to 21 s, the Windows build
// included), so that only a run that does not end by itself misses it.
// The command also builds its Windows half before the run, which on a
// loaded machine takes as long again: each run's deadline adds twice the
// time that build took here.
const hostileBudget = 60 * time.Second

// TestHostileDLL runs mapiconf test -dll on each DLL that breaks the way
// native code breaks and ends (or never starts) the process that loads it
// (winetest.Hostile, Process): each must end by itself within
// hostileBudget, with its exit status and output naming the call and the
// fault, or the cause, and leave no Wine program of its own behind.
func TestHostileDLL(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("this test is of the way through Wine")
	}
	tools := winetest.ForTest(t, wine.AMD64)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	guard, err := dll.BuildGuard(tools.CC, dir) // built once, given to every run
	if err != nil {
		t.Fatal(err)
	}
	env := []string{sourceEnv + "=" + root}
	_, took := buildForWindows(t, tools)
	budget := hostileBudget + 2*took
	prefix, err := wine.Prefix()
	if err != nil {
		t.Fatal(err)
	}
	// Once every run ended: none left a Wine debugger or explorer.exe
	// behind (which would hold a run's output open, and the next run).
	// Those running before the runs are not theirs: making a new prefix
	// leaves an explorer.exe for 5 to 10 s, and the other tests run
	// meanwhile.
	if err := tools.Start(prefix); err != nil {
		t.Fatal(err)
	}
	before := wineHelpers(prefix)
	t.Cleanup(func() {
		var left []string
		for _, h := range wineHelpers(prefix) {
			if !slices.Contains(before, h) {
				left = append(left, h)
			}
		}
		if len(left) > 0 {
			t.Errorf("left running in the prefix %s: %s", prefix, strings.Join(left, ", "))
		}
	})
	for _, h := range winetest.Hostile {
		if !h.Process {
			continue // package dll's TestHostile checks it in process
		}
		t.Run(h.Name, func(t *testing.T) {
			t.Parallel()
			// A Wine process a core; one that waits out a hang beside them.
			if !h.Hangs {
				defer busy()()
			}
			if err := winetest.BuildHostile(tools, root, dir, h); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), budget)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "test", "-dll", filepath.Join(dir, h.Name+".dll"), "-guard", guard,
				"-profile", "deferred", "-explore", "-1", "-no-color")
			for _, kv := range os.Environ() {
				if !strings.HasPrefix(kv, "MAPICONF_") {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, env...)
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			cmd.WaitDelay = 5 * time.Second
			start := time.Now()
			cmd.Run()
			took := time.Since(start)
			if ctx.Err() != nil {
				t.Fatalf("%s did not end within %v (%v and the Windows build):\n%s", h.Name, budget.Round(time.Second), hostileBudget, tail(out.String()))
			}
			if code := cmd.ProcessState.ExitCode(); code != h.Exit {
				t.Errorf("%s: exit %d, want %d:\n%s", h.Name, code, h.Exit, tail(out.String()))
			}
			for _, s := range h.Says {
				if !strings.Contains(out.String(), s) {
					t.Errorf("%s: the output does not say %q:\n%s", h.Name, s, tail(out.String()))
				}
			}
			t.Logf("%s: exit %d in %v", h.Name, cmd.ProcessState.ExitCode(), took.Round(100*time.Millisecond))
		})
	}
}

// tail is the end of a run's output, where the verdict is.
func tail(out string) string {
	lines := strings.Split(out, "\n")
	if len(lines) > 40 {
		lines = append([]string{"…"}, lines[len(lines)-40:]...)
	}
	return strings.Join(lines, "\n")
}

// wineHelpers lists the Wine debuggers and explorer.exe processes running
// in the prefix (by their WINEPREFIX), as "name (pid)".
func wineHelpers(prefix string) []string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var left []string
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		name := strings.ToLower(string(bytes.SplitN(cmdline, []byte{0}, 2)[0]))
		if !strings.Contains(name, "winedbg") && !strings.HasSuffix(name, "explorer.exe") {
			continue
		}
		environ, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if bytes.Contains(environ, []byte("WINEPREFIX="+prefix+"\x00")) {
			left = append(left, name+" ("+e.Name()+")")
		}
	}
	return left
}
