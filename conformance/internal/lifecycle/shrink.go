package lifecycle

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

// WithoutStep is lc without its step i. Without a step that opens an
// object, the steps on that object go too (and those on the objects they
// opened), and the objects opened later are numbered anew.
func WithoutStep(lc Lifecycle, i int) Lifecycle {
	// number[j] is the object step j opened on its store, -1 for none.
	number := make([]int, len(lc.Steps))
	opened := map[int]int{}
	for j, o := range lc.Steps {
		number[j] = -1
		if o.Opens() {
			number[j] = opened[o.Store]
			opened[o.Store]++
		}
	}
	type obj struct{ store, n int }
	gone := map[obj]bool{}
	drop := make([]bool, len(lc.Steps))
	drop[i] = true
	if number[i] >= 0 {
		gone[obj{lc.Steps[i].Store, number[i]}] = true
	}
	for j, o := range lc.Steps { // steps come after the object they are on
		if !drop[j] && o.OnObject() && gone[obj{o.Store, o.N}] {
			drop[j] = true
			if number[j] >= 0 {
				gone[obj{o.Store, number[j]}] = true
			}
		}
	}
	renumber := map[obj]int{}
	kept := map[int]int{}
	var steps []Step
	for j, o := range lc.Steps {
		if drop[j] {
			continue
		}
		if number[j] >= 0 {
			renumber[obj{o.Store, number[j]}] = kept[o.Store]
			kept[o.Store]++
		}
		if o.OnObject() {
			o.N = renumber[obj{o.Store, o.N}]
		}
		steps = append(steps, o)
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
