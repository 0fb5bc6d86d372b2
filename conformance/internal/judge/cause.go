package judge

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/mapiconf/mapiconf/conformance/internal/lifecycle"
	"github.com/mapiconf/mapiconf/conformance/trace"
)

// The rules that compare two runs of one lifecycle (RB-01, RB-02,
// STLT-07): a failure that goes away in an ordinary variant of the
// lifecycle is the provider's handling of what the variant takes away.
// The driver runs the variants; these say what they mean.

// An Alternative is an ordinary variant of a lifecycle, and the rule a
// failure that goes away in it breaks.
type Alternative struct {
	Rule, Why string
	Ordinary  lifecycle.Lifecycle
}

// Alternatives are the variants of lc that tell a failure's cause: with
// its concurrent Releases made one after another (RB-01: concurrency),
// with StoreLogoffTransports answering S_OK with LOGOFF_COMPLETE (STLT-07:
// the answer tolerated), with true reference counts (RB-02: the counts
// trusted). Concurrency first: a race that does not recur in another
// variant must not be blamed on that variant.
func Alternatives(lc lifecycle.Lifecycle) []Alternative {
	var out []Alternative
	if slices.ContainsFunc(lc.Steps, func(o lifecycle.Step) bool { return o.Kind == lifecycle.ConcurrentRelease }) {
		out = append(out, Alternative{"RB-01", "concurrent Releases", lifecycle.SequentialReleases(lc)})
	}
	if lc.Answer != 0 {
		c := lc
		c.Answer = 0
		out = append(out, Alternative{"STLT-07", "StoreLogoffTransports answering " + lifecycle.AnswerName(lc.Answer), c})
	}
	if lc.Bogus {
		c := lc
		c.Bogus = false
		out = append(out, Alternative{"RB-02", "the support's AddRef and Release returning 0", c})
	}
	return out
}

// Attributable reports whether violation v may be blamed on what alt takes
// away: a rule's violation not yet blamed on another cause. STLT-07 asks
// that "shutdown still completes" whatever StoreLogoffTransports answered:
// under another answer the store never ended (RL-01, or the way in's
// SD-01, SD-02, SD-03) or StoreLogoff failed (SL-01). A rule broken
// otherwise only under some answer is that rule's, not the answer's (a
// retried StoreLogoffTransports after a logoff that did not occur may come
// in the wrong place: STLT-05).
func (alt Alternative) Attributable(v Violation) bool {
	if v.Fault != "" || v.Was != "" {
		return false
	}
	return alt.Rule != "STLT-07" || slices.Contains([]string{"RL-01", "SD-01", "SD-02", "SD-03", "SL-01"}, v.Rule)
}

// Blame blames v on what alt takes away, given that the ordinary variant
// broke no rule and ran to its end: not only v's rule but every rule goes
// away, for another step of the same lifecycle may name the same fault
// differently (a second StoreLogoffTransports is STLT-06 at the
// StoreLogoff that made it, STLT-01 at the end). RB-01 and RB-02 name the
// cause instead of the rule; STLT-07 is broken besides it (the shutdown did
// not complete, and that is v's rule's too), and blame returns it.
func (alt Alternative) Blame(v *Violation) (also Violation, ok bool) {
	b := Violation{Rule: alt.Rule, Was: v.Rule, At: v.At, What: fmt.Sprintf("only with %s: %s", alt.Why, v.What)}
	if alt.Rule == "STLT-07" {
		return b, true
	}
	*v = b
	return Violation{}, false
}

// SameCalls is RB-02 over two runs of one lifecycle, the support's counts
// 0 in one and true in the other: the provider makes the same calls, with
// the same arguments, in the same order, up to a consistent renaming of
// the values it makes up (Shapes; RULES.md revision 4). What the calls
// returned is not compared, and only what the steps brought about (a call
// from the provider's own thread may land in one run and not the other:
// StepCalls).
//
// It filters bogus and accurate in place: they are the caller's copies.
func SameCalls(bogus, accurate []trace.Event) (ok bool, got string) {
	evs, want := stepCalls(bogus), stepCalls(accurate)
	if identical(evs, want) {
		return true, "" // the same calls with the same values: no renaming to find
	}
	a, b := Shapes(evs), Shapes(want)
	for i := range max(len(a), len(b)) {
		switch {
		case i >= len(a):
			return false, fmt.Sprintf("with the support's AddRef and Release returning 0 the calls stop before %s, which the run with true counts makes", b[i])
		case i >= len(b):
			return false, fmt.Sprintf("with the support's AddRef and Release returning 0 the provider makes an extra call: #%d %s", evs[i].Seq, evs[i].Name())
		case a[i] != b[i]:
			return false, fmt.Sprintf("with the support's AddRef and Release returning 0, #%d is %s where the run with true counts has %s (values the provider made up are numbered $1, $2, … in the order they first appear)", evs[i].Seq, a[i], b[i])
		}
	}
	return true, ""
}

// identical reports whether two runs made the same calls with equal
// arguments, as most do: the quick test before Shapes' renaming, which
// formats every value.
func identical(a, b []trace.Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Dir != y.Dir || x.Caller != y.Caller || x.Iface != y.Iface || x.Method != y.Method || x.Object != y.Object || len(x.Args) != len(y.Args) {
			return false
		}
		for j := range x.Args {
			if !sameValue(x.Args[j], y.Args[j]) {
				return false
			}
		}
	}
	return true
}

// sameValue compares two argument values that == can compare; any other
// is left to Shapes.
func sameValue(x, y any) bool {
	if x == nil || y == nil {
		return x == y
	}
	t := reflect.TypeOf(x)
	return t == reflect.TypeOf(y) && t.Comparable() && x == y
}
