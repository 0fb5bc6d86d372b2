package conformance

import (
	"fmt"
	"strings"

	"github.com/onsi/gomega/types"

	"github.com/mapiconf/mapiconf/conformance/internal/judge"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// The matchers below are Gomega matchers over a call sequence: their actual
// value is a *trace.Trace or a []trace.Event. They are what the specs judge
// with, and provider authors may use them in their own tests:
//
//	Expect(m.Trace()).To(conformance.HaveCallCount(trace.StoreLogoffTransports, 1))
//
// A failure says what was expected, what happened, and prints the whole call
// sequence with the calls in question marked.

// checkOf shows a judge's check as a matcher: the named specs judge with
// the very checks the model runs at the end of every lifecycle.
func checkOf(c judge.Check) types.GomegaMatcher {
	return &traceMatcher{want: c.Want, check: c.Judge, vacuous: c.Vacuous}
}

// traceMatcher is every matcher of this file: a description of what is
// expected and a check that says what happened instead.
type traceMatcher struct {
	want  string
	check func(evs []trace.Event) (ok bool, got string, marks map[int]string)
	// vacuous, if set, says when a success proves nothing: the calls it
	// is about never happened ("every STLT passes the caller's flag" with
	// no STLT at all). The report then calls the rule untested, not passed.
	vacuous func(evs []trace.Event) bool

	got        string
	marks      map[int]string
	evs        []trace.Event
	wasVacuous bool
}

func events(actual any) ([]trace.Event, error) {
	switch a := actual.(type) {
	case *trace.Trace:
		return a.Events(), nil
	case []trace.Event:
		return a, nil
	}
	return nil, fmt.Errorf("a trace matcher needs a *trace.Trace or []trace.Event, got %T", actual)
}

func (m *traceMatcher) Match(actual any) (bool, error) {
	evs, err := events(actual)
	if err != nil {
		return false, err
	}
	ok, got, marks := m.check(evs)
	m.got, m.marks, m.evs = got, marks, evs
	m.wasVacuous = ok && m.vacuous != nil && m.vacuous(evs)
	return ok, nil
}

// Vacuous reports whether the last successful Match succeeded only because
// the calls the matcher is about never happened.
func (m *traceMatcher) Vacuous() bool { return m.wasVacuous }

// noneOf returns a vacuity test: true when any of ss selects nothing.
func noneOf(ss ...trace.Selector) func([]trace.Event) bool {
	return func(evs []trace.Event) bool {
		for _, s := range ss {
			if len(s.Select(evs)) == 0 {
				return true
			}
		}
		return false
	}
}

func (m *traceMatcher) FailureMessage(any) string {
	return m.message("Expected", m.got)
}

func (m *traceMatcher) NegatedFailureMessage(any) string {
	return m.message("Expected the opposite of", m.got)
}

func (m *traceMatcher) message(expected, got string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\nActual:   %s\n\nCall sequence", expected, m.want, got)
	if len(m.marks) > 0 {
		b.WriteString(" (▶ marks the calls in question)")
	}
	b.WriteString(":\n")
	b.WriteString(trace.Format(m.evs, m.marks))
	return b.String()
}

func seqs(evs []trace.Event) string {
	parts := make([]string, len(evs))
	for i, e := range evs {
		parts[i] = fmt.Sprintf("#%d", e.Seq)
	}
	return strings.Join(parts, ", ")
}

func mark(marks map[int]string, text string, evs ...trace.Event) map[int]string {
	if marks == nil {
		marks = map[int]string{}
	}
	for _, e := range evs {
		marks[e.Seq] = text
	}
	return marks
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

// plural counts things: "1 step", "2 steps".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// HaveCallCount succeeds when calls of kind s happen exactly n times.
func HaveCallCount(s trace.Selector, n int) types.GomegaMatcher {
	want := fmt.Sprintf("%v called exactly %s", s, times(n))
	if n == 0 {
		want = fmt.Sprintf("no call of %v", s)
	}
	return &traceMatcher{want: want, check: func(evs []trace.Event) (bool, string, map[int]string) {
		got := s.Select(evs)
		if len(got) == n {
			return true, "", nil
		}
		if len(got) == 0 {
			return false, "it was never called", nil
		}
		marks := map[int]string{}
		for i, e := range got {
			marks[e.Seq] = fmt.Sprintf("call %d of %d", i+1, len(got))
		}
		return false, fmt.Sprintf("called %s (%s)", times(len(got)), seqs(got)), marks
	}}
}

// HaveCallsWith succeeds when s is called at least once and every call
// passes args as its first arguments.
func HaveCallsWith(s trace.Selector, args ...any) types.GomegaMatcher {
	return callsWith(s, true, args)
}

// HaveOnlyCallsWith succeeds when every call of s, if there is one, passes
// args as its first arguments. Whether s happens at all is another rule's
// business.
func HaveOnlyCallsWith(s trace.Selector, args ...any) types.GomegaMatcher {
	return callsWith(s, false, args)
}

func callsWith(s trace.Selector, needOne bool, args []any) types.GomegaMatcher {
	wantArgs := make([]string, len(args))
	for i, a := range args {
		wantArgs[i] = fmt.Sprint(a)
	}
	want := fmt.Sprintf("%v called with (%s)", s, strings.Join(wantArgs, ", "))
	var vacuous func([]trace.Event) bool
	if !needOne {
		want = fmt.Sprintf("every call of %v, if any, with (%s)", s, strings.Join(wantArgs, ", "))
		vacuous = noneOf(s)
	}
	return &traceMatcher{want: want, vacuous: vacuous, check: func(evs []trace.Event) (bool, string, map[int]string) {
		got := s.Select(evs)
		if len(got) == 0 {
			return !needOne, "it was never called", nil
		}
		var bad []trace.Event
		for _, e := range got {
			for i, a := range args {
				if e.Arg(i) != a {
					bad = append(bad, e)
					break
				}
			}
		}
		if len(bad) == 0 {
			return true, "", nil
		}
		var desc []string
		for _, e := range bad {
			desc = append(desc, fmt.Sprintf("call #%d passed (%s)", e.Seq, argList(e)))
		}
		return false, strings.Join(desc, "; "), mark(nil, "wrong arguments", bad...)
	}}
}

func argList(e trace.Event) string {
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = fmt.Sprint(a)
	}
	return strings.Join(parts, ", ")
}

// HaveCallsSatisfying succeeds when s is called at least once and every call
// satisfies pred, which want describes ("returned S_OK").
func HaveCallsSatisfying(s trace.Selector, want string, pred func(trace.Event) bool) types.GomegaMatcher {
	return callsSatisfying(s, true, want, pred)
}

// HaveOnlyCallsSatisfying succeeds when every call of s, if there is one,
// satisfies pred. Whether s happens at all is another rule's business.
func HaveOnlyCallsSatisfying(s trace.Selector, want string, pred func(trace.Event) bool) types.GomegaMatcher {
	return callsSatisfying(s, false, want, pred)
}

func callsSatisfying(s trace.Selector, needOne bool, want string, pred func(trace.Event) bool) types.GomegaMatcher {
	desc := fmt.Sprintf("%v %s", s, want)
	var vacuous func([]trace.Event) bool
	if !needOne {
		desc, vacuous = fmt.Sprintf("every call of %v, if any, %s", s, want), noneOf(s)
	}
	return &traceMatcher{want: desc, vacuous: vacuous, check: func(evs []trace.Event) (bool, string, map[int]string) {
		got := s.Select(evs)
		if len(got) == 0 {
			return !needOne, fmt.Sprintf("%v was never called", s), nil
		}
		var bad []trace.Event
		for _, e := range got {
			if !pred(e) {
				bad = append(bad, e)
			}
		}
		if len(bad) == 0 {
			return true, "", nil
		}
		desc := make([]string, len(bad))
		for i, e := range bad {
			desc[i] = fmt.Sprintf("call #%d: %s", e.Seq, e)
		}
		return false, strings.Join(desc, "; "), mark(nil, "not "+want, bad...)
	}}
}

// HaveBalancedRefs succeeds when the calls of release never outnumber the
// calls of addRef at any point, and equal them at the end: the object's
// count returns to where it started. It counts calls, never the values they
// returned (RB-02).
func HaveBalancedRefs(addRef, release trace.Selector) types.GomegaMatcher {
	return &traceMatcher{want: fmt.Sprintf("as many %v as %v, never more", release, addRef), check: func(evs []trace.Event) (bool, string, map[int]string) {
		adds, rels := addRef.Select(evs), release.Select(evs)
		isAdd := map[int]bool{}
		for _, e := range adds {
			isAdd[e.Seq] = true
		}
		all := append(append([]trace.Event(nil), adds...), rels...)
		n := 0
		for _, e := range sortByAt(all) {
			if isAdd[e.Seq] {
				n++
				continue
			}
			n--
			if n < 0 {
				return false, fmt.Sprintf("released more often than added: #%d drops the count below where it started", e.Seq),
					mark(nil, "one release too many", e)
			}
		}
		if n != 0 {
			return false, fmt.Sprintf("added %s, released %s: %d reference(s) never released", times(len(adds)), times(len(rels)), n),
				mark(mark(nil, "added", adds...), "released", rels...)
		}
		return true, "", nil
	}}
}

func sortByAt(evs []trace.Event) []trace.Event {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].At < evs[j-1].At; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
	return evs
}

