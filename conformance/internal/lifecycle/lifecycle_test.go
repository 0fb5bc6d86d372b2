package lifecycle

import (
	"testing"

	"github.com/mapiconf/mapiconf/mapi"
)

// Every step Next offers fits, and taking it keeps every generated
// lifecycle possible: the enumeration and the random generation agree on
// what a client can do.
func TestNextOffersOnlyWhatFits(t *testing.T) {
	caps := Caps{Objects: true, MultipleStores: true}
	c := NewClient()
	first := c.Next(caps, 3)
	if len(first) == 0 || first[0].Kind != AddRef {
		t.Fatalf("Next after logon = %v, want AddRef first", first)
	}
	for _, o := range first {
		if o.OnObject() || o.Kind == ReleaseAgain {
			t.Errorf("Next after logon offers %v, which needs something the client does not hold", o)
		}
	}
	c.Take(Step{Kind: Open})
	var onObject int
	for _, o := range c.Next(caps, 3) {
		if o.OnObject() {
			onObject++
		}
	}
	if onObject != 2 {
		t.Errorf("with one object open Next offers %d steps on it, want GetProps and its Release", onObject)
	}
	for seed := range uint64(500) {
		if lc := Generate(seed, caps); !Possible(lc, caps) {
			t.Fatalf("seed %d generated a lifecycle no client can make:\n%v", seed, lc)
		}
	}
}

func TestWithoutOpenRenumbersObjects(t *testing.T) {
	lc := Lifecycle{Steps: []Step{{Kind: Open}, {Kind: Open}, {Kind: GetProps, N: 0}, {Kind: CloseObject, N: 1}, {Kind: StoreLogoff, Flags: mapi.LogoffOrderly}}}
	got := WithoutStep(lc, 0).Steps
	want := []Step{{Kind: Open}, {Kind: CloseObject, N: 0}, {Kind: StoreLogoff, Flags: mapi.LogoffOrderly}}
	if len(got) != len(want) {
		t.Fatalf("WithoutStep = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("WithoutStep = %v, want %v", got, want)
		}
	}
}
