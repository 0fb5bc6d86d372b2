// Package reference_test runs the conformance suite against the bundled
// reference provider in both profiles, strictly, with a status row.
package reference_test

import (
	"testing"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/reference"
)

func TestReferenceProvider(t *testing.T) {
	conformance.Run(t,
		reference.Config(reference.Options{StatusRow: true}),
		reference.Config(reference.Options{StatusRow: true, Deferred: true}),
	)
}
