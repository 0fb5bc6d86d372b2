package docs

import (
	"fmt"
	"strings"
)

// parseYAML reads the subset of YAML that action.yml and the example
// workflow use: block mappings and sequences by indentation, plain and
// quoted scalars, literal blocks (|), comments on lines of their own. It
// returns map[string]any, []any and string values. Anything else is an
// error, so that the docs cannot drift into YAML this test misreads.
func parseYAML(text string) (any, error) {
	var lines []yamlLine
	for n, l := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(l)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			lines = append(lines, yamlLine{n + 1, -1, ""})
			continue
		}
		lines = append(lines, yamlLine{n + 1, len(l) - len(strings.TrimLeft(l, " ")), trimmed})
	}
	p := &yamlParser{lines: lines}
	p.skipBlank()
	if p.i >= len(lines) {
		return nil, nil
	}
	v, err := p.block(lines[p.i].indent)
	if err != nil {
		return nil, err
	}
	if p.skipBlank(); p.i < len(lines) {
		return nil, fmt.Errorf("line %d: unexpected indentation", lines[p.i].n)
	}
	return v, nil
}

type yamlLine struct {
	n, indent int // indent -1: blank or comment
	text      string
}

type yamlParser struct {
	lines []yamlLine
	i     int
}

func (p *yamlParser) skipBlank() {
	for p.i < len(p.lines) && p.lines[p.i].indent < 0 {
		p.i++
	}
}

// block parses the mapping or sequence whose lines start at indent.
func (p *yamlParser) block(indent int) (any, error) {
	p.skipBlank()
	if strings.HasPrefix(p.lines[p.i].text, "- ") || p.lines[p.i].text == "-" {
		var seq []any
		for p.skipBlank(); p.i < len(p.lines) && p.lines[p.i].indent == indent && strings.HasPrefix(p.lines[p.i].text, "-"); p.skipBlank() {
			// "- key: v" is a mapping whose first key sits two columns in.
			rest := strings.TrimSpace(strings.TrimPrefix(p.lines[p.i].text, "-"))
			if !strings.Contains(rest, ": ") && !strings.HasSuffix(rest, ":") {
				seq = append(seq, unquote(rest))
				p.i++
				continue
			}
			p.lines[p.i] = yamlLine{p.lines[p.i].n, indent + 2, rest}
			v, err := p.block(indent + 2)
			if err != nil {
				return nil, err
			}
			seq = append(seq, v)
		}
		return seq, nil
	}
	m := map[string]any{}
	for p.skipBlank(); p.i < len(p.lines) && p.lines[p.i].indent == indent; p.skipBlank() {
		l := p.lines[p.i]
		key, value, ok := strings.Cut(l.text, ":")
		if !ok || strings.HasPrefix(l.text, "- ") {
			return nil, fmt.Errorf("line %d: want key: value, have %q", l.n, l.text)
		}
		key, value = unquote(strings.TrimSpace(key)), strings.TrimSpace(value)
		p.i++
		switch {
		case value == "|":
			var body []string
			start := -1
			for ; p.i < len(p.lines) && (p.lines[p.i].indent < 0 || p.lines[p.i].indent > indent); p.i++ {
				raw := p.lines[p.i]
				if raw.indent < 0 {
					body = append(body, "")
					continue
				}
				if start < 0 {
					start = raw.indent
				}
				body = append(body, strings.Repeat(" ", raw.indent-start)+raw.text)
			}
			m[key] = strings.TrimRight(strings.Join(body, "\n"), "\n") + "\n"
		case value == "":
			p.skipBlank()
			if p.i < len(p.lines) && p.lines[p.i].indent > indent {
				v, err := p.block(p.lines[p.i].indent)
				if err != nil {
					return nil, err
				}
				m[key] = v
			} else {
				m[key] = ""
			}
		default:
			m[key] = unquote(value)
		}
	}
	return m, nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '\'' && s[len(s)-1] == '\'' || s[0] == '"' && s[len(s)-1] == '"') {
		return s[1 : len(s)-1]
	}
	return s
}
