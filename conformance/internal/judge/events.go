package judge

import "github.com/mapiconf/mapiconf/conformance/trace"

// The judge reads a trace's events in place, by pointer, never by value:
// an event is 176 bytes, and a copy of each event for each check (a range
// by value, a value method) was most of the judging's time, and ten times
// that under the race detector, which checks every byte copied. These are
// trace.Event's methods without the copy.

// done is e.Done().
func done(e *trace.Event) bool { return e.Ret != 0 }

// arg is e.Arg(i).
func arg(e *trace.Event, i int) any {
	if i < len(e.Args) {
		return e.Args[i]
	}
	return nil
}

// encloses is outer.Encloses(inner): inner began while outer was in
// progress.
func encloses(outer, inner *trace.Event) bool {
	return inner.At > outer.At && (outer.Ret == 0 || inner.At < outer.Ret)
}

// containsFunc is slices.ContainsFunc without a copy of each event.
func containsFunc(evs []trace.Event, f func(*trace.Event) bool) bool {
	for i := range evs {
		if f(&evs[i]) {
			return true
		}
	}
	return false
}

// mark marks a call in question, making the marks for a failure only: a
// check runs on every lifecycle, and most pass.
func mark(marks *map[int]string, seq int, what string) {
	if *marks == nil {
		*marks = map[int]string{}
	}
	(*marks)[seq] = what
}
