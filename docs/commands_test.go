// Package docs keeps the commands of README.md and docs/*.md true: it runs
// every fenced shell block where the block says it runs (a copy of the
// checkout, a provider's module made from the adapter guide, or anywhere,
// with mapiconf installed by go install from a clean module cache), checks
// what each command ran against what its flags select, and runs the CI-gate
// guide's workflow through the GitHub Action's script.
package docs

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/mapiconf/mapiconf/internal/keptdir"
	"github.com/mapiconf/mapiconf/internal/wine"
	"github.com/mapiconf/mapiconf/internal/wine/winetest"
)

// A block is a fenced shell block of a document. Its first line says where
// its commands run, for the reader and for this test.
type block struct {
	doc      string // file name, relative to the checkout
	line     int    // of the opening fence
	where    string // one of the places below
	commands []string
}

const (
	checkout = "# in a mapiconf checkout"
	provider = "# in your provider's module"
	anywhere = "# anywhere"
)

// documents are the files whose shell blocks are run.
func documents(t *testing.T, root string) []string {
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{filepath.Join(root, "README.md")}, docs...)
}

// shellBlocks returns the fenced sh blocks of the file at path.
func shellBlocks(t *testing.T, root, path string) []block {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(root, path)
	var out []block
	var cur *block
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(line, "```sh"):
			cur = &block{doc: rel, line: n}
		case cur == nil:
		case line == "```":
			out = append(out, *cur)
			cur = nil
		case cur.where == "":
			if line != checkout && line != provider && line != anywhere {
				t.Errorf("%s:%d: a shell block starts with %q, %q or %q, to say where it runs; this one starts with %q", rel, n, checkout, provider, anywhere, line)
			}
			cur.where = line
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
		case len(cur.commands) > 0 && strings.HasSuffix(cur.commands[len(cur.commands)-1], `\`):
			last := &cur.commands[len(cur.commands)-1]
			*last = strings.TrimSuffix(*last, `\`) + " " + strings.TrimSpace(line)
		default:
			cur.commands = append(cur.commands, line)
		}
	}
	if cur != nil {
		t.Errorf("%s:%d: the shell block is never closed", rel, cur.line)
	}
	return out
}

// TestCommands runs every command of the docs' shell blocks, in the order
// of the docs (README.md first), each where its block says. The two that
// .ci/run itself runs, word for word, are left to it: the whole test suite
// and the conformance run.
func TestCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the documented commands; skipped with -short")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []block
	for _, doc := range documents(t, root) {
		blocks = append(blocks, shellBlocks(t, root, doc)...)
	}
	w := &world{root: root}
	places := map[string]*place{}
	ran, ginkgoFlags := 0, 0
	for _, b := range blocks {
		if b.doc == setupDoc && slices.ContainsFunc(b.commands, isSetup) {
			continue // run when the provider's module was made
		}
		for _, cmd := range b.commands {
			name := fmt.Sprintf("%s:%d %s", b.doc, b.line, cmd)
			if b.where == checkout && slices.Contains(strings.Split(string(ci), "\n"), cmd) {
				t.Logf("%s: .ci/run runs it", name)
				continue
			}
			if needsWine(cmd) && !haveWine(t) {
				t.Logf("%s: skipped: it runs a provider DLL, which needs Wine and mingw-w64 here", name)
				continue
			}
			p := places[b.where]
			if p == nil {
				p = w.place(t, b.where, blocks)
				places[b.where] = p
			}
			if !t.Run(name, func(t *testing.T) { p.check(t, cmd) }) && b.where == anywhere {
				return // the commands after it need mapiconf installed
			}
			ran++
			if passesGinkgoFlags(cmd) {
				ginkgoFlags++
			}
		}
	}
	// The README's, the adapter guide's and the CI gate's: if there are
	// fewer, the extraction lost some.
	if ginkgoFlags < 6 || ran < 14 {
		t.Errorf("ran %d commands of the docs, %d of them passing Ginkgo flags; want at least 14 and 6", ran, ginkgoFlags)
	}
}

// needsWine reports whether cmd builds or runs a provider DLL, which on
// Linux takes Wine and mingw-w64 (docs/dll.md).
func needsWine(cmd string) bool {
	return strings.Contains(cmd, "mingw32-gcc") || strings.Contains(cmd, " -dll ") || strings.Contains(cmd, "conformance-dll")
}

// haveWine reports whether the DLL commands, x64 and x86, can run here;
// when they must (MAPICONF_REQUIRE_WINE=1, as in CI) and cannot, the test
// fails.
func haveWine(t *testing.T) bool {
	for _, arch := range winetest.Arches { // the docs build and run x64 and x86 DLLs
		if _, err := wine.Find(arch); err != nil {
			if os.Getenv(winetest.RequireEnv) == "1" {
				t.Fatal(err)
			}
			return false
		}
	}
	return true
}

// runsSuite reports whether the command runs the suite through go test or
// the Ginkgo CLI.
func runsSuite(args []string) bool {
	for i := range args {
		if i+1 < len(args) && args[i] == "go" && args[i+1] == "test" || i+2 < len(args) && args[i] == "go" && args[i+1] == "tool" && args[i+2] == "ginkgo" {
			return true
		}
	}
	return false
}

// reportDir is the directory the command asks for reports in, if any.
func reportDir(args []string) string {
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "MAPICONF_REPORT_DIR="); ok {
			return v
		}
		if (a == "-report-dir" || a == "--report-dir") && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// passesGinkgoFlags reports whether cmd hands Ginkgo flags to a suite.
func passesGinkgoFlags(cmd string) bool {
	return strings.Contains(cmd, "-ginkgo.") || strings.HasPrefix(cmd, "go tool ginkgo --")
}

// A place is a directory where documented commands run, with the specs its
// suites hold, from a dry run, to know what a label filter selects.
type place struct {
	dir     string
	env     []string
	version string             // what mapiconf version says there
	specs   []types.SpecReport // every spec of its suites, unfiltered
}

// A world is what the places share: a module cache as a new user's machine
// has it, empty but for what the commands fetch, and a module proxy that
// serves this checkout as a release of mapiconf; and a GOBIN on the PATH.
type world struct {
	root     string
	released []string // the environment of a machine where mapiconf is released
	bin      string
}

// setupDoc is the document whose setup block makes a provider's module use
// mapiconf: the block with the command isSetup recognises.
const setupDoc = "docs/adapter.md"

func isSetup(cmd string) bool { return strings.HasPrefix(cmd, "go get github.com/mapiconf/mapiconf") }

func (w *world) env(t *testing.T) []string {
	if w.released == nil {
		modcache := t.TempDir()
		// The module cache is read-only; go clean empties it before the
		// temporary directory goes.
		t.Cleanup(func() {
			c := exec.Command("go", "clean", "-modcache")
			c.Env = append(os.Environ(), "GOMODCACHE="+modcache)
			c.Run()
		})
		w.bin = t.TempDir()
		w.released = append(goEnv(t), "GOMODCACHE="+modcache, "GOBIN="+w.bin,
			"PATH="+w.bin+string(os.PathListSeparator)+os.Getenv("PATH"), "GOTOOLCHAIN=local",
			"GOPROXY=file://"+filepath.ToSlash(moduleProxy(t, w.root))+","+localProxy(t))
	}
	return w.released
}

// place makes the place where a block says its commands run.
func (w *world) place(t *testing.T, where string, blocks []block) *place {
	t.Helper()
	p := &place{}
	suites := "./..."
	switch where {
	case checkout:
		// A clone of the checkout, with this machine's module cache.
		p.dir, suites, p.version = copyCheckout(t, w.root), "./suites/...", "(devel)"
		bin := t.TempDir()
		p.env = append(goEnv(t), "GOBIN="+bin, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	case provider:
		// A provider's module as the adapter guide makes it: the
		// provider's package and the guide's test file, then the guide's
		// setup commands.
		p.dir, p.env = bareProviderModule(t, w.root), w.env(t)
		setup := 0
		for _, b := range blocks {
			if b.doc == setupDoc && slices.ContainsFunc(b.commands, isSetup) {
				for _, cmd := range b.commands {
					if !t.Run(fmt.Sprintf("%s:%d %s", b.doc, b.line, cmd), func(t *testing.T) { p.run(t, cmd) }) {
						t.FailNow()
					}
					setup++
				}
			}
		}
		if setup == 0 {
			t.Fatalf("%s has no block with `go get github.com/mapiconf/mapiconf`: how does a provider's module get it?", setupDoc)
		}
	case anywhere:
		// A directory of the user's, not a module, holding their
		// provider DLL: the C reference provider as mystore.dll.
		p.dir, p.env, p.version = t.TempDir(), w.env(t), proxyVersion+"\n"
		if haveWine(t) {
			tools, _ := wine.Find(wine.AMD64)
			if err := tools.BuildDLL(filepath.Join(p.dir, "mystore.dll"), filepath.Join(w.root, "reference", "c", "provider.c")); err != nil {
				t.Fatal(err)
			}
		}
		return p
	}
	all := filepath.Join(t.TempDir(), "all.json")
	p.run(t, "go run github.com/onsi/ginkgo/v2/ginkgo --dry-run --json-report="+all+" "+suites)
	var reports []types.Report
	readJSON(t, all, &reports)
	for _, r := range reports {
		for _, sr := range r.SpecReports {
			if sr.LeafNodeType == types.NodeTypeIt {
				p.specs = append(p.specs, sr)
			}
		}
	}
	if len(p.specs) == 0 {
		t.Fatalf("a dry run of the Ginkgo CLI %s found no specs: it does not see the suite (does a test file import Ginkgo?)", strings.TrimPrefix(where, "# "))
	}
	return p
}

// goEnv is the environment of the documented commands: this one, with
// modules resolved from the local module cache first, so that `go get` needs
// no network when the cache has what it asks for.
func goEnv(t *testing.T) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MAPICONF_") {
			env = append(env, kv)
		}
	}
	return append(env, "GOFLAGS=", "GOWORK=off", "GOSUMDB=off", "GOPROXY="+localProxy(t))
}

// localProxy is this machine's module cache as a module proxy, then the
// proxy go is set up with.
func localProxy(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMODCACHE", "GOPROXY").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	v := strings.Split(strings.TrimSpace(string(out)), "\n")
	return "file://" + filepath.ToSlash(filepath.Join(v[0], "cache", "download")) + "," + v[1]
}

// run runs a shell command in the place and returns its combined output.
func (p *place) run(t *testing.T, cmd string, env ...string) string {
	t.Helper()
	c := exec.Command("bash", "-c", cmd)
	c.Dir, c.Env = p.dir, append(slices.Clip(p.env), env...) // the places share their world's env: never append into it
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	return string(out)
}

// check runs cmd and checks that it ran exactly the specs its label filter
// selects, and that the reports and the colour flag it passes took effect.
func (p *place) check(t *testing.T, cmd string) {
	args := words(t, cmd)
	filter := flagValue(args, "label-filter")
	lf, err := types.ParseLabelFilter(filter)
	if err != nil {
		t.Fatalf("label filter %q: %v", filter, err)
	}
	want := 0
	for _, sr := range p.specs {
		if lf(sr.Labels()) {
			want++
		}
	}
	tmp := t.TempDir()
	report := filepath.Join(tmp, "mapiconf.json")
	out := p.run(t, cmd, "MAPICONF_REPORT="+report)
	if dir := reportDir(args); dir != "" {
		for _, name := range []string{"mapiconf.xml", "mapiconf.json", "mapiconf.md", "mapiconf.html", "mapiconf.svg"} {
			if fi, err := os.Stat(filepath.Join(p.dir, dir, name)); err != nil || fi.Size() == 0 {
				t.Errorf("the command did not write %s into %s: %v", name, dir, err)
			}
		}
	}
	if len(args) == 2 && args[0] == "mapiconf" && args[1] == "version" && !strings.HasPrefix(out, "mapiconf "+p.version) {
		t.Errorf("mapiconf installed at %s says:\n%s", p.version, out)
	}
	if p.specs == nil || !runsSuite(args) {
		return // a command that runs no suite, or the mapiconf command, which cmd/mapiconf's tests check
	}

	// The suite's own report says which specs ran.
	var rep struct {
		Providers []struct {
			Specs []struct{ Status string }
		}
	}
	readJSON(t, report, &rep)
	got, skipped := 0, 0
	for _, p := range rep.Providers {
		for _, s := range p.Specs {
			if s.Status != "not run" {
				got++
			}
			if s.Status == "skipped" {
				skipped++ // a capability or the profile leaves it out: Ginkgo skips it
			}
		}
	}
	if got != want {
		t.Errorf("ran %d specs; the label filter %q selects %d of %d", got, filter, want, len(p.specs))
	}
	want -= skipped
	if f := flagValue(args, "junit-report"); f != "" {
		var j junit
		path := filepath.Join(p.dir, f)
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("the JUnit report: %v", err)
		}
		if err := xml.Unmarshal(b, &j); err != nil {
			t.Fatalf("the JUnit report %s: %v", path, err)
		}
		ran, passed := 0, 0
		for _, s := range j.Suites {
			for _, c := range s.Cases {
				if strings.HasPrefix(c.Name, "[It]") && c.Status != "skipped" {
					ran++
					if c.Status == "passed" {
						passed++
					}
				}
			}
		}
		if ran != want || passed != want {
			t.Errorf("the JUnit report has %d testcases run, %d passed; want %d, all passed", ran, passed, want)
		}
		os.Remove(path)
	}
	if flagValue(args, "no-color") == "true" && strings.Contains(out, "\x1b[") {
		t.Errorf("the output has colour codes despite no-color:\n%s", out)
	}
	if flagValue(args, "v") == "true" {
		if m := regexp.MustCompile(`Ran (\d+) of (\d+) Specs`).FindStringSubmatch(out); m == nil || m[1] != fmt.Sprint(want) {
			t.Errorf("the verbose output does not say it ran %d specs:\n%s", want, out)
		}
	}
}

// junit is the part of a JUnit file the check reads.
type junit struct {
	Suites []struct {
		Cases []struct {
			Name   string `xml:"name,attr"`
			Status string `xml:"status,attr"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// flagValue returns the value of the Ginkgo flag name as the command passes
// it, to the CLI (--name) or to a test binary (-ginkgo.name), "true" for a
// boolean one, "" when absent.
func flagValue(args []string, name string) string {
	for _, a := range args {
		for _, prefix := range []string{"--", "-ginkgo.", "--ginkgo."} {
			if a == prefix+name {
				return "true"
			}
			if v, ok := strings.CutPrefix(a, prefix+name+"="); ok {
				return v
			}
		}
	}
	return ""
}

// words splits a command line as the shell would, for the quoting the docs
// use: single and double quotes, no expansions.
func words(t *testing.T, cmd string) []string {
	var out []string
	var w strings.Builder
	inWord := false
	var quote rune
	for _, r := range cmd {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			w.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				out = append(out, w.String())
				w.Reset()
				inWord = false
			}
		default:
			w.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		t.Fatalf("unclosed quote in %s", cmd)
	}
	if inWord {
		out = append(out, w.String())
	}
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the command wrote no report: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// copyCheckout copies the checkout's files, as git lists them, to a
// temporary directory, so that the commands write nothing into the source
// tree.
func copyCheckout(t *testing.T, root string) string {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("listing the checkout's files needs git: %v", err)
	}
	// At the same path on every run (emptied first), so that the
	// commands' builds of it come from Go's build cache the next time.
	dst := keptdir.For(t, "docs-checkout")
	for _, name := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		b, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dst, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// bareProviderModule makes a provider's module before it uses mapiconf:
// the go.mod that go mod init writes, the provider's package (mapiconf's
// reference provider stands in for theirs) and the adapter guide's test
// file.
func bareProviderModule(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":             "module example.com/myprovider\n\ngo 1.26.0\n",
		"myprovider_test.go": guideTestFile(t, root),
		"myprovider.go":      providerGo,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A provider author pastes the adapter guide's test file: it is as gofmt
// writes it, so that their lint does not start by rewriting it.
func TestGuideTestFileFormatted(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	code := guideTestFile(t, root)
	formatted, err := format.Source([]byte(code))
	if err != nil {
		t.Fatalf("docs/adapter.md's test file does not parse: %v", err)
	}
	if string(formatted) != code {
		t.Errorf("docs/adapter.md's test file is not as gofmt writes it; gofmt makes it:\n%s", formatted)
	}
}

// guideTestFile is the adapter guide's test file.
func guideTestFile(t *testing.T, root string) string {
	t.Helper()
	guide, err := os.ReadFile(filepath.Join(root, "docs", "adapter.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, blk := range strings.Split(string(guide), "```go\n")[1:] {
		code, _, _ := strings.Cut(blk, "```")
		if strings.HasPrefix(code, "package myprovider_test") {
			return code
		}
	}
	t.Fatal("docs/adapter.md has no Go block starting with package myprovider_test")
	return ""
}

// providerModule makes, quickly, the module a provider author has after
// following the adapter guide: the guide's test file, a provider package
// (mapiconf's reference provider stands in for theirs), and the example
// module's go.mod and go.sum, pointed at this checkout, so that mapiconf's
// packages build from it. (TestCommands makes it as the guide says.)
func providerModule(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	testFile := guideTestFile(t, root)
	mod, err := os.ReadFile(filepath.Join(root, "examples", "thirdparty", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gomod := strings.Replace(string(mod), "module example.com/thirdparty", "module example.com/myprovider", 1)
	gomod = strings.ReplaceAll(gomod, "=> ../..", "=> "+root)
	sum, err := os.ReadFile(filepath.Join(root, "examples", "thirdparty", "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod":             gomod,
		"go.sum":             string(sum),
		"myprovider_test.go": testFile,
		"myprovider.go":      providerGo,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const providerGo = `// Package myprovider stands in for a provider author's package: mapiconf's
// reference provider, with the capabilities the adapter guide declares.
package myprovider

import (
	"github.com/mapiconf/mapiconf/mapi"
	"github.com/mapiconf/mapiconf/reference"
)

func New() mapi.IMSProvider {
	return reference.New(reference.Options{Deferred: true, StatusRow: true})
}
`

// proxyVersion is the release version moduleProxy serves the checkout as.
const proxyVersion = "v0.1.0"

// moduleProxy lays out a module proxy, as a directory, that serves this
// checkout as github.com/mapiconf/mapiconf at proxyVersion: what
// `go install github.com/mapiconf/mapiconf/cmd/mapiconf@latest` sees once
// the module is released. It proves that the module installs from a clean
// module cache (no replace directives, nothing outside the module needed).
func moduleProxy(t *testing.T, root string) string {
	t.Helper()
	const module = "github.com/mapiconf/mapiconf"
	out, err := exec.Command("git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Skipf("listing the checkout's files needs git: %v", err)
	}
	names := strings.Split(strings.TrimSpace(string(out)), "\n")
	// A directory with a go.mod of its own is another module: not in the zip.
	var nested []string
	for _, name := range names {
		if filepath.Base(name) == "go.mod" && name != "go.mod" {
			nested = append(nested, filepath.Dir(name)+"/")
		}
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for _, name := range names {
		if slices.ContainsFunc(nested, func(dir string) bool { return strings.HasPrefix(name, dir) }) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(module + "@" + proxyVersion + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	at := filepath.Join(dir, module, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"list":                 []byte(proxyVersion + "\n"),
		proxyVersion + ".info": []byte(`{"Version":"` + proxyVersion + `"}`),
		proxyVersion + ".mod":  gomod,
		proxyVersion + ".zip":  zbuf.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(at, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
