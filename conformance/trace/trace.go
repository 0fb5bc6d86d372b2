// Package trace records every call that crosses the boundary between MAPI and
// a message store provider, in either direction, as plain data.
//
// A Trace is what the conformance specs judge: every rule is a question about
// the order, count and arguments of its events, or about a value the provider
// returned. Because it is plain data, the same judgement works whether the
// provider runs in-process or behind a wire.
package trace

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mapiconf/mapiconf/mapi"
)

// Direction says which side made a call.
type Direction uint8

const (
	// ToProvider is a call by MAPI, a client or the spooler into the provider.
	ToProvider Direction = iota
	// ToMAPI is a call by the provider into MAPI (the support object).
	ToMAPI
	// Internal is a step MAPI takes on its own, such as removing the
	// provider's MAPIUIDs during teardown. No call crosses the boundary.
	Internal
)

func (d Direction) String() string {
	switch d {
	case ToProvider:
		return "→ provider"
	case ToMAPI:
		return "→ MAPI"
	default:
		return "MAPI"
	}
}

// Event is one call. Calls and returns share one logical clock, so that a call
// made inside another (STLT inside StoreLogoff, IMSLogon::Logoff inside the
// support's Release) lies between the outer call's At and Ret.
type Event struct {
	Seq    int       // position in the trace, from 1, in the order calls began
	At     int       // logical time the call began
	Ret    int       // logical time it returned; 0 while it has not
	Dir    Direction // who called whom
	Caller string    // "client", "spooler", "session", "MAPI" or "provider"
	Object string    // the object called: "store", "logon", "support", "provider", "object 2", ...
	Iface  string    // the interface called, e.g. "IMsgStore"
	Method string    // the method, e.g. "StoreLogoff"
	Args   []any     // arguments, in order
	Out    []any     // results other than the error
	Err    error     // the returned error; nil is S_OK
	Panic  any       // what the call panicked with, if it did
	// OwnThread: the provider made this call into MAPI from a thread of
	// its own (a timer, a worker), not inside a call into it, though it
	// may have landed while one was in progress. False where the
	// recorder cannot tell. The order of calls in time does not say
	// which thread made a call; this does.
	OwnThread bool
}

// Name is the interface and method, e.g. "IMsgStore::StoreLogoff".
func (e Event) Name() string { return e.Iface + "::" + e.Method }

// Done reports whether the call has returned (or panicked).
func (e Event) Done() bool { return e.Ret != 0 }

// Encloses reports whether inner began while e was in progress.
func (e Event) Encloses(inner Event) bool {
	return inner.At > e.At && (e.Ret == 0 || inner.At < e.Ret)
}

// Arg returns the i'th argument, or nil.
func (e Event) Arg(i int) any {
	if i < len(e.Args) {
		return e.Args[i]
	}
	return nil
}

// String prints the call as a line of a call sequence, e.g.
// "client → IMsgStore::StoreLogoff(LOGOFF_ORDERLY) = S_OK, LOGOFF_COMPLETE".
func (e Event) String() string {
	var b strings.Builder
	if e.Dir == Internal && e.Caller == "MAPI" {
		b.WriteString("MAPI: ")
	} else {
		b.WriteString(e.Caller)
		b.WriteString(" → ")
	}
	if e.Object != "" && e.Object != defaultObject[e.Iface] {
		// Which of several: "[store 2]", "[object 3 (root folder)]".
		b.WriteString("[" + e.Object + "] ")
	}
	b.WriteString(e.Name())
	b.WriteByte('(')
	for i, a := range e.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(formatValue(a))
	}
	b.WriteByte(')')
	if e.Dir == Internal {
		return b.String()
	}
	switch {
	case e.Panic != nil:
		fmt.Fprintf(&b, " PANICKED: %v", e.Panic)
	case !e.Done():
		b.WriteString(" … (has not returned)")
	default:
		b.WriteString(" = ")
		b.WriteString(mapi.ResultOf(e.Err))
		for _, o := range e.Out {
			b.WriteString(", ")
			b.WriteString(formatValue(o))
		}
	}
	return b.String()
}

// defaultObject is the object a call on each interface names when there is
// one of it: the first store's, or the only one. Others are printed.
var defaultObject = map[string]string{
	"IMsgStore": "store", "IMSLogon": "logon", "IMAPISupport": "support",
	"IMSProvider": "provider", "IMAPISession": "session", "MAPI": "MAPI",
}

func formatValue(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case mapi.EntryID:
		return fmt.Sprintf("%q", string(v))
	case nil:
		return "nil"
	}
	return fmt.Sprint(v)
}

