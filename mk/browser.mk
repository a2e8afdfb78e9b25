# The browser of the dashboard's test (testbed/dashboardtest): Debian's
# Chromium, driven headless through chromedp. Test tools may not download
# browsers of their own here, so the distribution's package is the one.
#
#   make chromium   install /usr/bin/chromium when it is missing (root or sudo)
#
# Included by the root Makefile, whose test target depends on it; works
# alone too: make -f mk/browser.mk chromium

CHROMIUM := /usr/bin/chromium

.PHONY: chromium

chromium: $(CHROMIUM) ## Install Debian's Chromium for the browser test, if missing.

# A file target: make runs the recipe only when the binary is absent.
$(CHROMIUM):
	@echo "installing Debian's chromium for testbed/dashboardtest"
	@sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium
	@test -x $(CHROMIUM) || { echo "apt-get installed chromium but $(CHROMIUM) is missing"; exit 1; }