// HaveSameCallsAs succeeds when the trace makes the same calls, with the
// same arguments and in the same order, as want, up to a consistent
// renaming of the values the provider makes up (judge.Shapes: its
// MAPIUIDs, status rows, spooler data; RULES.md revision 4): what the calls
// returned is not compared.
func HaveSameCallsAs(want []trace.Event) types.GomegaMatcher {
	return &traceMatcher{want: "the same calls, with the same arguments (up to the values the provider makes up), as in the run it is compared with:\n" + trace.Format(want, nil),
		check: func(evs []trace.Event) (bool, string, map[int]string) {
			// Only what the steps brought about: a call from the provider's
			// own thread may land in one run and not the other (lateCalls
			// judges it).
			evs, want := judge.StepCalls(evs), judge.StepCalls(want)
			got, other := judge.Shapes(evs), judge.Shapes(want)
			for i := range max(len(got), len(other)) {
				switch {
				case i >= len(got):
					return false, fmt.Sprintf("the calls stop before %s", other[i]), nil
				case i >= len(other):
					return false, fmt.Sprintf("an extra call: #%d %s", evs[i].Seq, evs[i].Name()), mark(nil, "extra", evs[i])
				case got[i] != other[i]:
					return false, fmt.Sprintf("#%d is %s where the other run has %s (values the provider made up are numbered $1, $2, … in the order they first appear)", evs[i].Seq, got[i], other[i]),
						mark(nil, "differs", evs[i])
				}
			}
			return true, "", nil
		}}
}

// described prefixes a matcher's failure message, e.g. with the spec whose
// trace it judged.
type described struct {
	prefix string
	types.GomegaMatcher
}

func (d *described) FailureMessage(actual any) string {
	return d.prefix + d.GomegaMatcher.FailureMessage(actual)
}
