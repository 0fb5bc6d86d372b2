package report

import (
	"html/template"
	"io"
	"strings"
)

// WriteHTML writes one self-contained page (no script, no font, no image,
// nothing fetched) that a person opens: per provider the counts at the
// top, then the rules by section, and under each section every broken rule
// expanded with its sentence, the page's own sentence and each failing
// spec's call sequence, the offending calls marked.
func (r Run) WriteHTML(w io.Writer) error {
	return page.Execute(w, r)
}

// cssClass is a result as a CSS class name.
func cssClass(r Result) string {
	return strings.ReplaceAll(strings.ToLower(string(r)), " ", "-")
}

// traceLines splits a failure message into lines, marking the offending
// calls: the suite prints them with ▶ in the margin (the line that explains
// the mark has it too, further in).
func traceLines(msg string) []traceLine {
	var out []traceLine
	for _, l := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
		out = append(out, traceLine{Text: l, Offending: strings.HasPrefix(strings.TrimSpace(l), "▶")})
	}
	return out
}

type traceLine struct {
	Text      string
	Offending bool
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"class":  cssClass,
	"lines":  traceLines,
	"join":   strings.Join,
	"broken": func(r Rule) bool { return r.Result == Fail || r.Result == Error },
	"results": func() []Result {
		return Results
	},
	"count": func(p Provider, r Result) int { return p.Count()[r] },
	"score": func(p Provider) [2]int { a, b := p.Score(); return [2]int{a, b} },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mapiconf report{{range .Providers}}: {{.Title}}{{end}}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem; color: #1b1b1b; background: #fff; }
h1 { font-size: 1.5rem; margin: .2rem 0; }
h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 2px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
.meta { color: #555; margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: .8rem 0 .3rem; }
.counts li { padding: .35rem .7rem; border-radius: .4rem; }
.counts b { font-size: 1.3rem; margin-right: .25rem; }
.score { font-size: 1.1rem; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #e5e5e5; }
th { font-weight: 600; color: #555; }
td.id { white-space: nowrap; font-family: ui-monospace, monospace; }
td.result { white-space: nowrap; font-weight: 600; }
.reason { color: #555; font-size: .9em; }
.broken { font-weight: 600; color: #c62828; }
.broken a { color: #c62828; margin-right: .3rem; }
.pass { background: #e3f4e5; color: #1b5e20; }
.fail, .error { background: #c62828; color: #fff; }
.noted, .untested { background: #fff3cd; color: #6d4c00; }
.skipped, .not-run, .not-checked-yet, .self-check { background: #eceff1; color: #455a64; }
tr.fail td, tr.error td { background: #fdecea; color: #1b1b1b; }
tr.fail td.result, tr.error td.result { background: #c62828; color: #fff; }
details.failure { border: 2px solid #c62828; border-radius: .4rem; margin: .6rem 0; padding: .2rem .8rem .6rem; }
details.failure > summary { font-weight: 600; cursor: pointer; padding: .3rem 0; }
blockquote { margin: .4rem 0; padding: .2rem .8rem; border-left: 4px solid #90a4ae; color: #37474f; }
cite { display: block; font-size: .85em; color: #607d8b; }
h4 { font-size: .95rem; margin: .8rem 0 .2rem; }
pre.trace { background: #f6f8fa; padding: .5rem; overflow-x: auto; font: 12.5px/1.4 ui-monospace, monospace; margin: 0; }
pre.trace .offending { display: block; background: #ffd7d5; font-weight: 700; }
</style>
</head>
<body>
<header>
<h1>mapiconf conformance report</h1>
<p class="meta">mapiconf <span id="version">{{.Version}}</span> · RULES.md <span id="rules-revision">{{.RulesRevision}}</span></p>
</header>
{{range $pi, $p := .Providers}}
<section class="provider" id="provider-{{$pi}}">
<h2>{{$p.Title}}</h2>
{{with score $p}}<p class="score"><span class="passed">{{index . 0}}</span>/<span class="judged">{{index . 1}}</span> rules pass</p>{{end}}
<ul class="counts">
{{range results}}{{$n := count $p .}}{{if $n}}<li class="{{class .}}" data-result="{{.}}"><b>{{$n}}</b>{{.}}</li>
{{end}}{{end}}</ul>
<p class="meta">{{$p.SpecsLine}}</p>
{{with $p.Broken}}<p class="broken">Broken: {{range .}}<a href="#p{{$pi}}-{{.ID}}-failure">{{.ID}}</a> {{end}}</p>{{end}}
{{range $p.Sections}}
<h3>{{(index . 0).Section}}. {{(index . 0).SectionTitle}}</h3>
<table class="rules">
<tr><th>rule</th><th>strength</th><th>result</th><th>rule and why</th></tr>
{{range .}}<tr class="rule {{class .Result}}" id="p{{$pi}}-{{.ID}}" data-rule="{{.ID}}" data-result="{{.Result}}">
<td class="id">{{.ID}}</td><td>{{join .Strength " / "}}</td><td class="result">{{.Result}}</td>
<td>{{.Text}}<div class="reason">{{.Reason}}</div></td></tr>
{{end}}</table>
{{range .}}{{if broken .}}
<details class="failure" open id="p{{$pi}}-{{.ID}}-failure" data-rule="{{.ID}}">
<summary>{{.ID}} ({{join .Strength " / "}}) {{.Result}}: {{.Reason}}</summary>
<p class="rule-text">{{.Text}}</p>
<blockquote class="quote">{{.Quote}}<cite>{{.Source}}</cite></blockquote>
{{range $p.Failing .ID}}<h4>{{.Text}}</h4>
<pre class="trace">{{range lines .Message}}{{if .Offending}}<span class="offending">{{.Text}}</span>{{else}}{{.Text}}
{{end}}{{end}}</pre>
{{end}}</details>
{{end}}{{end}}
{{end}}
</section>
{{end}}
</body>
</html>
`))
