# The seeded chaos campaign (issue 17): real Executor replicas, a
# nats-server, the VPSie simulator and the sandbox cluster; faults drawn
# per run from SEED+run. A failed run prints the line that replays it.
#
#   make chaos RUNS=20 SEED=1
#   make chaos RUNS=1 SEED=1234                       replay one run
#   make chaos CHAOS_FLAGS=--seeds=7,42,108           replay several
#   make chaos CHAOS_FLAGS='--executor-arg=--foo=1'   more Executor flags
#
# Included by the root Makefile, after mk/sandbox.mk (SANDBOX_BIN_DIR).

RUNS        ?= 20
SEED        ?= 1
CHAOS_FLAGS ?=

.PHONY: chaos
chaos: sandbox-bins ## Seeded chaos campaign on real processes: make chaos RUNS=20 SEED=1
	@mkdir -p $(CURDIR)/bin
	@cd $(CURDIR)/testbed && go build -trimpath -o $(CURDIR)/bin/chaos ./cmd/chaos
	@$(CURDIR)/bin/chaos --runs $(RUNS) --seed $(SEED) $(CHAOS_FLAGS)
