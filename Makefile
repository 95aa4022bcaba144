# Two commands for a newcomer: `make quickstart` (set up, build, validate the example)
# and `make test`. Both install missing system packages first.

SWIFT ?= swift

.PHONY: quickstart test build bootstrap schemas bench

bootstrap:
	@./scripts/bootstrap

build: bootstrap
	$(SWIFT) build --product sextant

quickstart: build
	$(SWIFT) run --skip-build sextant validate examples/quickstart

test: bootstrap
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Regenerates manifests/schemas/ after a change to the manifest types.
schemas: build
	@for kind in model dataset datacontract slo rolloutpolicy; do \
		$(SWIFT) run --skip-build sextant schema $$kind > manifests/schemas/$$kind.json; done

bench:
	bench/validate
