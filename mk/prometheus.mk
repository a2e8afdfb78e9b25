# The Prometheus of the health gate's tests (testbed/promtest): Debian's
# package, run by the tests themselves, so a soak's health query is
# evaluated by PromQL itself. Test tools may not download servers of their
# own here, so the distribution's package is the one.
#
#   make prometheus   install /usr/bin/prometheus when it is missing (root or sudo)
#
# Included by the root Makefile, whose test target depends on it; works
# alone too: make -f mk/prometheus.mk prometheus

PROMETHEUS := /usr/bin/prometheus

.PHONY: prometheus

prometheus: $(PROMETHEUS) ## Install Debian's Prometheus for the health gate's tests, if missing.

# A file target: make runs the recipe only when the binary is absent. The
# package's service is not started (no init system runs here, and the
# tests start their own server).
$(PROMETHEUS):
	@echo "installing Debian's prometheus for testbed/promtest"
	@sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends prometheus
	@test -x $(PROMETHEUS) || { echo "apt-get installed prometheus but $(PROMETHEUS) is missing"; exit 1; }
