// Package dashboard serves rebalancectl's live web dashboard: one page,
// plain HTML, CSS and JavaScript embedded in the binary (no build step),
// listing the Executor's executions and showing the selected one live.
//
// The browser never speaks gRPC. The server relays WatchExecution to it as
// server-sent events, each carrying the event and the execution's view
// folded by progressview (the fold the terminal's bars use), so the page
// only draws. Each relayed event's SSE id is its sequence: a browser that
// lost the connection reconnects with Last-Event-ID, and the server resumes
// the watch after it.
//
//	GET /                          the page
//	GET /assets/...                its script and style
//	GET /api/executions            ListExecutions, as JSON
//	GET /api/executions/{id}/events  the execution's events, as SSE
package dashboard
