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

// A view is a trace as the end checks read it: its events, and what
// several checks need of them, found once (who judges a lifecycle runs
// every end check on it): the supports' last Releases, the spooler's
// logon, and where the provider's support calls are, which many checks
// look at alone.
type view struct {
	evs     []trace.Event
	support []int32 // the support calls' indexes in evs, in order
	logons  []int32 // the Logons that opened a store (storeLogon), in order
	gone    gones
	sp      spoolerFacts
	found   uint8 // which of gone and sp are found (foundGone, foundSpooler)
}

const (
	foundGone = 1 << iota
	foundSpooler
)

func newView(evs []trace.Event) *view {
	v := new(view)
	v.reset(evs)
	return v
}

// reset makes v the view of evs, keeping its buffer: the model judges
// lifecycle after lifecycle with one view.
func (v *view) reset(evs []trace.Event) {
	*v = view{evs: evs, support: v.support[:0], logons: v.logons[:0]}
	for i := range evs {
		if isSupportCall(&evs[i]) {
			v.support = append(v.support, int32(i))
		} else if _, ok := storeLogon(&evs[i]); ok {
			v.logons = append(v.logons, int32(i))
		}
	}
}

// gones is goneOf(v.evs), found once.
func (v *view) gones() *gones {
	if v.found&foundGone == 0 {
		v.gone, v.found = goneOf(v.evs), v.found|foundGone
	}
	return &v.gone
}

// spooler is scanSpooler(v.evs), found once.
func (v *view) spooler() *spoolerFacts {
	if v.found&foundSpooler == 0 {
		v.sp, v.found = scanSpooler(v.evs), v.found|foundSpooler
	}
	return &v.sp
}
