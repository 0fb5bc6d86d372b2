package thirdparty_test

import (
	"testing"

	// Imported for the Ginkgo CLI: it passes its flags (--label-filter,
	// --junit-report, ...) only to packages whose test files import Ginkgo,
	// and conformance's own import of it does not count.
	_ "github.com/onsi/ginkgo/v2"

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
