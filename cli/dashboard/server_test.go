package dashboard_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/vpsie/node-rebalancer/cli/dashboard"
	"github.com/vpsie/node-rebalancer/cli/internal/testfixture"
	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

func serve(t *testing.T, exec *fakeExecutor) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(dashboard.New(exec, dashboard.Options{}))
	t.Cleanup(srv.Close)
	return srv
}

// response is an answer read to its end: every stream the fakes feed
// ends, as the Executor's does after the final event.
type response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

func get(t *testing.T, url string, header ...string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}
}

// succeeded is the fixture's execution after its rolling success.
func succeeded() *rebalancerv1.ExecutionState {
	e := testfixture.Execution()
	e.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_SUCCEEDED
	e.ProgressPercent = 100
	e.Result = &rebalancerv1.RebalanceResult{NodesReplaced: 3, NodesTotal: 3, RealizedMonthlySavingsCents: 7200,
		Duration: durationpb.New(754e9)}
	return e
}

func rollingExecutor() *fakeExecutor {
	return &fakeExecutor{
		list:   []*rebalancerv1.ExecutionState{succeeded()},
		states: []*rebalancerv1.ExecutionState{testfixture.Execution(), succeeded()},
		events: testfixture.RollingSuccess(),
	}
}

func TestPageAndAssetsAreEmbedded(t *testing.T) {
	t.Parallel()
	srv := serve(t, rollingExecutor())
	for path, want := range map[string]string{
		"/":                 `<script src="/assets/app.js"`,
		"/assets/app.js":    "new EventSource(",
		"/assets/style.css": ".bar",
	} {
		resp := get(t, srv.URL+path)
		require.Equal(t, http.StatusOK, resp.StatusCode, path)
		require.Contains(t, string(resp.Body), want, path)
		require.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'self'", path)
	}
	require.Equal(t, http.StatusNotFound, get(t, srv.URL+"/nothing").StatusCode)
}

func TestListExecutions(t *testing.T) {
	t.Parallel()
	resp := get(t, serve(t, rollingExecutor()).URL+"/api/executions")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var list struct {
		Executions []map[string]any `json:"executions"`
	}
	require.NoError(t, json.Unmarshal(resp.Body, &list))
	require.Len(t, list.Executions, 1)
	row := list.Executions[0]
	require.Equal(t, testfixture.ExecutionID, row["id"])
	require.Equal(t, "SUCCEEDED", row["status"])
	require.Equal(t, "web", row["nodeGroup"])
	require.EqualValues(t, 100, row["progress"])
	require.EqualValues(t, 3, row["nodes"])
}

func TestExecutorErrorsMapToHTTP(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		err  error
		path string
		want int
	}{
		"an unknown execution is not found":         {status.Error(codes.NotFound, "no such execution"), "/api/executions/x/events", http.StatusNotFound},
		"an Executor that is down is a bad gateway": {status.Error(codes.Unavailable, "down"), "/api/executions", http.StatusBadGateway},
		"a slow Executor is a gateway timeout":      {status.Error(codes.DeadlineExceeded, "slow"), "/api/executions", http.StatusGatewayTimeout},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp := get(t, serve(t, &fakeExecutor{err: c.err}).URL+c.path)
			require.Equal(t, c.want, resp.StatusCode)
			var body map[string]string
			require.NoError(t, json.Unmarshal(resp.Body, &body))
			require.NotEmpty(t, body["error"])
		})
	}
}

// sseMessage is one server-sent event as the browser parses it.
type sseMessage struct {
	event, id string
	data      map[string]any
}

