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

# vet, and staticcheck with staticcheck.conf (fetched from the Go module
# proxy by version; go.mod stays free of it).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
vet:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# Every binary builds for Linux, macOS (Intel and Apple silicon) and
# Windows, and vet (which compiles the tests too) passes for each system.
CROSS := linux/amd64 darwin/amd64 darwin/arm64 windows/amd64
cross:
	@set -e; for p in $(CROSS); do \
		echo "build GOOS=$${p%/*} GOARCH=$${p#*/}"; \
		CGO_ENABLED=0 GOOS=$${p%/*} GOARCH=$${p#*/} $(GO) build $(addprefix ./cmd/,$(TOOLS)); \
	done; \
	for os in darwin windows; do echo "vet GOOS=$$os"; GOOS=$$os $(GO) vet ./...; done

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi

# The whole suite, test bed and Docker integration tests included.
test: testdeps testbed vet cross fmt-check
	COVKIT_REQUIRE_TESTBED=1 $(GO) test -race -count=1 -timeout 45m ./...

bench:
	./bench/compare
