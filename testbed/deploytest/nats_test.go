package deploytest

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// TestNATSClusterHangsTogether reads nats.conf with nats-server's own
// parser and checks it against the StatefulSet, its Service and the
// executor's URL and replicas: one name or port out of step and the
// cluster never forms or the executors never reach it.
//
// Not parallel: the config names the server through $SERVER_NAME, which
// the parser reads from the environment (t.Setenv).
func TestNATSClusterHangsTogether(t *testing.T) {
	objs := render(t, ".")
	var sts appsv1.StatefulSet
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(find(t, objs, "StatefulSet", "nats").Object, &sts))
	var svc corev1.Service
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(find(t, objs, "Service", "nats").Object, &svc))
	conf, _, err := unstructured.NestedString(find(t, objs, "ConfigMap", "nats-config").Object, "data", "nats.conf")
	require.NoError(t, err)

	path := filepath.Join(t.TempDir(), "nats.conf")
	require.NoError(t, os.WriteFile(path, []byte(conf), 0o600))
	t.Setenv("SERVER_NAME", "nats-1")
	opts := &server.Options{}
	require.NoError(t, opts.ProcessConfigFile(path))

	require.Equal(t, "nats-1", opts.ServerName, "server_name must come from the pod name")
	require.True(t, opts.JetStream, "JetStream is off")
	c := sts.Spec.Template.Spec.Containers[0]
	require.Equal(t, mountPath(t, c, "data"), opts.StoreDir, "JetStream must store on the volume")
	require.Equal(t, mountPath(t, c, "config")+"/nats.conf", c.Command[len(c.Command)-1], "the server must read the mounted config")
	claim := sts.Spec.VolumeClaimTemplates[0]
	require.Equal(t, "data", claim.Name)
	require.Less(t, opts.JetStreamMaxStore, claim.Spec.Resources.Requests.Storage().Value(), "JetStream may fill the volume")

	require.Equal(t, "None", svc.Spec.ClusterIP)
	require.Equal(t, svc.Name, sts.Spec.ServiceName)
	require.True(t, svc.Spec.PublishNotReadyAddresses, "routes must resolve before the servers are ready")
	svcPort := map[string]int32{}
	for _, p := range svc.Spec.Ports {
		svcPort[p.Name] = p.Port
	}
	require.Equal(t, int(svcPort["client"]), opts.Port)
	require.Equal(t, int(svcPort["cluster"]), opts.Cluster.Port)
	require.Equal(t, int(svcPort["monitor"]), opts.HTTPPort)

	// One route per replica, by each pod's stable name under the Service.
	require.Equal(t, int32(3), *sts.Spec.Replicas)
	var routes []string
	for _, r := range opts.Routes {
		routes = append(routes, r.Host)
	}
	var want []string
	for i := range *sts.Spec.Replicas {
		want = append(want, fmt.Sprintf("%s-%d.%s:%d", sts.Name, i, svc.Name, svcPort["cluster"]))
	}
	require.ElementsMatch(t, want, routes)

	// The executors reach the same servers, and keep their stream and
	// bucket on every one of them, so losing a server loses no record.
	var executor appsv1.Deployment
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(find(t, objs, "Deployment", "executor").Object, &executor))
	env := plainEnv(executor.Spec.Template.Spec.Containers[0])
	u, err := url.Parse(env["EXECUTOR_NATS_URL"])
	require.NoError(t, err)
	require.Equal(t, "nats", u.Scheme)
	require.Equal(t, svc.Name, u.Hostname())
	require.Equal(t, strconv.Itoa(int(svcPort["client"])), u.Port())
	require.Equal(t, strconv.Itoa(int(*sts.Spec.Replicas)), env["EXECUTOR_NATS_REPLICAS"], "stream and bucket replicas")
}

func mountPath(t *testing.T, c corev1.Container, volume string) string {
	t.Helper()
	for _, m := range c.VolumeMounts {
		if m.Name == volume {
			return m.MountPath
		}
	}
	require.FailNow(t, "not mounted", "volume %s", volume)
	return ""
}