// readEvents reads the stream to its end.
func readEvents(t *testing.T, resp response) []sseMessage {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	var msgs []sseMessage
	var cur sseMessage
	sc := bufio.NewScanner(bytes.NewReader(resp.Body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		field, value, _ := strings.Cut(sc.Text(), ": ")
		switch field {
		case "event":
			cur.event = value
		case "id":
			cur.id = value
		case "data":
			require.NoError(t, json.Unmarshal([]byte(value), &cur.data))
		case "":
			if cur.event != "" {
				msgs = append(msgs, cur)
			}
			cur = sseMessage{}
		}
	}
	require.NoError(t, sc.Err())
	return msgs
}

func ofEvent(msgs []sseMessage, name string) []sseMessage {
	var out []sseMessage
	for _, m := range msgs {
		if m.event == name {
			out = append(out, m)
		}
	}
	return out
}

// node finds a node of a view by name.
func node(t *testing.T, view map[string]any, name string) map[string]any {
	t.Helper()
	for _, b := range view["batches"].([]any) {
		for _, n := range b.(map[string]any)["nodes"].([]any) {
			if n := n.(map[string]any); n["name"] == name {
				return n
			}
		}
	}
	require.FailNow(t, "no node "+name)
	return nil
}

func TestEventsRelayAWholeExecution(t *testing.T) {
	t.Parallel()
	exec := rollingExecutor()
	msgs := readEvents(t, get(t, serve(t, exec).URL+"/api/executions/"+testfixture.ExecutionID+"/events"))

	require.Equal(t, "state", msgs[0].event, "the view before any event comes first")
	require.Equal(t, "PENDING", msgs[0].data["status"])
	require.Equal(t, "PENDING", node(t, msgs[0].data, "web-c")["phase"])

	progress := ofEvent(msgs, "progress")
	events := testfixture.RollingSuccess()
	require.Len(t, progress, len(events))
	for i, m := range progress {
		require.Equal(t, events[i].GetSequence(), uint64(mustAtoi(t, m.id)), "each event's id is its sequence")
	}
	// Midway, web-b drains while web-c waits, and a PDB refused an eviction.
	blocked := findKind(t, progress, "EVICTION_BLOCKED")
	require.Equal(t, "shop/api", blocked.data["event"].(map[string]any)["details"].(map[string]any)["pdb"])
	mid := blocked.data["view"].(map[string]any)
	require.Equal(t, "DRAINING", node(t, mid, "web-b")["phase"])
	require.Positive(t, node(t, mid, "web-b")["progress"])
	require.EqualValues(t, 1, node(t, mid, "web-b")["blocked"])
	require.Equal(t, "DONE", node(t, mid, "web-a")["phase"])
	require.EqualValues(t, 100, node(t, mid, "web-a")["progress"])

	last := progress[len(progress)-1].data["view"].(map[string]any)
	require.Equal(t, "SUCCEEDED", last["status"])
	require.Equal(t, true, last["final"])

	result := ofEvent(msgs, "result")
	require.Len(t, result, 1)
	require.Equal(t, "SUCCEEDED", result[0].data["status"])
	require.EqualValues(t, 3, result[0].data["nodesReplaced"])
	require.EqualValues(t, 0, result[0].data["nodesFailed"])
	require.EqualValues(t, 7200, result[0].data["savingsCents"])
	require.Equal(t, "12m34s", result[0].data["duration"])
	require.Equal(t, "end", msgs[len(msgs)-1].event, "the page stops listening at the end")
	require.Zero(t, exec.watchRequests()[0].GetFromSequence())
}

func TestEventsResumeAfterLastEventID(t *testing.T) {
	t.Parallel()
	// The browser reconnects mid-way: GetExecution has web-a done and
	// web-b draining, and the browser saw events up to 20.
	mid := testfixture.Execution()
	mid.Status, mid.ProgressPercent = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING, 50
	mid.Nodes[0].Phase = rebalancerv1.NodePhase_NODE_PHASE_DONE
	mid.Nodes[1].Phase = rebalancerv1.NodePhase_NODE_PHASE_DRAINING
	exec := rollingExecutor()
	exec.states = []*rebalancerv1.ExecutionState{mid, succeeded()}

	msgs := readEvents(t, get(t, serve(t, exec).URL+"/api/executions/"+testfixture.ExecutionID+"/events", "Last-Event-ID", "20"))

	require.EqualValues(t, 21, exec.watchRequests()[0].GetFromSequence(), "the watch resumes after the last event seen")
	state := msgs[0]
	require.Equal(t, "RUNNING", state.data["status"])
	require.Equal(t, "DONE", node(t, state.data, "web-a")["phase"], "a resumed view starts from the execution's state")
	require.Equal(t, "DRAINING", node(t, state.data, "web-b")["phase"])
	require.Equal(t, "21", ofEvent(msgs, "progress")[0].id)
	require.Len(t, ofEvent(msgs, "result"), 1)
}

func TestEventsOfAnEndedExecutionGiveItsResult(t *testing.T) {
	t.Parallel()
	exec := rollingExecutor()
	exec.states = []*rebalancerv1.ExecutionState{succeeded()}
	last := testfixture.RollingSuccess()
	after := last[len(last)-1].GetSequence()
	msgs := readEvents(t, get(t, serve(t, exec).URL+"/api/executions/"+testfixture.ExecutionID+"/events",
		"Last-Event-ID", itoa(after)))
	require.Equal(t, []string{"state", "result", "end"}, names(msgs))
}

func TestABrokenWatchTellsTheBrowserToReconnect(t *testing.T) {
	t.Parallel()
	exec := rollingExecutor()
	exec.breakAfter = 5
	msgs := readEvents(t, get(t, serve(t, exec).URL+"/api/executions/"+testfixture.ExecutionID+"/events"))
	require.Len(t, ofEvent(msgs, "progress"), 5)
	failure := msgs[len(msgs)-1]
	require.Equal(t, "failure", failure.event, "no end: the browser's EventSource reconnects")
	require.Contains(t, failure.data["error"], "executor went away")
}

func TestAStreamEndingEarlyIsAFailure(t *testing.T) {
	t.Parallel()
	exec := rollingExecutor()
	exec.events = exec.events[:5]
	running := proto.Clone(testfixture.Execution()).(*rebalancerv1.ExecutionState)
	running.Status = rebalancerv1.ExecutionStatus_EXECUTION_STATUS_RUNNING
	exec.states = []*rebalancerv1.ExecutionState{testfixture.Execution(), running}
	msgs := readEvents(t, get(t, serve(t, exec).URL+"/api/executions/"+testfixture.ExecutionID+"/events"))
	require.Equal(t, "failure", msgs[len(msgs)-1].event)
	require.Contains(t, msgs[len(msgs)-1].data["error"], "while the execution is RUNNING")
}

func TestABadLastEventIDIsRefused(t *testing.T) {
	t.Parallel()
	resp := get(t, serve(t, rollingExecutor()).URL+"/api/executions/x/events", "Last-Event-ID", "seven")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
}
