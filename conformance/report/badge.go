package report

import (
	"fmt"
	"html"
	"io"
	"strings"
)

// WriteBadge writes an SVG badge for a README: "mapiconf" and, per
// provider, the profile and the rules passed of those judged, e.g.
// "mapiconf | deferred 32/32". Green when every judged rule passes, red
// when one is broken, amber otherwise (untested, noted or skipped rules).
func (r Run) WriteBadge(w io.Writer) error {
	var parts []string
	colour := "#2e7d32"
	for _, p := range r.Providers {
		passed, of := p.Score()
		parts = append(parts, fmt.Sprintf("%s %d/%d", p.Profile, passed, of))
		n := p.Count()
		switch {
		case n[Fail]+n[Error] > 0:
			colour = "#c62828"
		case passed < of && colour != "#c62828":
			colour = "#b26a00"
		}
	}
	if len(parts) == 0 {
		parts, colour = []string{"no run"}, "#757575"
	}
	label, value := "mapiconf", strings.Join(parts, ", ")
	lw, vw := textWidth(label)+12, textWidth(value)+12
	_, err := fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s: %s">
<title>%s: %s</title>
<rect width="%d" height="20" rx="3" fill="#555"/>
<rect x="%d" width="%d" height="20" rx="3" fill="%s"/>
<rect x="%d" width="4" height="20" fill="%s"/>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="%d" y="14">%s</text>
<text x="%d" y="14">%s</text>
</g>
</svg>
`, lw+vw, label, html.EscapeString(value), label, html.EscapeString(value),
		lw+vw, lw, vw, colour, lw, colour,
		lw/2, label, lw+vw/2, html.EscapeString(value))
	return err
}

// textWidth estimates the width in pixels of s in 11px Verdana, whose
// digits and lower-case letters are about 7 pixels wide.
func textWidth(s string) int {
	w := 0
	for _, c := range s {
		switch {
		case c == ' ' || c == '/' || c == ',' || c == 'i' || c == 'l' || c == 'f' || c == 't':
			w += 4
		case c >= 'A' && c <= 'Z' || c == 'm' || c == 'w':
			w += 9
		default:
			w += 7
		}
	}
	return w
}
