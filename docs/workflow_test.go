package docs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mapiconf/mapiconf/internal/wine"
)

// TestWorkflow runs each of the CI-gate guide's example workflows as a
// shell script, in the repository it is for: a provider's Go module made
// from the adapter guide, or, for a workflow that gives the action a DLL, a
// repository with the C reference provider as its source (src/mystore.c).
// Its run steps run as they are, the mapiconf action's step as action.yml
// runs it (action/gate.sh, with the inputs the workflow gives and the
// defaults of the rest), and GitHub's own actions (checkout, setup-go,
// upload-artifact) are left out, as here the checkout is made and Go is
// installed. Then the job passes, the reports the upload step names are
// there, and the job summary has the Markdown summary. A job with a matrix
// (strategy.matrix.include) runs once per entry, ${{ matrix.X }} filled in.
func TestWorkflow(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the adapter test through the action; skipped with -short")
	}
	root, guide := checkoutFile(t, "docs/ci-gate.md")
	action := loadAction(t, root)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(guide, -1)
	if len(blocks) < 2 {
		t.Fatalf("docs/ci-gate.md has %d yaml blocks, want the Go adapter's workflow and the DLL's", len(blocks))
	}
	for i, m := range blocks {
		t.Run(fmt.Sprintf("workflow %d", i+1), func(t *testing.T) {
			wf, err := parseYAML(string(m[1]))
			if err != nil {
				t.Fatalf("the workflow: %v", err)
			}
			entries := matrix(wf)
			if entries == nil {
				runWorkflow(t, root, action, wf)
				return
			}
			for _, entry := range entries {
				text := string(m[1])
				var names []string
				for k, v := range entry {
					text = strings.ReplaceAll(text, "${{ matrix."+k+" }}", fmt.Sprint(v))
					names = append(names, fmt.Sprintf("%s=%v", k, v))
				}
				slices.Sort(names)
				t.Run(strings.Join(names, ","), func(t *testing.T) {
					if strings.Contains(text, "${{ matrix.") {
						t.Fatalf("the workflow uses a matrix value its entry %v does not give", entry)
					}
					wf, err := parseYAML(text)
					if err != nil {
						t.Fatalf("the workflow: %v", err)
					}
					runWorkflow(t, root, action, wf)
				})
			}
		})
	}
}

