// Command kube-apiserver is the upstream API server, built from its module
// so the sandbox runs the real admission, eviction and PDB code.
package main

import (
	"os"
	_ "time/tzdata" // for time zone support in CronJob

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
