package conformance

import "slices"

// shrink removes steps and simplifies the setting while breaks still holds
// of the lifecycle, and returns the smallest it found. It tries only
// lifecycles a client could make.
func shrink(lc lifecycle, cfg Config, breaks func(lifecycle) bool) lifecycle {
	for changed := true; changed; {
		changed = false
		for i := len(lc.ops) - 1; i >= 0; i-- {
			if i >= len(lc.ops) {
				continue // the step went with an OpenEntry removed meanwhile
			}
			if c := withoutStep(lc, i); possible(c, cfg) && breaks(c) {
				lc, changed = c, true
			}
		}
		for _, simpler := range []func(*lifecycle) bool{
			func(c *lifecycle) bool { was := c.bogus; c.bogus = false; return was },
			func(c *lifecycle) bool { was := c.twoStores; c.twoStores = false; return was },
			func(c *lifecycle) bool { was := c.answer; c.answer = 0; return was != 0 },
			func(c *lifecycle) bool { was := c.objectsFirst; c.objectsFirst = false; return was },
		} {
			if c := lc; simpler(&c) && breaks(c) {
				lc, changed = c, true
			}
		}
	}
	return lc
}

// withoutStep is lc without its step i. Without an OpenEntry, the steps on
// its object go too, and those on later objects are renumbered.
func withoutStep(lc lifecycle, i int) lifecycle {
	ops := slices.Delete(slices.Clone(lc.ops), i, i+1)
	if lc.ops[i].kind == opOpen {
		gone := 0 // which OpenEntry step i was
		for _, o := range lc.ops[:i] {
			if o.kind == opOpen {
				gone++
			}
		}
		ops = slices.DeleteFunc(ops, func(o op) bool { return onObject(o) && o.n == gone })
		for j := range ops {
			if onObject(ops[j]) && ops[j].n > gone {
				ops[j].n--
			}
		}
	}
	lc.ops = ops
	return lc
}

func onObject(o op) bool { return o.kind == opGetProps || o.kind == opCloseObject }
