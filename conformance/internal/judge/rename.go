package judge

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// RB-02 compares two runs of one path, the support's counts accurate in
// one and 0 in the other: a provider that trusts the counts calls MAPI
// differently. The values the provider makes up may differ every time
// (RULES.md revision 4): its MAPIUIDs (one per store, fresh per logon, from
// CoCreateGuid), its status-row text, its spooler data and the entry IDs
// it hands out. The runs are compared up to a consistent renaming of
// those; what MAPI or the client chose is compared exactly.

// Shapes returns each call of evs without what it returned, the values the
// provider made up replaced by names in the order they first appear
// ($1, $2, …): two runs make the same calls up to a consistent renaming
// when their shapes are equal.
func Shapes(evs []trace.Event) []string {
	made := madeUp(evs)
	names := map[string]string{}
	name := func(v any) string {
		s := fmt.Sprint(v)
		if !made[s] {
			return s
		}
		if n, ok := names[s]; ok {
			return n
		}
		n := fmt.Sprintf("$%d", len(names)+1)
		names[s] = n
		return n
	}
	out := make([]string, len(evs))
	for i, e := range evs {
		args := make([]string, len(e.Args))
		for j, a := range e.Args {
			args[j] = name(a)
		}
		out[i] = fmt.Sprintf("%s → %s(%s)", e.Caller, e.Name(), strings.Join(args, ", "))
	}
	return out
}

// madeUp are the values the provider made up in a run, as the trace prints
// them: the MAPIUIDs it passed to SetProviderUID, the rows it passed to
// ModifyStatusRow, and the spooler data its Logon returned. MAPI hands
// them back (RemoveProviderUIDs, SpoolerLogon), renamed alike. (The entry
// IDs the suite's clients use are the config's, not the provider's.)
func madeUp(evs []trace.Event) map[string]bool {
	made := map[string]bool{}
	for iE := range evs {
		e := &evs[iE]
		switch {
		case e.Dir == trace.ToMAPI && (e.Method == "SetProviderUID" || e.Method == "ModifyStatusRow") && len(e.Args) > 0:
			made[fmt.Sprint(e.Args[0])] = true
		case e.Dir == trace.ToProvider && e.Method == "Logon" && len(e.Out) > 0:
			made[fmt.Sprint(e.Out[0])] = true // the spooler data
		}
	}
	return made
}

// StepCalls are the calls of evs that the run's steps brought about: every
// call into the provider, and everything inside one. A call the provider
// makes into MAPI from a thread of its own, outside every call into it (a
// timer, a cleanup it scheduled), comes whenever that thread gets to it,
// and so does what MAPI does inside it: one of two runs may hold it and the
// other not. Such a call is judged as a late call (RL-03, LG-03), never by
// comparing runs (RB-02), or one provider would get two verdicts.
func StepCalls(evs []trace.Event) []trace.Event { return stepCalls(slices.Clone(evs)) }

// stepCalls is StepCalls in place: it keeps the step calls at the front of
// evs, and returns them (SameCalls, for every lifecycle run with bogus
// counts, on copies of its own).
func stepCalls(evs []trace.Event) []trace.Event {
	out := evs[:0]
	var apart []trace.Event // the provider's own calls, and what ran inside them: copies, for out overwrites evs
	for i := range evs {
		e := &evs[i]
		if slices.ContainsFunc(apart, func(outer trace.Event) bool { return encloses(&outer, e) }) ||
			e.Dir == trace.ToMAPI && (e.OwnThread || !calledInside(out, e)) {
			apart = append(apart, *e)
			continue
		}
		out = append(out, *e) // to its own place or an earlier one, which was read before
	}
	return out
}

// calledInside reports whether e came inside a call into the provider.
func calledInside(calls []trace.Event, e *trace.Event) bool {
	for i := range calls {
		if calls[i].Dir == trace.ToProvider && encloses(&calls[i], e) {
			return true
		}
	}
	return false
}
