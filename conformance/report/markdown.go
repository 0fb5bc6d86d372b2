package report

import (
	"fmt"
	"io"
	"strings"
)

// markdownLimit keeps a summary within what a pull-request comment takes
// (GitHub's limit is 65,536 characters), with room to spare.
const markdownLimit = 60000

// WriteMarkdown writes a summary fit for a pull-request comment or a CI job
// summary: per provider the counts, a table of every rule that did not
// pass, and each failure folded with its rule, the page's sentence and its
// first failing spec's call sequence.
func (r Run) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	for _, p := range r.Providers {
		n := p.Count()
		broken := n[Fail] + n[Error]
		verdict := "✅ every rule judged passes"
		if broken > 0 {
			verdict = fmt.Sprintf("❌ %d rule(s) broken", broken)
		}
		passed, of := p.Score()
		fmt.Fprintf(&b, "## mapiconf: %s: %s\n\n", p.Title(), verdict)
		fmt.Fprintf(&b, "**%d/%d rules pass.** %s. %s.  \n", passed, of, p.CountsLine(), p.SpecsLine())
		fmt.Fprintf(&b, "mapiconf %s, RULES.md %s\n\n", r.Version, r.RulesRevision)
		var rows []Rule
		for _, rule := range p.Rules {
			if rule.Result != Pass {
				rows = append(rows, rule)
			}
		}
		if len(rows) > 0 {
			b.WriteString("| rule | strength | result | why |\n|---|---|---|---|\n")
			for _, rule := range rows {
				res := string(rule.Result)
				if rule.Result == Fail || rule.Result == Error {
					res = "**" + res + "**"
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", rule.ID, strings.Join(rule.Strength, " / "), res, mdCell(rule.Reason))
			}
			b.WriteString("\n")
		}
		for _, rule := range rows {
			if rule.Result != Fail && rule.Result != Error {
				continue
			}
			fmt.Fprintf(&b, "<details><summary><b>%s</b> (%s) %s: %s</summary>\n\n", rule.ID, strings.Join(rule.Strength, " / "), rule.Result, htmlText(rule.Text))
			fmt.Fprintf(&b, "> %s\n>\n> — %s\n\n", rule.Quote, rule.Source)
			if f := p.Failing(rule.ID); len(f) > 0 {
				fmt.Fprintf(&b, "%s (%d of %d failing specs shown; the HTML report has them all):\n\n```\n%s\n```\n\n", f[0].Text, 1, len(f), clip(f[0].Message, 60))
			}
			b.WriteString("</details>\n\n")
		}
	}
	out := b.String()
	if len(out) > markdownLimit {
		cut := strings.LastIndex(out[:markdownLimit], "\n<details>")
		if cut < 0 {
			cut = markdownLimit
		}
		out = out[:cut] + "\n\n_The summary is cut here to fit a comment; the HTML and JUnit reports have every failure._\n"
	}
	_, err := io.WriteString(w, out)
	return err
}

// mdCell makes text safe in a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// htmlText escapes the characters HTML inside Markdown would read.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// clip keeps the first n lines of s, saying how many it left out.
func clip(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return strings.Join(lines, "\n")
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n... %d more lines", len(lines)-n)
}
