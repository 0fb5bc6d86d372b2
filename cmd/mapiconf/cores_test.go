package main

import (
	"flag"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/internal/wine"
)

// Most of these tests run mapiconf test in processes of their own, many of
// them a Windows program under Wine, and wait for them. -parallel's
// default, GOMAXPROCS, suits tests that keep a core busy themselves: here
// it kept a test that waits out a hang's timeout (a DllMain that hangs
// waits 10 s) in one of two slots while the other tests queued behind it.
// So the tests run with a larger -parallel unless one is given, and the
// commands that keep a core busy (a conformance run, through Wine or not)
// take one of cores' slots, one a core as before; a run that waits out a
// hang takes none, and its wait overlaps the others' work.
var cores = make(chan struct{}, runtime.NumCPU())

// busy takes a core until the function it returns is called.
func busy() (done func()) {
	cores <- struct{}{}
	return func() { <-cores }
}

// parallelUnlessGiven sets -parallel to n unless the command line gave it;
// flag.Parse must have run.
func parallelUnlessGiven(n string) {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", n)
	}
}

// windowsBuilds are this command's Windows builds, one a bitness, made
// once for the tests that run it under Wine (TestDLL) or time it
// (TestHostileDLL).
var windowsBuilds sync.Map // arch -> func() windowsBuild

type windowsBuild struct {
	exe  string
	took time.Duration // how long the build took
	err  error
}

// buildForWindows returns this command built for the tools' bitness, and
// how long that build took.
func buildForWindows(t *testing.T, tools wine.Tools) (exe string, took time.Duration) {
	t.Helper()
	f, _ := windowsBuilds.LoadOrStore(tools.Arch, sync.OnceValue(func() windowsBuild {
		root, err := filepath.Abs("../..")
		if err != nil {
			return windowsBuild{err: err}
		}
		exe := filepath.Join(filepath.Dir(binary), "windows-"+tools.Arch, "mapiconf.exe")
		start := time.Now()
		err = tools.GoBuild(root, "build", "-o", exe, "./cmd/mapiconf")
		return windowsBuild{exe, time.Since(start), err}
	}))
	b := f.(func() windowsBuild)()
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.exe, b.took
}
