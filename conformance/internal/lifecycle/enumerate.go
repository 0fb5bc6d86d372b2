package lifecycle

// The bounded-exhaustive enumeration: every lifecycle up to a size, in a
// fixed order, smallest first, so that a gate says the same of a provider
// on every run and the first lifecycle that breaks a rule is one of the
// smallest that do.
//
// A lifecycle's size is the number of its steps plus the number of its
// settings that are not the ordinary ones: an answer of StoreLogoffTransports
// other than S_OK with LOGOFF_COMPLETE, bogus reference counts, a second
// store. The alphabet is everything Client.Next offers at each point (each
// step with each input flag), bursts of concurrent Releases of two
// references, and these settings.
//
// Duplicates are left out, so that every lifecycle enumerated drives the
// provider differently:
//   - a lifecycle whose last step is the one its end would make first
//     anyway (the client's last Release, an object's Release) drives the
//     provider as the lifecycle without it does; with a second store it
//     does not, for the end first checks that the second store was left
//     alone;
//   - the order in which the client releases what it holds at the end
//     (Lifecycle.ObjectsFirst) is enumerated both ways only when it holds
//     both store references and objects then.

// EnumerationBurst is the size of the concurrent Releases the enumeration
// makes: two goroutines are enough to race.
const EnumerationBurst = 2

// Enumerate calls yield with every lifecycle of size up to depth, smallest
// first, in a fixed order, until yield returns false. Each lifecycle's
// Steps are its own.
func Enumerate(caps Caps, depth int, yield func(Lifecycle) bool) {
	for size := 0; size <= depth; size++ {
		for _, set := range settings(caps) {
			if set.cost > size {
				continue
			}
			e := enumeration{caps: caps, set: set.lc, yield: yield}
			if !e.steps(NewClientOf(set.lc), make([]Step, 0, size), size-set.cost) {
				return
			}
		}
	}
}

// Count is how many lifecycles Enumerate makes to depth.
func Count(caps Caps, depth int) int {
	n := 0
	Enumerate(caps, depth, func(Lifecycle) bool { n++; return true })
	return n
}

// setting is a lifecycle's setting and what it adds to the size.
type setting struct {
	lc   Lifecycle
	cost int
}

// settings lists every setting in a fixed order: each answer, with true
// and with bogus counts, with one store and with two.
func settings(caps Caps) []setting {
	var out []setting
	for a := range Answers {
		for _, bogus := range []bool{false, true} {
			for _, two := range []bool{false, true} {
				if two && !caps.MultipleStores {
					continue
				}
				cost := 0
				for _, extra := range []bool{a != 0, bogus, two} {
					if extra {
						cost++
					}
				}
				out = append(out, setting{Lifecycle{Answer: uint8(a), Bogus: bogus, TwoStores: two}, cost})
			}
		}
	}
	return out
}

type enumeration struct {
	caps  Caps
	set   Lifecycle
	yield func(Lifecycle) bool
}

// steps extends steps, made by client c, with left more steps, and yields
// each lifecycle of exactly that length; false: the enumeration stops.
func (e *enumeration) steps(c Client, steps []Step, left int) bool {
	if left == 0 {
		return e.emit(c, steps)
	}
	for _, o := range c.Next(e.caps, EnumerationBurst) {
		next := c.Clone()
		next.Take(o)
		if !e.steps(next, append(steps, o), left-1) {
			return false
		}
	}
	return true
}

// emit yields the lifecycle of steps, made by client c, with the end in
// each order that matters, unless it is a duplicate.
func (e *enumeration) emit(c Client, steps []Step) bool {
	for _, objectsFirst := range []bool{false, true} {
		if objectsFirst && !c.endOrderMatters() {
			break
		}
		if e.duplicate(steps, objectsFirst) {
			continue
		}
		lc := e.set
		lc.ObjectsFirst = objectsFirst
		lc.Steps = append([]Step(nil), steps...)
		if !e.yield(lc) {
			return false
		}
	}
	return true
}

// duplicate reports whether the lifecycle's last step is the one the end
// of the lifecycle without it makes first, in the same order: the two
// drive the provider alike. With a second store they do not: the end
// first checks that the second store was left alone.
func (e *enumeration) duplicate(steps []Step, objectsFirst bool) bool {
	n := len(steps)
	if n == 0 || e.set.TwoStores {
		return false
	}
	prev := NewClientOf(e.set)
	for _, o := range steps[:n-1] {
		prev.Take(o)
	}
	first, ok := prev.firstOfEnd(objectsFirst)
	return ok && first == steps[n-1]
}

// endOrderMatters reports whether the end releases both store references
// and objects of the first store, so that Lifecycle.ObjectsFirst changes
// it.
func (c *Client) endOrderMatters() bool { st := &c.stores[0]; return st.refs > 0 && len(st.live) > 0 }

// firstOfEnd is the first step the end of a lifecycle makes for a client
// holding what c holds: the stores second Logons returned go first, then
// its store references and its objects, in the order objectsFirst says.
func (c *Client) firstOfEnd(objectsFirst bool) (Step, bool) {
	st := &c.stores[0]
	switch {
	case st.again > 0:
		return Step{Kind: ReleaseAgain}, true
	case len(st.live) > 0 && (objectsFirst || st.refs == 0):
		return Step{Kind: CloseObject, N: st.live[0]}, true
	case st.refs > 0:
		return Step{Kind: Release}, true
	}
	return Step{}, false
}
