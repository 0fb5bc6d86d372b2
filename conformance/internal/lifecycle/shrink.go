package lifecycle

import "slices"

// Shrink removes steps and simplifies the setting while breaks still holds
// of the lifecycle, and returns the smallest it found. It tries only
// lifecycles a client could make.
func Shrink(lc Lifecycle, caps Caps, breaks func(Lifecycle) bool) Lifecycle {
	for changed := true; changed; {
		changed = false
		for i := len(lc.Steps) - 1; i >= 0; i-- {
			if i >= len(lc.Steps) {
				continue // the step went with an OpenEntry removed meanwhile
			}
			if c := WithoutStep(lc, i); Possible(c, caps) && breaks(c) {
				lc, changed = c, true
			}
		}
		for _, simpler := range []func(*Lifecycle) bool{
			func(c *Lifecycle) bool { was := c.Bogus; c.Bogus = false; return was },
			func(c *Lifecycle) bool { was := c.TwoStores; c.TwoStores = false; return was },
			func(c *Lifecycle) bool { was := c.Answer; c.Answer = 0; return was != 0 },
			func(c *Lifecycle) bool { was := c.ObjectsFirst; c.ObjectsFirst = false; return was },
		} {
			if c := lc; simpler(&c) && Possible(c, caps) && breaks(c) {
				lc, changed = c, true
			}
		}
	}
	return lc
}

// WithoutStep is lc without its step i. Without an OpenEntry, the steps on
// its object go too, and those on later objects are renumbered.
func WithoutStep(lc Lifecycle, i int) Lifecycle {
	steps := slices.Delete(slices.Clone(lc.Steps), i, i+1)
	if removed := lc.Steps[i]; removed.Kind == Open {
		gone := 0 // which OpenEntry on its store step i was
		for _, o := range lc.Steps[:i] {
			if o.Kind == Open && o.Store == removed.Store {
				gone++
			}
		}
		onIt := func(o Step) bool { return o.OnObject() && o.Store == removed.Store }
		steps = slices.DeleteFunc(steps, func(o Step) bool { return onIt(o) && o.N == gone })
		for j := range steps {
			if onIt(steps[j]) && steps[j].N > gone {
				steps[j].N--
			}
		}
	}
	lc.Steps = steps
	return lc
}

// SequentialReleases is lc with each burst of concurrent Releases made one
// Release after another.
func SequentialReleases(lc Lifecycle) Lifecycle {
	var steps []Step
	for _, o := range lc.Steps {
		if o.Kind != ConcurrentRelease {
			steps = append(steps, o)
			continue
		}
		for range o.N {
			steps = append(steps, Step{Kind: Release, Store: o.Store})
		}
	}
	lc.Steps = steps
	return lc
}
