# Two commands for a newcomer: `make quickstart` (set up, build, validate the example and
# reconcile it from this repository's own Git history) and `make test`. Both install
# missing system packages first.

SWIFT ?= swift
# The branch the quickstart follows: the one checked out, or main.
BRANCH ?= $(shell b=$$(git symbolic-ref --short -q HEAD 2>/dev/null); echo $${b:-main})

.PHONY: quickstart test build bootstrap schemas bench

bootstrap:
	@./scripts/bootstrap

build: bootstrap
	$(SWIFT) build --product sextant

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
