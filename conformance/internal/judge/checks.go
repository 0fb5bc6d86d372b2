package judge

import (
	"fmt"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// A Check is one rule's judgement of a whole trace: what it expects, and
// the judgement itself, which says what happened instead and marks the
// calls in question. The named specs show it as a Gomega matcher; the
// model runs it at the end of every lifecycle. Each judges every object the
// rule speaks of (RULES.md revision 4): every store's support, the
// spooler's included, every logon, every provider object.
type Check struct {
	Rule  string
	Want  string
	judge func(v *view) (ok bool, got string, marks map[int]string)
	// vacuous, if set, says when a pass proves nothing: what the rule
	// speaks of never happened. The report calls the rule untested.
	vacuous func(v *view) bool
	// Self: the check looks at MAPI's own steps. Its failure fails the
	// rule (the provider made them go missing); its pass proves nothing of
	// the provider, and is reported as the suite's self-check.
	Self bool
}

// Judge judges a whole trace.
func (c Check) Judge(evs []trace.Event) (ok bool, got string, marks map[int]string) {
	return c.judge(newView(evs))
}

// Vacuous reports whether a pass proves nothing of the trace: what the
// rule speaks of never happened.
func (c Check) Vacuous(evs []trace.Event) bool { return c.vacuous != nil && c.vacuous(newView(evs)) }

// Broken judges evs by each of cs, reading it once for all of them (Judge
// reads it once for each), and calls broken with each check it fails.
func Broken(evs []trace.Event, cs []Check, broken func(Check)) {
	v := newView(evs)
	for _, c := range cs {
		if ok, _, _ := c.judge(v); !ok {
			broken(c)
		}
	}
}

// EndChecks are the checks of the whole trace the model runs once a
// lifecycle has ended, and the named specs run on theirs.
var EndChecks = []Check{LoggedOffOnce, ValidSTLTFlags, STLTBeforeGone, STLTBeforeTeardown, TeardownOrder, StatusRowRemoved,
	SupportBalanced, NoCallAfterGone, UIDsRemoved, LogonReleasedLast, NoRowAfterLogoff, LogoffOK, NothingAfterProvider,
	ShutdownLast, ShutdownOK, ShutdownAfterLogons, SessionOrder, DeadReleasesSafe, OwnSupport, SpoolerLogonOK, SpoolerLogonShutDown, SpoolerWithStore, SpoolerTold, RowAtLogon}

// goneOf is the Release with which each support of a trace went (the
// provider's last reference), leaving out those MAPI passed to a second
// Logon to an open store (LG-06's). A trace has a support or three: a
// slice, searched, costs less than a map for every lifecycle judged.
func goneOf(evs []trace.Event) gones {
	var refs SupportRefs
	g := gones{evs: evs}
	for i := range evs {
		e := &evs[i]
		if refs.Step(e) && !Reopened(e.Object) {
			if g.n < len(g.at) {
				g.at[g.n] = i
				g.n++
			} else {
				g.more = append(g.more, i)
			}
		}
	}
	return g
}

// gones are the supports' last Releases, by index in evs: a value that
// stays on the stack for a trace's support or few.
type gones struct {
	evs  []trace.Event
	at   [4]int
	n    int
	more []int
}

func (g *gones) len() int { return g.n + len(g.more) }

// of returns the Release with which the support named went.
func (g *gones) of(support string) (*trace.Event, bool) {
	for _, i := range g.at[:g.n] {
		if g.evs[i].Object == support {
			return &g.evs[i], true
		}
	}
	for _, i := range g.more {
		if g.evs[i].Object == support {
			return &g.evs[i], true
		}
	}
	return nil, false
}

func isSupportCall(e *trace.Event) bool { return e.Dir == trace.ToMAPI && e.Iface == "IMAPISupport" }

// SupportBalanced is RL-01's count on every support: the provider never
// releases a support more often than it AddRef'd it, and once the store has
// ended (the provider let go of its support, or MAPI logged its logon off)
// as often (it counts calls, never what they returned: RB-02). A store
// still open when the trace is judged (the spooler's, holding its store
// after an error answer) may still hold its references.
var SupportBalanced = Check{Rule: "RL-01", Want: "every support released as often as the provider AddRef'd it by its store's end, never more",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		held := map[string]int{}
		var order []string
		for _, iE := range v.support {
			e := &evs[iE]
			if !isSupportCall(e) || Reopened(e.Object) || e.Method != "AddRef" && e.Method != "Release" {
				continue
			}
			if _, ok := held[e.Object]; !ok {
				order = append(order, e.Object)
			}
			if e.Method == "AddRef" {
				held[e.Object]++
				continue
			}
			if held[e.Object]--; held[e.Object] < 0 {
				return false, fmt.Sprintf("#%d releases %s once more than the provider AddRef'd it", e.Seq, e.Object), map[int]string{e.Seq: "one release too many"}
			}
		}
		for _, s := range order {
			if held[s] != 0 && loggedOffLogon(evs, LogonOf(s)) {
				return false, fmt.Sprintf("the provider's references on %s do not balance: %d never released, and its store has ended", s, held[s]), nil
			}
		}
		return true, "", nil
	}}