// Trace is a call sequence that many goroutines may add to at once.
// The zero value is empty and ready to use.
type Trace struct {
	mu      sync.Mutex
	clock   int
	events  []Event
	values  []any        // the block Values hands out from
	retired bool         // Retire gave the storage away: record nothing more
	ticks   atomic.Int64 // bumped on every call and return, read without the lock
}

// Begin records the start of a call and returns its handle for End.
// Seq, At and Ret are set by the trace.
func (t *Trace) Begin(e Event) int {
	t.mu.Lock()
	if t.retired {
		t.mu.Unlock()
		return 0
	}
	if t.events == nil {
		t.events = make([]Event, 0, 32) // a lifecycle's worth
	}
	t.clock++
	e.At, e.Ret = t.clock, 0
	e.Seq = len(t.events) + 1
	t.events = append(t.events, e)
	t.mu.Unlock()
	t.ticks.Add(1)
	return e.Seq
}

// End records the return of the call that Begin numbered seq.
func (t *Trace) End(seq int, out []any, err error, panicked any) {
	t.mu.Lock()
	if t.retired {
		t.mu.Unlock()
		return
	}
	t.clock++
	e := &t.events[seq-1]
	e.Ret, e.Out, e.Err, e.Panic = t.clock, out, err, panicked
	t.mu.Unlock()
	t.ticks.Add(1)
}

// Note records a step MAPI takes on its own, which begins and ends at once.
func (t *Trace) Note(method string, args ...any) int {
	return t.NoteOn("MAPI", method, args...)
}

// NoteOn records a step MAPI takes on its own for one object, such as the
// spooler's logon ("spooler store").
func (t *Trace) NoteOn(object, method string, args ...any) int {
	seq := t.Begin(Event{Dir: Internal, Caller: "MAPI", Object: object, Iface: "MAPI", Method: method, Args: t.Values(args...)})
	t.End(seq, nil, nil, nil)
	return seq
}

// Events returns a copy of the events so far, in the order calls began.
func (t *Trace) Events() []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Event(nil), t.events...)
}

// Since returns a copy of the events from index i on (the first event is
// index 0), so that a caller can look at what one step added.
func (t *Trace) Since(i int) []Event { return t.AppendSince(nil, i) }

// AppendSince appends the events from index i on to dst and returns it: a
// caller that looks at the trace step after step copies into one buffer.
func (t *Trace) AppendSince(dst []Event, i int) []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	if i >= len(t.events) {
		return dst
	}
	return append(dst, t.events[i:]...)
}

// Count returns how many events so far c matches, without copying them.
func (t *Trace) Count(c Call) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for i := range t.events {
		if c.MatchesAt(&t.events[i]) {
			n++
		}
	}
	return n
}

// Balance returns how many events so far up matches less how many down
// matches, in one pass: the references AddRefs and Releases leave.
func (t *Trace) Balance(up, down Call) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for i := range t.events {
		switch {
		case up.MatchesAt(&t.events[i]):
			n++
		case down.MatchesAt(&t.events[i]):
			n--
		}
	}
	return n
}

// Len returns the number of events so far.
func (t *Trace) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.events)
}

// Progress returns a number that changes whenever a call begins or returns,
// so that a watchdog can tell a provider that hangs from one that works.
func (t *Trace) Progress() int64 { return t.ticks.Load() }

// InProgress returns the innermost call that has begun and not returned, and
// whether there is one: the call a hanging provider is stuck in.
func (t *Trace) InProgress() (Event, bool) {
	evs := t.Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if !evs[i].Done() {
			return evs[i], true
		}
	}
	return Event{}, false
}

// String prints the whole trace as a numbered call sequence.
func (t *Trace) String() string { return Format(t.Events(), nil) }

// Format prints events as a numbered call sequence, one call a line, calls
// made inside another indented under it. Events whose Seq is a key of marks
// are flagged with "▶" and the mark's text, so that a failure can point at
// the offending call.
func Format(events []Event, marks map[int]string) string {
	if len(events) == 0 {
		return "    (no calls)\n"
	}
	var b strings.Builder
	for i, e := range events {
		depth := 0
		for _, outer := range events[:i] {
			if outer.Encloses(e) {
				depth++
			}
		}
		prefix := "   "
		mark, marked := marks[e.Seq]
		if marked {
			prefix = " ▶ "
		}
		fmt.Fprintf(&b, "%s%3d  %s%s", prefix, e.Seq, strings.Repeat("    ", depth), e)
		if marked && mark != "" {
			fmt.Fprintf(&b, "    ◀ %s", mark)
		}
		b.WriteByte('\n')
	}
	return b.String()
}
