// Command kube-controller-manager is the upstream controller manager: the
// disruption controller keeps PDB status current and the workload
// controllers recreate evicted pods.
package main

import (
	"os"
	_ "time/tzdata" // for time zone support in CronJob

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