// loggedOffLogon reports whether MAPI's IMSLogon::Logoff of the logon
// object has returned.
func loggedOffLogon(evs []trace.Event, logon string) bool {
	for iE := range evs {
		e := &evs[iE]
		if e.Dir == trace.ToProvider && e.Iface == "IMSLogon" && e.Method == "Logoff" && e.Object == logon && done(e) {
			return true
		}
	}
	return false
}

// NoCallAfterGone is RL-03 on every support: no call on a support after the
// provider released its last reference on it.
var NoCallAfterGone = Check{Rule: "RL-03", Want: "no call on a support after the provider released its last reference on it",
	judge: func(v *view) (bool, string, map[int]string) {
		return noCallAfter(v, func(*trace.Event) bool { return true })
	},
	vacuous: func(v *view) bool { gone := v.gones(); return gone.len() == 0 }}

// STLTBeforeGone is STLT-05 on every store: its StoreLogoffTransports calls
// come before the provider releases that store's support.
var STLTBeforeGone = Check{Rule: "STLT-05", Want: "StoreLogoffTransports before the provider lets go of the store's support",
	judge: func(v *view) (bool, string, map[int]string) {
		return noCallAfter(v, func(e *trace.Event) bool { return e.Method == "StoreLogoffTransports" })
	},
	vacuous: func(v *view) bool {
		gone := v.gones()
		return gone.len() == 0 || !trace.Contains(v.evs, trace.StoreLogoffTransports)
	}}

// noCallAfter finds the support calls (those that which selects) made on a
// support after it went.
func noCallAfter(v *view, which func(*trace.Event) bool) (bool, string, map[int]string) {
	evs, gone := v.evs, v.gones()
	var bad []string
	var marks map[int]string // made for a failure only: this runs for every lifecycle
	for _, iE := range v.support {
		e := &evs[iE]
		g, ok := gone.of(e.Object)
		if !ok || !isSupportCall(e) || e.At <= g.At || !which(e) {
			continue
		}
		if len(bad) == 0 {
			marks = map[int]string{g.Seq: "the support goes"}
		}
		bad = append(bad, fmt.Sprintf("#%d %s on %s after #%d released it", e.Seq, e.Name(), e.Object, g.Seq))
		marks[e.Seq] = "too late"
	}
	if len(bad) == 0 {
		return true, "", nil
	}
	return false, strings.Join(bad, "; "), marks
}

