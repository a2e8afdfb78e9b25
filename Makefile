# Node Rebalancer: `make help` lists the targets.
#
# Every tool is pinned here and installed with `go install` into bin/, so a
# fresh clone needs nothing but Go and the module proxy.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

MODULES      := libs services/analyzer services/planner services/executor cli testbed
SERVICES     := analyzer planner executor
BIN          := $(CURDIR)/bin
GO_TEST_FLAGS ?= -race -count=1 -timeout 25m
# What `make generate` writes; `make verify` fails when it differs from git.
GENERATED    := libs/gen libs/apis/autoscaler/v1alpha1/zz_generated.deepcopy.go deploy/crds

BUF_VERSION                := v1.75.0
PROTOC_GEN_GO_VERSION      := v1.36.12
PROTOC_GEN_GO_GRPC_VERSION := v1.6.2
GOLANGCI_LINT_VERSION      := v2.15.0
GRPCURL_VERSION            := v1.9.3

BUF           := $(BIN)/buf
GOLANGCI_LINT := $(BIN)/golangci-lint

# tool: a stamp file per version, so changing a version reinstalls the tool.
# $(1) binary name, $(2) package, $(3) version.
define tool
$(BIN)/.$(1)-$(3):
	@mkdir -p $(BIN)
	@echo "installing $(1) $(3)"
	@GOBIN=$(BIN) GOWORK=off go install $(2)@$(3)
	@rm -f $(BIN)/.$(1)-* && touch $$@
$(BIN)/$(1): $(BIN)/.$(1)-$(3)
TOOL_STAMPS += $(BIN)/.$(1)-$(3)
endef
$(eval $(call tool,buf,github.com/bufbuild/buf/cmd/buf,$(BUF_VERSION)))
$(eval $(call tool,protoc-gen-go,google.golang.org/protobuf/cmd/protoc-gen-go,$(PROTOC_GEN_GO_VERSION)))
$(eval $(call tool,protoc-gen-go-grpc,google.golang.org/grpc/cmd/protoc-gen-go-grpc,$(PROTOC_GEN_GO_GRPC_VERSION)))
$(eval $(call tool,golangci-lint,github.com/golangci/golangci-lint/v2/cmd/golangci-lint,$(GOLANGCI_LINT_VERSION)))
$(eval $(call tool,grpcurl,github.com/fullstorydev/grpcurl/cmd/grpcurl,$(GRPCURL_VERSION)))

-include mk/sandbox.mk
-include mk/bench.mk
-include mk/browser.mk
-include mk/chaos.mk
-include mk/prometheus.mk

.PHONY: help
help: ## Show this help.
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: tools
tools: $(TOOL_STAMPS) ## Install the pinned tools into bin/.

.PHONY: generate
generate: $(BIN)/buf $(BIN)/protoc-gen-go $(BIN)/protoc-gen-go-grpc ## Regenerate libs/gen from the protos, and the NodeGroup deepcopy code and CRD.
	$(BUF) generate
	cd libs && go generate ./apis/...

