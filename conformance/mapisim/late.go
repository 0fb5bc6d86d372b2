package mapisim

import (
	"sync"
	"time"

	"github.com/mapiconf/mapiconf/conformance/trace"
)

// A provider may leave work running that calls MAPI after its store ended:
// a timer that updates the status row, a cleanup scheduled from Logoff, a
// notification thread. However late it comes, such a call breaks a rule
// (RULES.md revision 4), so a MAPI keeps its supports watching for as long
// as it lives: a call on a support the provider released, or after the
// provider's final Release, is noted with how long after it came. The
// suite keeps every MAPI of a run until the run ends, and its last spec
// reports what came late; none waits on purpose.

// A Late is a call the provider made on a support after letting go of it,
// or after its own final Release.
type Late struct {
	Event trace.Event   // the call, as the trace shows it; Seq 0 if the trace was retired
	After time.Duration // how long after what Since names it came
	Since string        // "the provider released support 2", "the provider's final Release"
	// Released: the provider had let go of the support it called;
	// AfterProvider: the provider's final Release had come.
	Released, AfterProvider bool
}

// Late returns the calls the provider made late, in the order they came.
func (m *MAPI) Late() []Late { return m.lates.Calls() }

// Lates returns the log of m's late calls: a small value that outlives the
// MAPI, so that a run of thousands of lifecycles keeps watching each without
// keeping each's MAPI, trace and provider.
func (m *MAPI) Lates() *LateLog { return &m.lates }

// A LateLog is where a MAPI notes the calls that came late.
type LateLog struct {
	mu    sync.Mutex
	calls []Late
}

// Calls returns the calls noted so far, in the order they came.
func (l *LateLog) Calls() []Late {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Late(nil), l.calls...)
}

// noteLate notes the call ev (seq in the trace) if it came late: on the
// support s after the provider let go of it, or after the provider's final
// Release.
func (m *MAPI) noteLate(s *Support, ev trace.Event, seq int) {
	s.mu.Lock()
	released := s.releasedAt
	s.mu.Unlock()
	m.mu.Lock()
	defer m.mu.Unlock()
	since, at := "", time.Time{}
	switch {
	case !released.IsZero():
		since, at = "the provider released "+s.name, released
	case !m.goneAt.IsZero():
		since, at = "the provider's final Release", m.goneAt
	default:
		return
	}
	ev.Seq = seq
	m.lates.mu.Lock()
	m.lates.calls = append(m.lates.calls, Late{Event: ev, After: time.Since(at), Since: since, Released: !released.IsZero(), AfterProvider: !m.goneAt.IsZero()})
	m.lates.mu.Unlock()
}
