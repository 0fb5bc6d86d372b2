package conformance

import (
	"github.com/onsi/gomega/types"

	"slices"
	"sync"

	"github.com/mapiconf/mapiconf/conformance/mapisim"
	"github.com/mapiconf/mapiconf/conformance/trace"
	"github.com/mapiconf/mapiconf/mapi"
)

// Path names, for outlines (the path values refer to outline, which refers
// to the names: constants break the cycle).
const (
	releaseOnlyName = "Release-only path: a client calls Release alone"
	sessionName     = "session path: IMAPISession::Logoff with the store still open"
	extraRefsName   = "extra references: the client AddRefs twice, calls StoreLogoff(LOGOFF_ORDERLY), then Releases three times"
	repeatedName    = "repeated StoreLogoff: LOGOFF_ORDERLY, then LOGOFF_PURGE, then Release"
)

// A path is one way a store is shut down, driven from logon to the end.
// Specs that judge a rule on every path loop over them.
type path struct {
	name string
	// steps are the calls the clients and the session make after logon;
	// the outline test drives them too, against the reference provider.
	steps func(m *mapisim.MAPI, s *mapisim.Store)
	// The expected outline failures print: by name, or for the orderly
	// paths by caller and flag.
	outline, caller string
	flag            mapi.LogoffFlags
}

// drive logs on to a fresh provider and takes it down the path.
func (p path) drive(h *H, opts mapisim.Options) {
	if p.outline == "" {
		h.outline(p.name, "", 0)
	} else {
		h.outline(p.outline, p.caller, p.flag)
	}
	m, s := h.start(opts)
	h.drive(func() { p.steps(m, s) })
}

var (
	orderly = path{name: "orderly path: a client calls StoreLogoff(LOGOFF_ORDERLY), then Release",
		outline: "storelogoff-release", caller: "client", flag: mapi.LogoffOrderly,
		steps: func(m *mapisim.MAPI, s *mapisim.Store) {
			s.Client().StoreLogoff(mapi.LogoffOrderly)
			s.Client().Release()
		}}
	spooler = path{name: "orderly path: the spooler calls StoreLogoff(LOGOFF_ORDERLY), then the client calls Release",
		outline: "storelogoff-release", caller: "spooler", flag: mapi.LogoffOrderly,
		steps: func(m *mapisim.MAPI, s *mapisim.Store) {
			s.Spooler().StoreLogoff(mapi.LogoffOrderly)
			s.Client().Release()
		}}
	releaseOnly = path{name: releaseOnlyName, steps: func(m *mapisim.MAPI, s *mapisim.Store) {
		s.Client().Release()
	}}
	session = path{name: sessionName, steps: func(m *mapisim.MAPI, s *mapisim.Store) {
		m.SessionLogoff(0)
	}}
	extraRefs = path{name: extraRefsName, steps: func(m *mapisim.MAPI, s *mapisim.Store) {
		c := s.Client()
		c.AddRef()
		c.AddRef()
		c.StoreLogoff(mapi.LogoffOrderly)
		c.Release()
		c.Release()
		c.Release()
	}}
	repeated = path{name: repeatedName, steps: func(m *mapisim.MAPI, s *mapisim.Store) {
		c := s.Client()
		c.StoreLogoff(mapi.LogoffOrderly)
		c.StoreLogoff(mapi.LogoffPurge)
		c.Release()
	}}

	// everyPath is every path STLT-01 names.
	everyPath = []path{orderly, spooler, releaseOnly, session, repeated, extraRefs}
	// endingPaths are the three ways in of section A.
	endingPaths = []path{orderly, releaseOnly, session}
)

func (h *H) storeLogoffThenRelease(opts mapisim.Options, caller string, flags mapi.LogoffFlags) *mapisim.Store {
	h.outline("storelogoff-release", caller, flags)
	_, s := h.start(opts)
	c := s.Client()
	if caller == "spooler" {
		c = s.Spooler()
	}
	h.drive(func() {
		c.StoreLogoff(flags)
		s.Client().Release()
	})
	return s
}

// concurrentRelease holds n references and drops them all at once from n
// goroutines.
func (h *H) concurrentRelease(s *mapisim.Store, n int) {
	h.drive(func() {
		for range n - 1 {
			s.Client().AddRef()
		}
		atOnce(slices.Repeat([]func(){s.Client().Release}, n)...)
	})
}

