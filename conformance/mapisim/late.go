package mapisim

import (
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
}

// Late returns the calls the provider made late, in the order they came.
func (m *MAPI) Late() []Late {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Late(nil), m.lates...)
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
	m.lates = append(m.lates, Late{Event: ev, After: time.Since(at), Since: since})
}
