package demo

import (
	"context"
	"strings"
)

// session is what an operator runs against a held environment; the README
// shows the same commands.
const session = `
The group is ready and the services are listening. In another terminal:

  export KUBECONFIG={{kubeconfig}}
  grpcurl -plaintext -d '{"namespace":"web","node_group":"web","opportunity":{"current_offering":"standard-8","target_offering":"compute-4"}}' \
    127.0.0.1:9090 rebalancer.v1.AnalyzerService/AnalyzeRebalance > analysis.json
  grpcurl -plaintext -d @ 127.0.0.1:9091 rebalancer.v1.PlannerService/CreatePlan < analysis.json > plan.json
  grpcurl -plaintext -d @ 127.0.0.1:9092 rebalancer.v1.ExecutorService/ExecutePlan < plan.json > execution.json
  grpcurl -plaintext -d "{\"execution_id\":\"$(jq -r .execution.executionId execution.json)\"}" \
    127.0.0.1:9092 rebalancer.v1.ExecutorService/WatchExecution

or: bin/rebalancectl watch "$(jq -r .execution.executionId execution.json)"

Live in a browser: bin/rebalancectl dashboard --listen 127.0.0.1:8090
then open http://127.0.0.1:8090 (every execution, each batch and node as it moves)

Ctrl-C stops everything.
`

// hold says how to drive the environment by hand and waits for ctx to end.
func hold(ctx context.Context, cfg Config, kubeconfig string) {
	cfg.printf("%s", strings.ReplaceAll(session, "{{kubeconfig}}", kubeconfig))
	<-ctx.Done()
}