// LateRules are the rules a late call breaks once its lifecycle's trace is
// gone (an enumerated or random lifecycle's, let go after it was judged):
// what the simulated MAPI noted of it says the same as NoCallAfterGone
// (RL-03: a call on a support the provider let go of), NoRowAfterLogoff
// (LG-03: a status row update then) and NothingAfterProvider (SS-03: a
// call after the provider's final Release) say of a whole trace.
func LateRules(method string, released, afterProvider bool) []string {
	var out []string
	if released {
		out = append(out, "RL-03")
		if method == "ModifyStatusRow" {
			out = append(out, "LG-03")
		}
	}
	if afterProvider {
		out = append(out, "SS-03")
	}
	return out
}

// NothingAfterProvider is SS-03's last part: nothing reaches MAPI from a
// provider object after its final Release (the spooler's provider object
// included: its calls go to the spooler's support).
var NothingAfterProvider = Check{Rule: "SS-03", Want: "no support call after the provider's final Release",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		var final *trace.Event
		for i := range evs {
			e := &evs[i]
			if e.Dir == trace.ToProvider && e.Iface == "IMSProvider" && e.Method == "Release" && e.Object == "provider" {
				final = e
			}
			if final != nil && isSupportCall(e) && e.At > final.At {
				return false, fmt.Sprintf("#%d %s on %s after #%d, the provider's final Release", e.Seq, e.Name(), e.Object, final.Seq),
					map[int]string{final.Seq: "after this", e.Seq: "too late"}
			}
		}
		return true, "", nil
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.ProviderRelease) }}

// NoRowAfterLogoff is LG-03's second part on every store: no
// ModifyStatusRow on a support once the provider let go of it, nor after
// that store's IMSLogon::Logoff returned; inside Logoff, before the support
// goes, a status row update is allowed (RULES.md revision 3).
var NoRowAfterLogoff = Check{Rule: "LG-03", Want: "no ModifyStatusRow once the support is gone or IMSLogon::Logoff has returned",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		gone := v.gones()
		for _, iE := range v.support {
			e := &evs[iE]
			if !isSupportCall(e) || e.Method != "ModifyStatusRow" {
				continue
			}
			if g, ok := gone.of(e.Object); ok && e.At > g.At {
				return false, fmt.Sprintf("#%d ModifyStatusRow on %s after #%d released it", e.Seq, e.Object, g.Seq),
					map[int]string{g.Seq: "the support goes", e.Seq: "too late"}
			}
			for iL := range evs {
				l := &evs[iL]
				if l.Dir == trace.ToProvider && l.Iface == "IMSLogon" && l.Method == "Logoff" && l.Object == LogonOf(e.Object) && done(l) && l.Ret < e.At {
					return false, fmt.Sprintf("#%d ModifyStatusRow on %s after #%d IMSLogon::Logoff returned", e.Seq, e.Object, l.Seq),
						map[int]string{l.Seq: "Logoff", e.Seq: "too late"}
				}
			}
		}
		return true, "", nil
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.ModifyStatusRow) }}

// LogoffOK is LG-04's answer on every logon, the spooler's included:
// IMSLogon::Logoff returns S_OK.
var LogoffOK = Check{Rule: "LG-04", Want: "every IMSLogon::Logoff to return S_OK",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		return everyReturnedOK(evs, "IMSLogon", "Logoff")
	},
	vacuous: func(v *view) bool { return !hasCall(v.evs, "IMSLogon", "Logoff") }}

// ShutdownOK is SS-05's answer on every provider object, the spooler's
// included: IMSProvider::Shutdown returns S_OK.
var ShutdownOK = Check{Rule: "SS-05", Want: "every IMSProvider::Shutdown to return S_OK",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		return everyReturnedOK(evs, "IMSProvider", "Shutdown")
	},
	vacuous: func(v *view) bool { return !hasCall(v.evs, "IMSProvider", "Shutdown") }}

