# covkit: the two commands a newcomer needs are `make demo` and `make test`.
SHELL   := /bin/bash
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -s -w -X github.com/covkit/covkit/internal/cli.Version=$(VERSION)
TOOLS   := covhook covrun covmerge covreport covdocker

.PHONY: build testbed testdeps demo test check vet cross fmt-check bench

# Static binaries: they must run unchanged inside Debian containers.
build:
	@mkdir -p bin
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/ $(addprefix ./cmd/,$(TOOLS))

# Real interpreters with real coverage.py (host, trixie, sid) and their Docker images.
testbed:
	./testbed/build

# The other programs the tests run, each installed only when missing: xmllint,
# lcov, chromium, a C compiler for -race, Docker's client and docker-compose.
testdeps:
	./testbed/build tools

# The main job: the example pipeline under covrun, one merged report.
demo: build testbed
	./examples/demo

vet:
	$(GO) vet ./...

# Every binary builds for Linux, macOS and Windows, and vet (which compiles
# the tests too) passes for each.
CROSS_OS := linux darwin windows
cross:
	@set -e; for os in $(CROSS_OS); do \
		echo "GOOS=$$os"; \
		CGO_ENABLED=0 GOOS=$$os $(GO) build $(addprefix ./cmd/,$(TOOLS)); \
		[ $$os = linux ] || GOOS=$$os $(GO) vet ./...; \
	done

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi

# The whole suite, test bed and Docker integration tests included.
test: testdeps testbed vet cross fmt-check
	COVKIT_REQUIRE_TESTBED=1 $(GO) test -race -count=1 -timeout 45m ./...

bench:
	./bench/compare
