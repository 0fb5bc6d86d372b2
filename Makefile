# Every target is a plain go command; make is a convenience, never a requirement.
.PHONY: all test conformance generate lint bench

all: lint test

# All the tests, with the race detector: the command README.md and .ci/run use.
test:
	go test -race ./...

# The conformance suite against the reference provider, with its report.
conformance:
	go tool ginkgo ./suites/...

# Regenerate the mocks and the generated docs.
generate:
	go generate ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^mocks/')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...

# Speed goals: lifecycles per second per core (BenchmarkLifecycle,
# BenchmarkExplore: at least 100,000), the conformance run against the
# Ginkgo floor (BenchmarkGinkgoRunVsFloor: at most 3x; it reports the ratio
# with and without the two specs labelled waits, which wait on purpose for
# stray calls, about 50ms a run), allocations.
bench:
	go test -run '^$$' -bench 'Lifecycle|Explore|Check' -benchmem -cpu 1 ./reference
	go test -run '^$$' -bench GinkgoRunVsFloor -benchtime 1x ./conformance/internal/benchrun
