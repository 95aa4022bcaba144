# Two commands for a newcomer: `make demo` (set up, build, and watch the daemon promote a
# canary and roll back a slow one under traffic, in a scratch repository; scripts/demo) and
# `make test`. Both install missing system packages first. `make quickstart` reconciles the
# example once from this repository's own Git history.

SWIFT ?= swift
# The branch the quickstart follows: the one checked out, or main.
BRANCH ?= $(shell b=$$(git symbolic-ref --short -q HEAD 2>/dev/null); echo $${b:-main})

.PHONY: demo demo-drift quickstart test build bootstrap schemas bench

bootstrap:
	@./scripts/bootstrap

build: bootstrap
	$(SWIFT) build --product sextant

# GATEWAY=host:port and LISTEN=host:port move the gateway (default 127.0.0.1:8080) and the
# daemon's API (127.0.0.1:7070); DEMO_FAST=1 is CI's shortened run; KEEP=1 keeps its files.
demo: build
	SEXTANT=$$($(SWIFT) build --show-bin-path)/sextant ./scripts/demo

# The closed loop (scripts/demo-drift): drift, a retrained candidate on a branch with its
# evidence, merged and rolled out. The same variables as demo.
demo-drift: build
	SEXTANT=$$($(SWIFT) build --show-bin-path)/sextant ./scripts/demo-drift

quickstart: build
	SEXTANT=$$($(SWIFT) build --show-bin-path)/sextant BRANCH=$(BRANCH) ./scripts/quickstart

test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Regenerates manifests/schemas/ after a change to the manifest types.
schemas: build
	@for kind in model dataset datacontract slo rolloutpolicy; do \
		$(SWIFT) run --skip-build sextant schema $$kind > manifests/schemas/$$kind.json; done

bench:
	bench/validate
	bench/reconcile
