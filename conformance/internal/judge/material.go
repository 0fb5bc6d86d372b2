package judge

import "github.com/mapiconf/mapiconf/conformance/trace"

// What a passing lifecycle proves of each rule: the report tells a rule
// judged and held from a rule whose checks had nothing to judge.

// Proof is what a passing lifecycle proves of a rule.
type Proof uint8

const (
	Nothing    Proof = iota // its checks had nothing to judge: untested
	ByMAPI                  // only checks of MAPI's own steps had: the suite's self-check
	ByProvider              // the provider's behaviour was judged, and held
)

// Material is what a trace that broke no check of rule id proves of it:
// the checks of the end that judge it and are not vacuous say. A rule no
// end check judges has the lifecycle's own steps for material (the model
// judges it step by step).
func Material(id string, evs []trace.Event) Proof {
	if id == "SS-02" {
		id = "STLT-01" // the session path's STLT-01
	}
	found, proof := false, Nothing
	v := newView(evs)
	for _, c := range EndChecks {
		if c.Rule != id {
			continue
		}
		found = true
		if c.vacuous != nil && c.vacuous(v) {
			continue
		}
		if !c.Self {
			return ByProvider
		}
		proof = ByMAPI
	}
	if !found {
		if has, ok := stepMaterial[id]; ok && !has(evs) {
			return Nothing
		}
		return ByProvider
	}
	return proof
}

// stepMaterial says, for a rule the model judges step by step, whether the
// trace gave it anything to judge: a flag rule needs a
// StoreLogoffTransports call whose flag it looked at.
var stepMaterial = map[string]func([]trace.Event) bool{
	"STLT-03": hasSTLT, "STLT-04": hasSTLT, "STLT-06": hasSTLT,
}

func hasSTLT(evs []trace.Event) bool { return trace.Contains(evs, trace.StoreLogoffTransports) }
