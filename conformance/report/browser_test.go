package report_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/conformance/report"
)

// chromium finds a headless browser, or skips the test with what to
// install; under .ci/run, which installs it, a missing browser fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "no headless browser: install Debian's chromium (apt-get install chromium) to check the HTML report in one"
	if os.Getenv("MAPICONF_REQUIRE_CHROMIUM") != "" {
		t.Fatal(msg + " (MAPICONF_REQUIRE_CHROMIUM is set: .ci/run installs it)")
	}
	t.Skip(msg)
	return ""
}

// browse opens the file in headless chromium with the given extra flags
// (--dump-dom, --screenshot=...), in a fresh profile, with nothing that
// reaches the network, and returns what it printed.
func browse(t *testing.T, browser, file string, flags ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}, flags...)
	cmd := exec.CommandContext(ctx, browser, append(args, "file://"+file)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", flags, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// The HTML report in a real browser: it renders, its counts are the run's,
// and a known-bad provider's broken rules are on the page, expanded, and in
// red on the first screen; a passing provider's first screen has no red.
func TestHTMLInChromium(t *testing.T) {
	t.Parallel()
	browser := chromium(t)
	dir := t.TempDir()
	write := func(name string, run report.Run) string {
		path := filepath.Join(dir, name+".html")
		f, _ := report.FormatByName("html")
		if err := run.WriteFile(path, f); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bad := knownBad(t, "no-stlt")
	badRun, _ := outcome(t, bad.Name, conformance.Deferred)
	badPage := write("no-stlt", badRun)
	goodRun, _ := outcome(t, "reference", conformance.Deferred)
	goodPage := write("reference", goodRun)

	dom := string(browse(t, browser, badPage, "--dump-dom"))
	p := badRun.Providers[0]
	n := p.Count()
	for _, res := range report.Results {
		chip := regexp.MustCompile(fmt.Sprintf(`<li class="[a-z-]+" data-result="%s"><b>(\d+)</b>`, regexp.QuoteMeta(string(res))))
		m := chip.FindStringSubmatch(dom)
		switch {
		case n[res] == 0 && m != nil:
			t.Errorf("the page counts %s rules %s, the run none", m[1], res)
		case n[res] > 0 && (m == nil || m[1] != fmt.Sprint(n[res])):
			t.Errorf("the page does not count %d rules %s (found %q)", n[res], res, m)
		}
	}
	passed, of := p.Score()
	if want := fmt.Sprintf(`<span class="passed">%d</span>/<span class="judged">%d</span> rules pass`, passed, of); !bytes.Contains([]byte(dom), []byte(want)) {
		t.Errorf("the page does not say %s", want)
	}
	for _, id := range bad.Declares[conformance.Deferred] {
		row := regexp.MustCompile(`<tr class="rule fail" id="p0-` + id + `" data-rule="` + id + `" data-result="FAIL">`)
		failure := regexp.MustCompile(`<details class="failure" open="[^"]*" id="p0-` + id + `-failure"`)
		if !row.MatchString(dom) || !failure.MatchString(dom) {
			t.Errorf("the page has no FAIL row and open failure for %s", id)
		}
	}
	if got := len(regexp.MustCompile(`<tr class="rule `).FindAllString(dom, -1)); got != len(p.Rules) {
		t.Errorf("the page shows %d rules, want %d", got, len(p.Rules))
	}

	// What a person sees first: 1280x700 pixels.
	if r := redPixels(t, browse(t, browser, badPage, "--window-size=1280,700", "--screenshot="+filepath.Join(dir, "bad.png")), filepath.Join(dir, "bad.png")); r < 500 {
		t.Errorf("no-stlt's report shows %d red pixels on the first screen; its broken rules should be there in red", r)
	}
	if r := redPixels(t, browse(t, browser, goodPage, "--window-size=1280,700", "--screenshot="+filepath.Join(dir, "good.png")), filepath.Join(dir, "good.png")); r != 0 {
		t.Errorf("the reference provider's report shows %d red pixels on the first screen, want none", r)
	}
}

// redPixels counts the pixels of the screenshot at path in the report's
// failure red (#c62828, give or take anti-aliasing).
func redPixels(t *testing.T, _ []byte, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 1000 || b.Dy() < 600 {
		t.Fatalf("the screenshot is %v, want 1280x700", b)
	}
	return count(img, func(r, g, b uint32) bool {
		return r > 0xb0 && r < 0xd8 && g > 0x18 && g < 0x40 && b > 0x18 && b < 0x40
	})
}

func count(img image.Image, match func(r, g, b uint32) bool) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if match(r>>8, g>>8, bl>>8) {
				n++
			}
		}
	}
	return n
}
