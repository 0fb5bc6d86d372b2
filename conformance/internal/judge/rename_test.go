package judge

import (
	"slices"
	"testing"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// A call from the provider's own thread after the steps (a timer's row
// update, and MAPI's steps inside it) is no step's; everything a call into
// the provider brought about is, however deep.
func TestStepCalls(t *testing.T) {
	var tr trace.Trace
	call := func(dir trace.Direction, method string, inside func()) {
		seq := tr.Begin(trace.Event{Dir: dir, Method: method})
		if inside != nil {
			inside()
		}
		tr.End(seq, nil, nil, nil)
	}
	call(trace.ToProvider, "Release", func() {
		call(trace.ToMAPI, "StoreLogoffTransports", nil)
		call(trace.ToMAPI, "SupportRelease", func() {
			tr.Note("RemoveProviderUIDs")
			call(trace.ToProvider, "Logoff", func() { call(trace.ToMAPI, "ModifyStatusRow", nil) })
		})
	})
	call(trace.ToMAPI, "LateRow", nil) // the provider's timer
	call(trace.ToMAPI, "LateSupportRelease", func() {
		tr.Note("RemoveStatusRow")
		call(trace.ToProvider, "LateLogoff", func() { call(trace.ToMAPI, "LateInside", nil) })
	})
	call(trace.ToProvider, "Shutdown", nil)

	var got []string
	for _, e := range StepCalls(tr.Events()) {
		got = append(got, e.Method)
	}
	want := []string{"Release", "StoreLogoffTransports", "SupportRelease", "RemoveProviderUIDs", "Logoff", "ModifyStatusRow", "Shutdown"}
	if !slices.Equal(got, want) {
		t.Errorf("StepCalls kept %v, want %v", got, want)
	}
}