.PHONY: build
build: ## Build the binaries into bin/.
	@mkdir -p $(BIN)
	@for s in $(SERVICES); do \
		echo "go build bin/$$s"; \
		(cd services/$$s && go build -trimpath -o $(BIN)/$$s ./cmd/$$s); \
	done
	@for c in $(filter-out %/rebalance-demo,$(wildcard testbed/cmd/*)); do \
		echo "go build bin/$$(basename $$c)"; \
		(cd testbed && go build -trimpath -o $(BIN)/$$(basename $$c) ./cmd/$$(basename $$c)); \
	done
	@echo "go build bin/rebalancectl"
	@cd cli && go build -trimpath -o $(BIN)/rebalancectl ./cmd/rebalancectl

.PHONY: lint
lint: $(BIN)/buf $(GOLANGCI_LINT) ## buf lint and format, gofmt, go vet and golangci-lint.
	$(BUF) lint
	$(BUF) format --diff --exit-code
	@test -z "$$(gofmt -l $(MODULES) tools)" || { gofmt -l $(MODULES) tools; echo "gofmt: files above need formatting"; exit 1; }
	@for m in $(MODULES); do echo "go vet $$m"; (cd $$m && go vet ./...); done
	@for m in $(MODULES); do echo "golangci-lint $$m"; (cd $$m && $(GOLANGCI_LINT) run ./...); done

.PHONY: verify
verify: generate $(GOLANGCI_LINT) ## Fail on generated-code drift, buf issues, breaking API changes, untidy modules, lint.
	@git diff --exit-code -- $(GENERATED) || { echo "generated code is stale: run make generate and commit"; exit 1; }
	@test -z "$$(git ls-files --others --exclude-standard $(GENERATED))" || { echo "untracked generated files: run make generate and commit"; exit 1; }
	$(BUF) lint
	$(BUF) format --diff --exit-code
	@if git rev-parse --verify -q main:proto >/dev/null; then \
		echo "buf breaking against main"; $(BUF) breaking --against '.git#branch=main'; fi
	@test -z "$$(gofmt -l $(MODULES) tools)" || { gofmt -l $(MODULES) tools; echo "gofmt: files above need formatting"; exit 1; }
	@for m in $(MODULES); do \
		echo "GOWORK=off go build, vet and mod tidy check: $$m"; \
		(cd $$m && GOWORK=off go build ./... && GOWORK=off go vet ./... && GOWORK=off go mod tidy -diff); \
	done
	@for m in $(MODULES); do echo "golangci-lint $$m"; (cd $$m && $(GOLANGCI_LINT) run ./...); done

.PHONY: test
test: verify $(SANDBOX_BINS_TARGET) chromium prometheus ## Verify, then run every module's tests with -race.
	@for m in $(MODULES); do \
		echo "go test $$m"; \
		(cd $$m && go test $(GO_TEST_FLAGS) ./...); \
	done
	@echo "bench testbed/bench (the small size of make bench-rebalance)"
	@cd testbed && go test -count=1 -run '^$$' -bench BenchmarkRebalance -benchtime 1x ./bench/

# fuzz: every Fuzz* target of every module, one at a time and with
# -parallel 1 (the machine is shared), each for FUZZTIME: a duration (30s)
# or a count of executions (1000000x). Packages are found by grep and
# targets by `go test -list`, so a new target runs without editing this.
# A crasher is written to the package's testdata/fuzz/<Target>/: fix it and
# keep the file, so every plain `go test` replays it.
FUZZTIME ?= 30s

.PHONY: fuzz
fuzz: ## Run every Fuzz* target one at a time, each for FUZZTIME: make fuzz FUZZTIME=1000000x
	@for m in $(MODULES); do \
		for dir in $$(cd $$m && grep -rl --include='*_test.go' --exclude-dir=testdata '^func Fuzz' . | xargs -r -n1 dirname | sort -u); do \
			for target in $$(cd $$m && go test -list '^Fuzz' $$dir | grep '^Fuzz'); do \
				echo "fuzz $$m/$${dir#./} $$target for $(FUZZTIME)"; \
				(cd $$m && go test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -parallel 1 $$dir); \
			done; \
		done; \
	done

# demo: a real rebalance, every process on loopback ports and stopped at the
# end or on Ctrl-C. build.sh prints a line per sandbox binary (built or
# cached) on stderr; its stdout, the cache folder, is not needed here.
STRATEGY ?= rolling
MODE     ?= managed
NODES    ?= 6

.PHONY: demo
demo: demo-bin ## A real rebalance on a sandbox cluster, the VPSie simulator and the services: make demo STRATEGY=surge NODES=4 MODE=vm
	@$(BIN)/rebalance-demo --strategy $(STRATEGY) --mode $(MODE) --nodes $(NODES) --bin-dir $(BIN)

.PHONY: demo-env
demo-env: demo-bin ## The demo's group and services on ports 9090-9092, left running for grpcurl and rebalancectl until Ctrl-C.
	@$(BIN)/rebalance-demo --hold --mode $(MODE) --nodes $(NODES) --bin-dir $(BIN)

.PHONY: demo-bin
demo-bin: tools build
	@$(SANDBOX_ROOT)/tools/sandbox/build.sh >/dev/null
	@echo "go build bin/rebalance-demo"
	@cd testbed && go build -trimpath -o $(BIN)/rebalance-demo ./cmd/rebalance-demo

.PHONY: clean
clean: ## Remove bin/ and .sandbox/.
	rm -rf $(BIN) .sandbox
