// Package ginkgosuite is the same integration for a repository that already
// has a Ginkgo suite: the conformance specs join it as one container.
package ginkgosuite_test

import (
	"fmt"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"example.com/thirdparty"
	"github.com/mapiconf/mapiconf/conformance"
	"github.com/mapiconf/mapiconf/mapi"
)

func TestSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "thirdparty")
}

// The repository's own specs...
var _ = Describe("the provider", func() {
	It("logs on", func() {
		Expect(thirdparty.New()).NotTo(BeNil())
	})
})

// ...and mapiconf's, in the same tree.
var _ = conformance.Describe(conformance.Config{
	Name:        "thirdparty",
	NewProvider: func() (mapi.IMSProvider, error) { return thirdparty.New(), nil },
	Profile:     conformance.Deferred,
})

var _ = ReportAfterSuite("mapiconf report", func(r Report) {
	fmt.Print(conformance.Summarize(r))
})
