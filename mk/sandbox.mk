# The sandbox cluster (issue 3): binaries cached outside the clone, and one
# background sandbox for the demo and for poking at with kubectl.
#
#   make sandbox-bins   build what is missing (first time about 15 minutes)
#   make sandbox-up     start a sandbox; KUBECONFIG=.sandbox/kubeconfig
#   make sandbox-down   stop it; fails if any of its processes is left
#
# Included by the root Makefile; works alone too: make -f mk/sandbox.mk ...

SANDBOX_ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
SANDBOX_DIR  := $(SANDBOX_ROOT)/.sandbox
SANDBOX_CMD  := $(SANDBOX_DIR)/bin/sandbox

# Where build.sh puts the binaries; tests and testbed/sandbox read it.
SANDBOX_BIN_DIR ?= $(shell $(SANDBOX_ROOT)/tools/sandbox/build.sh --print-dir)/bin
export SANDBOX_BIN_DIR

# For the root Makefile: what the tests need built first.
SANDBOX_BINS_TARGET := sandbox-bins

.PHONY: sandbox-bins sandbox-up sandbox-down sandbox-cmd

sandbox-bins: ## Build the sandbox's binaries into the cache, if missing.
	@$(SANDBOX_ROOT)/tools/sandbox/build.sh >/dev/null

sandbox-cmd:
	@mkdir -p $(dir $(SANDBOX_CMD))
	@cd $(SANDBOX_ROOT)/testbed && go build -o $(SANDBOX_CMD) ./cmd/sandbox

sandbox-up: sandbox-bins sandbox-cmd ## Start a sandbox in the background; writes .sandbox/kubeconfig.
	@cd $(SANDBOX_ROOT) && $(SANDBOX_CMD) up -dir $(SANDBOX_DIR)

sandbox-down: sandbox-cmd ## Stop the background sandbox; fails if any of its processes is left.
	@cd $(SANDBOX_ROOT) && $(SANDBOX_CMD) down -dir $(SANDBOX_DIR)
