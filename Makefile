# Every target is a plain go command; make is a convenience, never a requirement.
.PHONY: all test conformance conformance-dll generate lint bench bench-dll

all: lint test

# All the tests, with the race detector: the command README.md and .ci/run use.
test:
	go test -race ./...

# The conformance suite against the reference provider, with its report.
conformance:
	go tool ginkgo ./suites/...

# The conformance suite against a provider DLL: mapiconf test -dll, with
# its report by rule (docs/dll.md). On Linux it runs under Wine and needs
# wine64 and mingw-w64; it says how to install them when they are missing.
#   make conformance-dll MAPICONF_DLL=path/to/provider.dll MAPICONF_PROFILE=deferred
# Every MAPICONF_ variable of mapiconf test works here too: MAPICONF_CAPABILITIES
# (what the provider does beyond the minimum), MAPICONF_REPORT_DIR, ...
conformance-dll:
	@test -n "$(MAPICONF_DLL)" || { echo "usage: make conformance-dll MAPICONF_DLL=path/to/provider.dll MAPICONF_PROFILE=deferred|immediate [MAPICONF_CAPABILITIES=StatusRow,Objects,...] [MAPICONF_REPORT_DIR=reports]"; exit 2; }
	@# go run would turn the gate's exit status 2 (could not run) into 1.
	go build -o "$${TMPDIR:-/tmp}/mapiconf-make" ./cmd/mapiconf && "$${TMPDIR:-/tmp}/mapiconf-make" test

# Regenerate the mocks and the generated docs.
generate:
	go generate ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^mocks/')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	go vet ./...

# Speed goals (issue 19), each a benchmark: lifecycles per second per core
# (BenchmarkExplore: at least 150,000 with at most 10 allocations a
# lifecycle; BenchmarkLifecycle: at least 300,000), the conformance run
# against the Ginkgo floor (BenchmarkGinkgoRunVsFloor: at most 2x, the named
# specs without the enumeration), the whole default run in process
# (BenchmarkDefaultRun, issue 16: at most 5s), allocations.
bench:
	go test -run '^$$' -bench 'Lifecycle|Explore|Check|DefaultRun' -benchmem -cpu 1 ./reference
	go test -run '^$$' -bench GinkgoRunVsFloor -benchtime 1x ./conformance/internal/benchrun

# The suite against the C provider through the DLL adapter under Wine, and
# against the Go reference provider in process, in the same run; one call
# into the DLL, direct and guarded (docs/dll.md). Each runs twice, in the
# same run: the C provider built for x64 in a windows/amd64 test binary
# (TestUnderWine/amd64), then built for x86 in a windows/386 one
# (TestUnderWine/386), so the two bitnesses compare. Goals (issue 19):
# BenchmarkCall/AddRef at most 60 ns and no allocation, BenchmarkCall/Logon
# at most 3 µs, BenchmarkSuite/STLT-01 through the DLL at most 1.3x the Go
# reference provider's in process.
bench-dll:
	go test -count=1 -v -run '^TestUnderWine$$' ./dll -wine.args='-test.run=^$$ -test.bench=. -test.benchmem'
