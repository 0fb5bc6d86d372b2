package judge

import (
	"fmt"
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
	for _, e := range evs {
		switch {
		case e.Dir == trace.ToMAPI && (e.Method == "SetProviderUID" || e.Method == "ModifyStatusRow") && len(e.Args) > 0:
			made[fmt.Sprint(e.Args[0])] = true
		case e.Dir == trace.ToProvider && e.Method == "Logon" && len(e.Out) > 0:
			made[fmt.Sprint(e.Out[0])] = true // the spooler data
		}
	}
	return made
}
