package thirdparty_test

import (
	"testing"

	"example.com/thirdparty"
	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
)

// TestConformance is the whole integration: a plain go test.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Config{
		Name:         "thirdparty",
		NewProvider:  func() (mapi.IMSProvider, error) { return thirdparty.New(), nil },
		Profile:      conformance.Deferred,
		Capabilities: conformance.Capabilities{StatusRow: true, Objects: true, Subobject: "msg-1", StatusObject: true, MultipleStores: true},
	})
}
