package trace

import "slices"

// A lifecycle's trace is short, and an exploration records thousands one
// after another: each can record into the storage the last one left
// (Retire, Reuse), and every event's arguments and results share blocks
// (Values), instead of each trace and each call allocating its own.

// Storage is what a retired trace gives back for another to record into.
// The zero value is none.
type Storage struct {
	events []Event
	values []any
}

// Reuse makes an empty trace record into st, which Retire gave back.
func (t *Trace) Reuse(st Storage) {
	t.mu.Lock()
	if len(t.events) == 0 && len(t.values) == 0 && !t.retired {
		t.events, t.values = st.events[:0], st.values[:0]
	}
	t.mu.Unlock()
}

// Retire ends the trace and gives back its storage, cleared, for Reuse. A
// retired trace is empty and records nothing more: a call that a
// provider's stray goroutine makes afterwards is dropped, never written
// into the storage another trace now uses.
func (t *Trace) Retire() Storage {
	t.mu.Lock()
	defer t.mu.Unlock()
	// What the old trace's events point to may be collected.
	clear(t.events)
	clear(t.values)
	st := Storage{t.events[:0], t.values[:0]}
	t.events, t.values, t.retired = nil, nil, true
	return st
}

// A lifecycle's calls need about a hundred values: the first block holds
// a short one's, and each next block twice the last, up to a limit.
const firstValues, maxValues = 64, 1024

// Values returns a copy of vals in the trace's storage, for an event's
// Args or Out: recording a call allocates no slice of its own. The copy
// must not be appended to.
func (t *Trace) Values(vals ...any) []any {
	if len(vals) == 0 {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.retired {
		return slices.Clone(vals) // a stray call's: not in the storage another trace uses
	}
	if len(t.values)+len(vals) > cap(t.values) {
		// The full block stays with the events that use it.
		t.values = make([]any, 0, max(firstValues, min(2*cap(t.values), maxValues), len(vals)))
	}
	n := len(t.values)
	t.values = append(t.values, vals...)
	return t.values[n:len(t.values):len(t.values)]
}