// matrix is the include list of the strategy of the workflow's job: the
// runs GitHub makes of it, one per entry; nil without one.
func matrix(wf any) []map[string]any {
	jobs, _ := get(wf, "jobs").(map[string]any)
	var out []map[string]any
	for _, job := range jobs {
		include, _ := get(job, "strategy", "matrix", "include").([]any)
		for _, e := range include {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// checkoutFile returns the checkout's root and the text of its file rel.
func checkoutFile(t *testing.T, rel string) (root string, text []byte) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if text, err = os.ReadFile(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
		t.Fatal(err)
	}
	return root, text
}

// loadAction parses action.yml, which must be a composite action.
func loadAction(t *testing.T, root string) any {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	action, err := parseYAML(string(text))
	if err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	if get(action, "runs", "using") != "composite" {
		t.Fatalf("action.yml runs using %q, want composite", get(action, "runs", "using"))
	}
	return action
}

// runWorkflow runs the workflow wf, which uses the action, in the
// repository it is for.
func runWorkflow(t *testing.T, root string, action, wf any) {
	jobs, _ := get(wf, "jobs").(map[string]any)
	if len(jobs) != 1 {
		t.Fatalf("the workflow has %d jobs, want 1", len(jobs))
	}
	var script strings.Builder
	script.WriteString("set -e\n")
	var reportDir, dll string
	for _, job := range jobs {
		steps, _ := get(job, "steps").([]any)
		for i, step := range steps {
			uses, _ := get(step, "uses").(string)
			run, _ := get(step, "run").(string)
			switch {
			case run != "":
				fmt.Fprintf(&script, "# step %d\n%s\n", i+1, run)
			case strings.HasPrefix(uses, "mapiconf/mapiconf@"):
				with, _ := get(step, "with").(map[string]any)
				s, dir := actionScript(t, root, action, with)
				script.WriteString(s)
				reportDir = dir
				dll, _ = with["dll"].(string)
			case strings.HasPrefix(uses, "actions/checkout@"), strings.HasPrefix(uses, "actions/setup-go@"):
			default:
				t.Errorf("step %d uses %q: this test does not know how to run it", i+1, uses)
			}
		}
	}
	if reportDir == "" {
		t.Fatal("the workflow does not use the mapiconf action")
	}
	var dir, heading string
	if dll != "" {
		if !haveWine(t) {
			t.Skip("the workflow runs a provider DLL, which needs Wine and mingw-w64 here")
		}
		dir, heading = dllRepository(t, root), "## mapiconf: "+filepath.Base(dll)+" (deferred profile): ✅"
	} else {
		dir, heading = providerModule(t, root), "## mapiconf: myprovider (deferred profile): ✅"
	}
	summary := filepath.Join(t.TempDir(), "summary.md")
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Dir = dir
	cmd.Env = append(goEnv(t), "GITHUB_ACTION_PATH="+root, "GITHUB_STEP_SUMMARY="+summary, "RUNNER_TEMP="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the workflow failed: %v\n%s\nscript:\n%s", err, out, script.String())
	}
	for _, name := range []string{"mapiconf.xml", "mapiconf.json", "mapiconf.md", "mapiconf.html", "mapiconf.svg"} {
		if _, err := os.Stat(filepath.Join(dir, reportDir, name)); err != nil {
			t.Errorf("the upload step would miss %s: %v", name, err)
		}
	}
	if b, err := os.ReadFile(summary); err != nil || !strings.Contains(string(b), heading) {
		t.Errorf("the job summary does not have the Markdown summary %q (%v):\n%s", heading, err, b)
	}
}

// dllRepository is a provider's repository whose provider is C: the C
// reference provider as src/mystore.c.
func dllRepository(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(root, "reference", "c", "provider.c"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "mystore.c"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// actionScript is the shell that action.yml's steps amount to, with the
// given inputs: each run step with its env, ${{ inputs.X }} filled in; each
// step that uses another action is left out, and the upload step's path
// returned, which must be the report directory.
func actionScript(t *testing.T, root string, action any, with map[string]any) (script, uploads string) {
	t.Helper()
	inputs := map[string]string{}
	decl, _ := get(action, "inputs").(map[string]any)
	for name, in := range decl {
		def, _ := get(in, "default").(string)
		inputs[name] = def
	}
	for name, v := range with {
		if _, ok := decl[name]; !ok {
			t.Errorf("the workflow gives input %q, which action.yml does not declare", name)
		}
		inputs[name] = fmt.Sprint(v)
	}
	expr := regexp.MustCompile(`\$\{\{\s*inputs\.([a-z-]+)\s*\}\}`)
	fill := func(s string) string {
		return expr.ReplaceAllStringFunc(s, func(m string) string { return inputs[expr.FindStringSubmatch(m)[1]] })
	}
	var b strings.Builder
	steps, _ := get(action, "runs", "steps").([]any)
	for i, step := range steps {
		run, _ := get(step, "run").(string)
		if run == "" {
			if uses, _ := get(step, "uses").(string); strings.HasPrefix(uses, "actions/upload-artifact@") {
				uploads = fill(fmt.Sprint(get(step, "with", "path")))
			}
			continue
		}
		if sh := get(step, "shell"); sh != "bash" {
			t.Errorf("action step %d runs in %v, want bash", i+1, sh)
		}
		fmt.Fprintf(&b, "# action step %d\n(\n", i+1)
		env, _ := get(step, "env").(map[string]any)
		for k, v := range env {
			fmt.Fprintf(&b, "export %s=%s\n", k, shellQuote(fill(fmt.Sprint(v))))
		}
		fmt.Fprintf(&b, "%s\n)\n", fill(run))
	}
	if uploads == "" || uploads != inputs["report-dir"] {
		t.Errorf("the action uploads %q, want the report directory %q", uploads, inputs["report-dir"])
	}
	return b.String(), uploads
}

// get follows keys into nested mappings; nil when one is missing.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestActionWithoutGoTest runs the action as a repository without a Go
// adapter test uses it: the mapiconf command built from the action's
// checkout, on a known-bad provider named by input, or on a known-bad
// provider DLL, the C reference provider that never calls
// StoreLogoffTransports. The job fails, and the reports and the job summary
// say why. (The action on an x86 DLL, with the arch input, runs in
// TestWorkflow: the CI-gate guide's matrix has an x86 entry.)
func TestActionWithoutGoTest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the mapiconf command; skipped with -short")
	}
	root, _ := checkoutFile(t, "action.yml")
	action := loadAction(t, root)
	for _, c := range []struct {
		name    string
		with    map[string]any
		heading string
	}{
		{"provider", map[string]any{"provider": "no-stlt", "profile": "deferred", "explore": "-1"}, "## mapiconf: no-stlt (deferred profile): ❌"},
		{"dll", map[string]any{"dll": "build/no-stlt.dll", "profile": "deferred", "explore": "-1"}, "## mapiconf: no-stlt.dll (deferred profile): ❌"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, summary := t.TempDir(), filepath.Join(t.TempDir(), "summary.md")
			if dll, ok := c.with["dll"].(string); ok {
				if !haveWine(t) {
					t.Skip("a provider DLL needs Wine and mingw-w64 here")
				}
				tools, _ := wine.Find(wine.AMD64)
				if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(dll)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := tools.BuildDLL(filepath.Join(dir, dll), filepath.Join(root, "reference", "c", "provider.c"), "-DFLAW_NO_STLT"); err != nil {
					t.Fatal(err)
				}
			}
			script, reportDir := actionScript(t, root, action, c.with)
			cmd := exec.Command("bash", "-c", script)
			cmd.Dir = dir
			cmd.Env = append(goEnv(t), "GITHUB_ACTION_PATH="+root, "GITHUB_STEP_SUMMARY="+summary, "RUNNER_TEMP="+t.TempDir())
			out, err := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != 1 {
				t.Fatalf("the action: exit status %d (%v), want 1:\n%s", code, err, out)
			}
			if !strings.Contains(string(out), "mapiconf: the gate FAILS") {
				t.Errorf("the log does not say the gate fails:\n%s", out)
			}
			for _, name := range []string{"mapiconf.xml", "mapiconf.json", "mapiconf.md", "mapiconf.html", "mapiconf.svg"} {
				if _, err := os.Stat(filepath.Join(dir, reportDir, name)); err != nil {
					t.Errorf("the upload step would miss %s: %v", name, err)
				}
			}
			if b, err := os.ReadFile(summary); err != nil || !strings.Contains(string(b), c.heading) {
				t.Errorf("the job summary does not say %q (%v):\n%s", c.heading, err, b)
			}
		})
	}
}