func everyReturnedOK(evs []trace.Event, iface, method string) (bool, string, map[int]string) {
	for iE := range evs {
		e := &evs[iE]
		if e.Dir == trace.ToProvider && e.Iface == iface && e.Method == method && done(e) && e.Err != nil {
			return false, fmt.Sprintf("#%d %s on %s returned %v, want S_OK", e.Seq, e.Name(), e.Object, mapi.ResultOf(e.Err)),
				map[int]string{e.Seq: "not S_OK"}
		}
	}
	return true, "", nil
}

func hasCall(evs []trace.Event, iface, method string) bool {
	for iE := range evs {
		e := &evs[iE]
		if e.Dir == trace.ToProvider && e.Iface == iface && e.Method == method {
			return true
		}
	}
	return false
}

// LoggedOffOnce is STLT-01 on every store (RULES.md revision 3): each
// store a Logon opened had StoreLogoffTransports called on its support by
// the time the trace is judged (every path the specs judge it on has ended
// the store), and no call followed one that logged the store off. The
// spooler's store is what StoreLogoffTransports releases: it calls none.
var LoggedOffOnce = Check{Rule: "STLT-01", Want: "StoreLogoffTransports called exactly once for each store (again only after a call whose logoff did not occur)",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		for _, at := range v.logons {
			logon := &evs[at]
			s, _ := storeLogon(logon)
			var buf [4]*trace.Event // a store's calls, on the stack
			calls := buf[:0]
			for _, iE := range v.support {
				e := &evs[iE]
				if isSupportCall(e) && e.Object == s && e.Method == "StoreLogoffTransports" {
					calls = append(calls, e)
				}
			}
			if len(calls) == 0 {
				return false, fmt.Sprintf("it was never called on %s", s), nil
			}
			for i, c := range calls[:len(calls)-1] {
				if !LoggedOff(c) {
					continue
				}
				marks := map[int]string{c.Seq: "logged off"}
				for _, x := range calls[i+1:] {
					marks[x.Seq] = "once too often"
				}
				return false, fmt.Sprintf("called %d times on %s: #%d came after #%d, which logged the store off (answered %s)",
					len(calls), s, calls[i+1].Seq, c.Seq, answerOf(c)), marks
			}
		}
		return true, "", nil
	}}

// storeLogon returns the support of an IMSProvider::Logon that opened a
// store: one that succeeded, and not to a store already open.
func storeLogon(e *trace.Event) (support string, ok bool) {
	if e.Dir != trace.ToProvider || e.Iface != "IMSProvider" || e.Method != "Logon" || !done(e) || e.Err != nil {
		return "", false
	}
	s, _ := arg(e, 0).(string)
	return s, s != "" && !Reopened(s)
}

// answerOf says what a call answered: "S_OK, LOGOFF_COMPLETE".
func answerOf(e *trace.Event) string {
	if e.Err != nil {
		return mapi.ResultOf(e.Err)
	}
	if len(e.Out) > 0 {
		return fmt.Sprintf("S_OK, %v", e.Out[0])
	}
	return "S_OK"
}

// ValidSTLTFlags is STLT-08 on every store: each StoreLogoffTransports call
// carries exactly one valid input flag (OneValidFlag).
var ValidSTLTFlags = Check{Rule: "STLT-08", Want: "every StoreLogoffTransports call with exactly one valid input flag (LOGOFF_COMPLETE is none)",
	judge: func(v *view) (bool, string, map[int]string) {
		evs := v.evs
		for _, iE := range v.support {
			e := &evs[iE]
			if isSupportCall(e) && e.Method == "StoreLogoffTransports" && !Reopened(e.Object) && !OneValidFlag(e) {
				return false, fmt.Sprintf("#%d StoreLogoffTransports(%v) on %s", e.Seq, arg(e, 0), e.Object), map[int]string{e.Seq: "not one valid flag"}
			}
		}
		return true, "", nil
	},
	vacuous: func(v *view) bool { return !trace.Contains(v.evs, trace.StoreLogoffTransports) }}
