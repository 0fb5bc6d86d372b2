package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mapiconf/mapiconf/dll"
)

// doneEnv names the file in which a `mapiconf test` that runs as the child
// of another writes its exit status, as its last act. The parent believes
// a verdict only from that file: a provider DLL that ends the process
// (ExitProcess(0), exit, abort) ends it with a status of its own choosing,
// and no report.
const doneEnv = "MAPICONF_DONE"

// recordEnv names the call record (dll.Options.Record) the child keeps: it
// notes each call into the DLL as it starts, so that when the DLL ends the
// child, this command can say which call was running.
const recordEnv = "MAPICONF_CALL_RECORD"

// A child is how this system runs the suite against a DLL in a process of
// its own: on Windows this command again; elsewhere its Windows build
// under Wine (child_wine.go).
type child struct {
	command func(args ...string) *exec.Cmd
	path    func(string) string // a path of ours as the child spells it
	guard   string              // the -guard the child is given ("": its own)
	cleanup func()
	// reap ends whatever the child left running once it has ended (under
	// Wine: a debugger or explorer.exe, which would hold its output open).
	reap func(*exec.Cmd)
}

// testInChild tests a provider DLL in a child process running `mapiconf
// test` with the same flags, its output this command's: a DLL that crashes
// past the guard or ends the process then ends only the child, and this
// command says so instead of taking the child's exit status for a verdict.
func testInChild(fs *flag.FlagSet, f *testFlags, stdout, stderr io.Writer) int {
	fail := func(err error) int {
		fmt.Fprintf(stderr, "mapiconf test -dll: %v\n", err)
		return exitUsage
	}
	arch, err := checkDLL(f.dll, f.arch)
	if err != nil {
		return fail(err)
	}
	if f.guard != "" {
		if _, err := os.Stat(f.guard); err != nil {
			return fail(fmt.Errorf("-guard: %v", err))
		}
		if img, err := dll.Inspect(f.guard); err == nil && img.Arch != arch {
			return fail(fmt.Errorf("-guard %s is %s, and %s needs a guard of its own bitness", f.guard, img.Bitness(), f.dll))
		}
	}
	ch, err := newChild(f, arch, stderr)
	if err != nil {
		return fail(err)
	}
	defer ch.cleanup()
	dir, err := os.MkdirTemp("", "mapiconf-child")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(dir)
	done, record := filepath.Join(dir, "status"), filepath.Join(dir, "calls")

	// Every flag is given, so that the MAPICONF_ variables, which the
	// child also sees, change nothing; paths as the child spells them, and
	// spelled back in what it prints.
	args := []string{"test"}
	var back []string
	fs.VisitAll(func(fl *flag.Flag) {
		v := fl.Value.String()
		if fl.Name == "guard" {
			v = ch.guard
		}
		switch fl.Name {
		case "dll", "guard", "report-dir", "report":
			if c := ch.path(v); c != v {
				// A file in the report directory too: the longer first.
				back = append(back, c+`\`, v+"/", c, v)
				v = c
			}
		}
		args = append(args, "-"+fl.Name+"="+v)
	})
	cmd := ch.command(args...)
	cmd.Env = append(cmd.Env, doneEnv+"="+ch.path(done), recordEnv+"="+ch.path(record))
	out, errOut := &spelledBack{w: stdout, r: strings.NewReplacer(back...)}, &spelledBack{w: stderr, r: strings.NewReplacer(back...)}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, out, errOut
	// A helper the child started may hold its output open after it
	// ended; the output is not waited for longer than this.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("starting %s: %v", cmd.Path, err))
	}
	interrupted := forwardSignals(cmd.Process)
	capped := time.AfterFunc(f.runTimeout, func() { cmd.Process.Kill() })
	cmd.Wait()
	overtime := !capped.Stop()
	if ch.reap != nil {
		ch.reap(cmd)
	}
	out.flush()
	errOut.flush()
	if interrupted() {
		fmt.Fprintln(stderr, "mapiconf test: interrupted: no verdict")
		return exitUsage
	}
	b, rerr := os.ReadFile(done)
	status, serr := strconv.Atoi(strings.TrimSpace(string(b)))
	if rerr == nil && serr == nil && status >= exitPass && status <= exitUsage {
		return status
	}
	// The child ended before it could give a verdict: the DLL's doing,
	// as the suite itself records one on every path. The call record
	// says where it was.
	if r, err := dll.ReadCallRecord(record); err == nil && r.Loading && !overtime {
		timeout := f.callTimeout
		if timeout <= 0 {
			timeout = 2 * time.Second // the suite's default (conformance.Config)
		}
		fmt.Fprintf(stderr, "mapiconf test: dll: %s does not load: %s\n", f.dll, dll.LoadHangs(5*timeout))
		return exitUsage
	}
	fmt.Fprintf(stdout, "mapiconf: the gate FAILS: %s\n", noVerdict(cmd.ProcessState, record, overtime, f.runTimeout))
	return exitFail
}

// noVerdict says why a child that gave no verdict ended, where it was
// (its call record: the call in progress, the spec), and its exit status.
func noVerdict(ps *os.ProcessState, record string, overtime bool, cap time.Duration) string {
	where := "(it kept no call record: it ended before it loaded the DLL, or could not run at all)"
	var crash *dll.ThreadCrash
	if r, err := dll.ReadCallRecord(record); err == nil {
		where, crash = r.Where(), r.Crash
	}
	switch {
	case overtime:
		return fmt.Sprintf("the suite's process did not end within %v (-run-timeout), and was ended %s; no verdict", cap, where)
	case crash != nil:
		return fmt.Sprintf("%v, %s; an exception no code handles ends the process, in MAPI as here (%s)", crash, strings.Replace(where, "during ", "while the suite was in ", 1), exitStatus(ps))
	}
	return fmt.Sprintf("the suite's process ended with %s %s, before it could give a verdict: the provider DLL ended the process (ExitProcess, TerminateProcess, exit, abort) or crashed past the guard", exitStatus(ps), where)
}

// exitStatus names how a process ended: its exit status, or the signal.
func exitStatus(ps *os.ProcessState) string {
	switch {
	case ps == nil:
		return "no exit status"
	case ps.Exited():
		return fmt.Sprintf("exit status %d", ps.ExitCode())
	}
	return ps.String() // "signal: killed"
}

// checkDLL checks, before anything is built or started, that path is a
// DLL this suite can load, an x64 or an x86 Windows DLL exporting
// MSProviderInit, of the bitness want names if it names one (x64 or x86),
// and returns its bitness as GOARCH names it: the suite runs in a Windows
// build of the same, as 64-bit and 32-bit Outlook load only their own.
func checkDLL(path, want string) (string, error) {
	img, err := dll.Inspect(path)
	if err != nil {
		return "", fmt.Errorf("%s is no Windows DLL mapiconf can read: %v", path, err)
	}
	switch {
	case img.Arch == "":
		return "", fmt.Errorf("%s is built for machine 0x%x; mapiconf tests x64 (x86-64) and x86 (i386) provider DLLs, as Outlook loads them", path, img.Machine)
	case !img.DLL:
		return "", fmt.Errorf("%s is a Windows program, not a DLL: a provider is a DLL that exports MSProviderInit", path)
	}
	if want != "" {
		arch, ok := map[string]string{"x64": "amd64", "x86": "386"}[want]
		if !ok {
			return "", fmt.Errorf("-arch %q: x64 or x86", want)
		}
		if arch != img.Arch {
			return "", fmt.Errorf("%s is %s, not the %s build -arch asks for", path, img.Bitness(), want)
		}
	}
	if err := img.CheckEntryPoint(path); err != nil {
		return "", err
	}
	return img.Arch, nil
}

// forwardSignals passes an interrupt or a termination of this command on
// to the child, and kills it if it has not ended 10 s later; interrupted
// reports whether one came.
func forwardSignals(p *os.Process) (interrupted func() bool) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var got bool
	quit := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case sig := <-sigs:
			got = true
			if p.Signal(sig) != nil { // Windows sends no signals: its console gave the child the Ctrl+C already
				p.Kill()
			}
			select {
			case <-time.After(10 * time.Second):
				p.Kill()
			case <-quit:
			}
		case <-quit:
		}
	}()
	return func() bool {
		signal.Stop(sigs)
		close(quit)
		<-stopped
		return got
	}
}

// spelledBack writes what the child prints with each path given to it in
// its spelling (Z:\tmp\my.dll, under Wine) spelled as the user gave it.
// A possible start of such a path is held back until the rest comes.
type spelledBack struct {
	w   io.Writer
	r   *strings.Replacer
	buf []byte
}

func (s *spelledBack) Write(b []byte) (int, error) {
	s.buf = append(s.buf, b...)
	upto := len(s.buf)
	line := bytes.LastIndexByte(s.buf, '\n') + 1
	if j := bytes.LastIndex(s.buf[line:], []byte(`:\`)); j >= 0 {
		upto = max(line, line+j-1) // hold the last line back from its drive letter on
	}
	if _, err := io.WriteString(s.w, s.r.Replace(string(s.buf[:upto]))); err != nil {
		return 0, err
	}
	s.buf = append(s.buf[:0], s.buf[upto:]...)
	return len(b), nil
}

func (s *spelledBack) flush() {
	io.WriteString(s.w, s.r.Replace(string(s.buf)))
	s.buf = nil
}

// writeDone records status for the parent, when this command is a child.
func writeDone(status int) {
	if path := os.Getenv(doneEnv); path != "" {
		if err := os.WriteFile(path, []byte(strconv.Itoa(status)), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "mapiconf test: recording the verdict for the parent: %v\n", err)
		}
	}
}