// atOnce runs each f on a goroutine of its own, all let go together so that
// they overlap in the provider, and waits for them.
func atOnce(fs ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, f := range fs {
		wg.Go(func() {
			<-start
			f()
		})
	}
	close(start)
	wg.Wait()
}

// Selectors the specs share.
var (
	stlt           = trace.StoreLogoffTransports
	anySupportCall = trace.Any("IMAPISupport")
	logonCall      = trace.TheFirst(trace.Logon)
)

// supportGone selects the provider's Release of the support that brings its
// references back to where they were before logon: from then on the support
// is gone, whatever the provider does next.
// Object names the support ("support", "support 2"); "" is the first.
type supportGone struct{ object string }

func (g supportGone) name() string {
	if g.object == "" {
		return "support"
	}
	return g.object
}

func (g supportGone) String() string {
	return "the IMAPISupport::Release that drops the provider's last reference on " + g.name()
}

func (g supportGone) Select(evs []trace.Event) []trace.Event {
	var refs supportRefs
	for _, e := range evs {
		if refs.step(&e) && e.Object == g.name() {
			return []trace.Event{e}
		}
	}
	return nil
}

// supportRefs follows, event by event, the provider's references on each
// support of a trace. A support is gone at the Release that leaves the
// provider none, once its IMSProvider::Logon has returned: inside Logon
// MAPI still holds it (mapisim tears nothing down there). The zero value is
// ready.
type supportRefs struct {
	// A trace has a support or two: a slice, not maps, and the first
	// ones kept in the value itself, never pointed to from it, so that a
	// supportRefs made for one pass over a trace stays on the stack.
	buf  [4]supportRef
	n    int          // of buf in use
	more []supportRef // every support, once buf is full
}

type supportRef struct {
	name     string
	held     int
	logonRet int // when the Logon that got the support returned; 0: not yet
	gone     bool
}

// all returns the supports so far.
func (r *supportRefs) all() []supportRef {
	if r.more != nil {
		return r.more
	}
	return r.buf[:r.n]
}

func (r *supportRefs) of(name string) *supportRef {
	all := r.all()
	for i := range all {
		if all[i].name == name {
			return &all[i]
		}
	}
	switch {
	case r.more == nil && r.n < len(r.buf):
		r.buf[r.n] = supportRef{name: name}
		r.n++
		return &r.buf[r.n-1]
	case r.more == nil:
		r.more = append(make([]supportRef, 0, 2*len(r.buf)), r.buf[:]...) // a copy: buf is not pointed to
	}
	r.more = append(r.more, supportRef{name: name})
	return &r.more[len(r.more)-1]
}

// step takes e into account and reports whether it is the Release with
// which its support goes.
func (r *supportRefs) step(e *trace.Event) (goes bool) {
	if e.Dir != trace.ToMAPI || e.Iface != "IMAPISupport" {
		// Logon is called by MAPI: never the support's call.
		if e.Method == "Logon" && trace.Logon.Matches(*e) {
			if s, ok := e.Arg(0).(string); ok {
				r.of(s).logonRet = e.Ret
			}
		}
		return false
	}
	switch e.Method {
	case "AddRef":
		r.of(e.Object).held++
	case "Release":
		s := r.of(e.Object)
		s.held--
		if s.held <= 0 && !s.gone && s.logonRet != 0 && e.At > s.logonRet {
			s.gone = true
			return true
		}
	}
	return false
}

// isGone reports whether the support object has gone.
func (r *supportRefs) isGone(object string) bool {
	for _, s := range r.all() {
		if s.name == object {
			return s.gone
		}
	}
	return false
}

// held is the provider's references on the support object so far.
func (r *supportRefs) held(object string) int {
	for _, s := range r.all() {
		if s.name == object {
			return s.held
		}
	}
	return 0
}

// logoffInsideSupportRelease is how a spec sees that the store ended as documented:
// MAPI's teardown (IMSLogon::Logoff) ran inside the support's Release.
func logoffInsideSupportRelease() types.GomegaMatcher {
	return HaveCallInside(trace.Logoff, trace.SupportRelease)
}

func returnedOK(e trace.Event) bool { return e.Err == nil }

func returnedInvalidObject(e trace.Event) bool { return e.Err == mapi.ErrInvalidObject }
