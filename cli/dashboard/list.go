package dashboard

import (
	"net/http"
	"time"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// listPageSize is how many executions the page lists: the newest, which
// is what an operator watching a rebalance looks for.
const listPageSize = 50

// executionSummary is one row of the page's list.
type executionSummary struct {
	ID        string `json:"id"`
	Namespace string `json:"namespace"`
	NodeGroup string `json:"nodeGroup"`
	Status    string `json:"status"`
	Progress  int32  `json:"progress"`
	Nodes     int    `json:"nodes"`
	StartedAt string `json:"startedAt,omitempty"`
}

type executionList struct {
	Executions []executionSummary `json:"executions"`
}

// listExecutions answers ListExecutions, newest first, optionally for
// one namespace (?namespace=) and group (?node_group=).
func (s *Server) listExecutions(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.callContext(r.Context())
	defer cancel()
	resp, err := s.exec.ListExecutions(ctx, &rebalancerv1.ListExecutionsRequest{
		Namespace: r.URL.Query().Get("namespace"), NodeGroup: r.URL.Query().Get("node_group"), PageSize: listPageSize,
	})
	if err != nil {
		s.writeCallError(w, "ListExecutions", err)
		return
	}
	list := executionList{Executions: []executionSummary{}}
	for _, e := range resp.GetExecutions() {
		list.Executions = append(list.Executions, summarize(e))
	}
	writeJSON(w, http.StatusOK, list)
}

func summarize(e *rebalancerv1.ExecutionState) executionSummary {
	sum := executionSummary{
		ID: e.GetExecutionId(), Namespace: e.GetNamespace(), NodeGroup: e.GetNodeGroup(),
		Status: statusName(e.GetStatus()), Progress: e.GetProgressPercent(), Nodes: len(e.GetNodes()),
	}
	if e.GetStartedAt() != nil {
		sum.StartedAt = e.GetStartedAt().AsTime().Format(time.RFC3339)
	}
	return sum
}
