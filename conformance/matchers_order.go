package conformance

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// The matchers of order and nesting: which call comes before, after or
// inside which.

// HaveCallBefore succeeds when the first call of a begins before the first
// call of b, and both happen.
func HaveCallBefore(a, b trace.Selector) types.GomegaMatcher {
	return &traceMatcher{want: fmt.Sprintf("%v before %v", a, b), check: func(evs []trace.Event) (bool, string, map[int]string) {
		as, bs := a.Select(evs), b.Select(evs)
		switch {
		case len(as) == 0:
			return false, fmt.Sprintf("%v never happened", a), nil
		case len(bs) == 0:
			return false, fmt.Sprintf("%v never happened", b), nil
		case as[0].At < bs[0].At:
			return true, "", nil
		}
		return false, fmt.Sprintf("#%d %s came before #%d %s", bs[0].Seq, bs[0].Name(), as[0].Seq, as[0].Name()),
			mark(mark(nil, "came first", bs[0]), "came second", as[0])
	}}
}

// HaveNoCallAfter succeeds when no call of s begins after the last call of
// after began. If after never happens, nothing is after it.
func HaveNoCallAfter(s trace.Selector, after trace.Selector) types.GomegaMatcher {
	return &traceMatcher{want: fmt.Sprintf("no %v after %v", s, after), vacuous: noneOf(s, after), check: func(evs []trace.Event) (bool, string, map[int]string) {
		as := after.Select(evs)
		if len(as) == 0 {
			return true, "", nil
		}
		last := as[len(as)-1]
		var bad []trace.Event
		for _, e := range s.Select(evs) {
			if e.At > last.At {
				bad = append(bad, e)
			}
		}
		if len(bad) == 0 {
			return true, "", nil
		}
		marks := mark(mark(nil, "after this", last), "too late", bad...)
		return false, fmt.Sprintf("%s after #%d %s", describeCalls(bad), last.Seq, last.Name()), marks
	}}
}

func describeCalls(evs []trace.Event) string {
	const most = 4
	var parts []string
	for i, e := range evs {
		if i == most {
			parts = append(parts, fmt.Sprintf("and %d more", len(evs)-most))
			break
		}
		parts = append(parts, fmt.Sprintf("#%d %s", e.Seq, e.Name()))
	}
	return strings.Join(parts, ", ")
}

// HaveCallInside succeeds when some call of inner begins while a call of
// outer is in progress (made by it, or re-entered from it).
func HaveCallInside(inner, outer trace.Selector) types.GomegaMatcher {
	return &traceMatcher{want: fmt.Sprintf("%v inside %v", inner, outer), check: func(evs []trace.Event) (bool, string, map[int]string) {
		os, is := outer.Select(evs), inner.Select(evs)
		if len(os) == 0 {
			return false, fmt.Sprintf("%v never happened", outer), nil
		}
		if len(is) == 0 {
			return false, fmt.Sprintf("%v never happened", inner), mark(nil, "expected inside this", os...)
		}
		for _, o := range os {
			for _, i := range is {
				if o.Encloses(i) {
					return true, "", nil
				}
			}
		}
		marks := mark(mark(nil, "expected inside this", os...), "outside", is...)
		return false, fmt.Sprintf("%s came outside %s", describeCalls(is), describeCalls(os)), marks
	}}
}

// HaveNoCallInside succeeds when no call of inner begins while a call of
// outer is in progress.
func HaveNoCallInside(inner, outer trace.Selector) types.GomegaMatcher {
	return &traceMatcher{want: fmt.Sprintf("no %v inside %v", inner, outer), vacuous: noneOf(inner, outer), check: func(evs []trace.Event) (bool, string, map[int]string) {
		var bad, where []trace.Event
		for _, o := range outer.Select(evs) {
			for _, i := range inner.Select(evs) {
				if o.Encloses(i) {
					bad, where = append(bad, i), append(where, o)
				}
			}
		}
		if len(bad) == 0 {
			return true, "", nil
		}
		marks := mark(mark(nil, "inside this", where...), "should not be here", bad...)
		return false, fmt.Sprintf("%s came inside %s", describeCalls(bad), describeCalls(where)), marks
	}}
}

// HaveFirstCallInside succeeds when the first call the provider makes across
// the boundary while outer is in progress is a call of s.
func HaveFirstCallInside(s trace.Selector, outer trace.Selector) types.GomegaMatcher {
	return &traceMatcher{want: fmt.Sprintf("%v as the first call the provider makes inside %v", s, outer), check: func(evs []trace.Event) (bool, string, map[int]string) {
		os := outer.Select(evs)
		if len(os) == 0 {
			return false, fmt.Sprintf("%v never happened", outer), nil
		}
		o := os[0]
		for _, e := range evs {
			if e.Dir == trace.ToMAPI && o.Encloses(e) {
				for _, m := range s.Select(evs) {
					if m.Seq == e.Seq {
						return true, "", nil
					}
				}
				return false, fmt.Sprintf("the first call inside #%d was #%d %s", o.Seq, e.Seq, e.Name()),
					mark(mark(nil, "inside this", o), "first call", e)
			}
		}
		return false, fmt.Sprintf("#%d %s made no call across the boundary", o.Seq, o.Name()), mark(nil, "no call inside", o)
	}}
}

// HaveCallsInOrder succeeds when the first call of each selector happens,
// and in the order given.
func HaveCallsInOrder(ss ...trace.Selector) types.GomegaMatcher {
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = s.String()
	}
	return &traceMatcher{want: strings.Join(names, ", then "), check: func(evs []trace.Event) (bool, string, map[int]string) {
		var prev trace.Event
		for i, s := range ss {
			got := s.Select(evs)
			if len(got) == 0 {
				return false, fmt.Sprintf("%v never happened", s), nil
			}
			if i > 0 && got[0].At < prev.At {
				return false, fmt.Sprintf("#%d %s came before #%d %s", got[0].Seq, got[0].Name(), prev.Seq, prev.Name()),
					mark(mark(nil, "should come first", prev), "came too early", got[0])
			}
			prev = got[0]
		}
		return true, "", nil
	}}
}
