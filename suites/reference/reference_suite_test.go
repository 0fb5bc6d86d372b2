// Package reference_test runs the conformance suite against the bundled
// reference provider in both profiles, strictly, with a status row.
package reference_test

import (
	"testing"

	// The Ginkgo CLI treats a package as a Ginkgo suite, and passes it
	// --label-filter, --junit-report, --no-color and the rest, only when one
	// of its test files imports Ginkgo itself; conformance's import of it
	// does not count, and the CLI would run the package as a plain go test,
	// ignoring those flags without a word.
	_ "github.com/onsi/ginkgo/v2"

	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/reference"
)

func TestReferenceProvider(t *testing.T) {
	conformance.Run(t,
		reference.Config(reference.Options{StatusRow: true}),
		reference.Config(reference.Options{StatusRow: true, Deferred: true}),
	)
}
