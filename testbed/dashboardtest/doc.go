// Package dashboardtest drives rebalancectl's web dashboard in a real
// browser during a real rebalance: the sandbox cluster, the VPSie
// simulator, the Planner and the Executor as a binary, the dashboard
// served in the test's process against that Executor, and Debian's
// headless Chromium (/usr/bin/chromium, `make chromium` installs it)
// reading the page through chromedp. It has no code of its own.
//
// Screenshots of the page at the start, midway and at the end are written
// under the test's temporary folder and logged; set DASHBOARD_SCREENSHOTS
// to a folder to keep them.
package dashboardtest
