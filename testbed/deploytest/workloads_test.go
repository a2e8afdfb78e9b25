package deploytest

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// workload is a Deployment or StatefulSet reduced to what is checked here.
type workload struct {
	key      string
	template corev1.PodTemplateSpec
}

func workloads(t *testing.T, objs []*unstructured.Unstructured) map[string]workload {
	t.Helper()
	out := map[string]workload{}
	for _, o := range objs {
		if o.GetKind() != "Deployment" && o.GetKind() != "StatefulSet" {
			continue
		}
		raw, found, err := unstructured.NestedMap(o.Object, "spec", "template")
		require.True(t, found, key(o))
		require.NoError(t, err)
		var tpl corev1.PodTemplateSpec
		require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &tpl), key(o))
		out[o.GetName()] = workload{key: key(o), template: tpl}
	}
	return out
}

func TestEveryWorkloadIsHardenedAndPinned(t *testing.T) {
	t.Parallel()
	all := workloads(t, render(t, "."))
	require.Len(t, all, 4, "analyzer, planner, executor and nats")
	for name, w := range all {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pod := w.template.Spec
			require.NotNil(t, pod.SecurityContext, w.key)
			require.Equal(t, new(true), pod.SecurityContext.RunAsNonRoot, "%s: runAsNonRoot", w.key)
			require.NotNil(t, pod.SecurityContext.SeccompProfile, w.key)
			require.Equal(t, corev1.SeccompProfileTypeRuntimeDefault, pod.SecurityContext.SeccompProfile.Type, w.key)
			require.NotEmpty(t, pod.Containers, w.key)
			for _, c := range append(pod.InitContainers, pod.Containers...) {
				checkContainer(t, w.key+" "+c.Name, c)
			}
		})
	}
}

func checkContainer(t *testing.T, where string, c corev1.Container) {
	t.Helper()
	// A tag after the last slash (a registry port is not one), never latest.
	last := c.Image[strings.LastIndex(c.Image, "/")+1:]
	_, tag, tagged := strings.Cut(last, ":")
	require.True(t, tagged && tag != "" || strings.Contains(c.Image, "@sha256:"), "%s: image %s is not pinned", where, c.Image)
	require.NotEqual(t, "latest", tag, "%s: image %s", where, c.Image)

	require.NotNil(t, c.LivenessProbe, "%s: liveness probe", where)
	require.NotNil(t, c.ReadinessProbe, "%s: readiness probe", where)
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		require.Contains(t, c.Resources.Requests, r, "%s: %s request", where, r)
		require.Contains(t, c.Resources.Limits, r, "%s: %s limit", where, r)
	}
	sc := c.SecurityContext
	require.NotNil(t, sc, "%s: security context", where)
	require.Equal(t, new(false), sc.AllowPrivilegeEscalation, "%s: allowPrivilegeEscalation", where)
	require.Equal(t, new(true), sc.ReadOnlyRootFilesystem, "%s: readOnlyRootFilesystem", where)
	require.NotNil(t, sc.Capabilities, "%s: capabilities", where)
	require.Equal(t, []corev1.Capability{"ALL"}, sc.Capabilities.Drop, "%s: capabilities.drop", where)
	require.Empty(t, sc.Capabilities.Add, "%s: capabilities.add", where)
	require.Nil(t, sc.Privileged, "%s: privileged", where)
}

// service describes how one of our binaries is configured: its flags'
// environment prefix.
var services = map[string]string{"analyzer": "ANALYZER", "planner": "PLANNER", "executor": "EXECUTOR"}

func TestServicesServeWhatTheirManifestsSay(t *testing.T) {
	t.Parallel()
	objs := render(t, ".")
	all := workloads(t, objs)
	for name, prefix := range services {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w, ok := all[name]
			require.True(t, ok, "no workload %s", name)
			pod := w.template.Spec
			require.Len(t, pod.Containers, 1, w.key)
			c := pod.Containers[0]
			env := plainEnv(c)

			// The flags' addresses are the named ports, the probes use them.
			ports := map[string]int32{}
			for _, p := range c.Ports {
				ports[p.Name] = p.ContainerPort
			}
			require.Equal(t, ports["grpc"], port(t, env[prefix+"_GRPC_ADDR"]), "%s: grpc port", w.key)
			require.Equal(t, ports["metrics"], port(t, env[prefix+"_METRICS_ADDR"]), "%s: metrics port", w.key)
			for probe, path := range map[*corev1.Probe]string{c.LivenessProbe: "/healthz", c.ReadinessProbe: "/readyz"} {
				require.NotNil(t, probe.HTTPGet, w.key)
				require.Equal(t, path, probe.HTTPGet.Path, w.key)
				require.Equal(t, intstr.FromString("metrics"), probe.HTTPGet.Port, w.key)
			}

			// The kubelet waits longer than the process takes to stop.
			drain, err := time.ParseDuration(env[prefix+"_DRAIN_PERIOD"])
			require.NoError(t, err, w.key)
			shutdown, err := time.ParseDuration(env[prefix+"_SHUTDOWN_TIMEOUT"])
			require.NoError(t, err, w.key)
			require.NotNil(t, pod.TerminationGracePeriodSeconds, w.key)
			grace := time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
			require.Greater(t, grace, drain+shutdown, "%s: terminationGracePeriodSeconds", w.key)

			// A headless Service reaches the grpc port of these pods.
			svc := find(t, objs, "Service", name)
			clusterIP, _, _ := unstructured.NestedString(svc.Object, "spec", "clusterIP")
			require.Equal(t, "None", clusterIP, "%s: Service must be headless for client-side balancing", name)
			selector, _, _ := unstructured.NestedStringMap(svc.Object, "spec", "selector")
			require.NotEmpty(t, selector)
			for k, v := range selector {
				require.Equal(t, v, w.template.Labels[k], "%s: Service selector %s", name, k)
			}
			svcPorts, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
			require.Contains(t, svcPorts, map[string]any{"name": "grpc", "port": int64(ports["grpc"]), "targetPort": "grpc", "appProtocol": "grpc"})

			checkCredentials(t, w, prefix, env, objs)
		})
	}
}

// TestExecutorsTakeOverFromEachOther: executions are owned through
// leases that any replica takes over, so the executor needs more than one
// replica and never all of them down at once, not even during a rollout
// (no lease would be renewed or taken over); each replica's ID, the
// lease holder's name, is its pod's, unique among live pods.
func TestExecutorsTakeOverFromEachOther(t *testing.T) {
	t.Parallel()
	checkTakesOver(t, deployment(t, render(t, "."), "executor"))
}

// checkTakesOver checks a Deployment of the executor binary whose replicas
// take over each other's leases: the executor, and the rollback handler of
// the split-roles component.
func checkTakesOver(t *testing.T, d appsv1.Deployment) {
	t.Helper()
	require.GreaterOrEqual(t, *d.Spec.Replicas, int32(2), "%s: a replica to take over", d.Name)
	require.Equal(t, appsv1.RollingUpdateDeploymentStrategyType, d.Spec.Strategy.Type, d.Name)
	rolling := d.Spec.Strategy.RollingUpdate
	require.NotNil(t, rolling, d.Name)
	require.Equal(t, intstr.FromInt32(0), *rolling.MaxUnavailable, "%s: no old pod goes before a new one is Ready", d.Name)
	require.Equal(t, intstr.FromInt32(1), *rolling.MaxSurge, d.Name)

	var replicaID *corev1.EnvVar
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == "EXECUTOR_REPLICA_ID" {
			replicaID = &e
		}
	}
	require.NotNil(t, replicaID, "%s: EXECUTOR_REPLICA_ID", d.Name)
	require.NotNil(t, replicaID.ValueFrom, d.Name)
	require.NotNil(t, replicaID.ValueFrom.FieldRef, d.Name)
	require.Equal(t, "metadata.name", replicaID.ValueFrom.FieldRef.FieldPath, d.Name)
}

// deployment decodes the rendered Deployment name.
func deployment(t *testing.T, objs []*unstructured.Unstructured, name string) appsv1.Deployment {
	t.Helper()
	var d appsv1.Deployment
	require.NoError(t, runtime.DefaultUnstructuredConverter.FromUnstructured(find(t, objs, "Deployment", name).Object, &d))
	return d
}

// checkCredentials: the planner holds no credential at all; the others get
// their service account and the VPSie token as a file from the Secret.
func checkCredentials(t *testing.T, w workload, prefix string, env map[string]string, objs []*unstructured.Unstructured) {
	t.Helper()
	name := w.template.Labels["app.kubernetes.io/name"]
	pod := w.template.Spec
	require.Equal(t, name, pod.ServiceAccountName, w.key)
	sa := find(t, objs, "ServiceAccount", name)
	if name == "planner" {
		// Its token serves TokenReview and SubjectAccessReview only; it
		// holds no VPSie token.
		require.Nil(t, pod.AutomountServiceAccountToken, w.key)
		_, found, _ := unstructured.NestedBool(sa.Object, "automountServiceAccountToken")
		require.False(t, found, "the planner's service account must mount its token, for reviews")
		require.Empty(t, pod.Volumes, w.key)
		return
	}
	file := env[prefix+"_VPSIE_TOKEN_FILE"]
	require.NotEmpty(t, file, "%s: %s_VPSIE_TOKEN_FILE", w.key, prefix)
	var mounted bool
	for _, m := range pod.Containers[0].VolumeMounts {
		for _, v := range pod.Volumes {
			if v.Name != m.Name || v.Secret == nil {
				continue
			}
			require.Equal(t, "vpsie-api-token", v.Secret.SecretName, w.key)
			require.Len(t, v.Secret.Items, 1, w.key)
			require.Equal(t, "token", v.Secret.Items[0].Key, w.key)
			require.Equal(t, file, m.MountPath+"/"+v.Secret.Items[0].Path, "%s: token file is not where the Secret is mounted", w.key)
			require.True(t, m.ReadOnly, w.key)
			mounted = true
		}
	}
	require.True(t, mounted, "%s: the vpsie-api-token Secret is not mounted", w.key)
	for _, e := range pod.Containers[0].Env {
		require.NotEqual(t, "VPSIE_TOKEN", e.Name, "%s: the token goes in a file, not the environment", w.key)
	}
}

// plainEnv returns the container's variables that have a literal value.
func plainEnv(c corev1.Container) map[string]string {
	env := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = e.Value
		}
	}
	return env
}

func port(t *testing.T, addr string) int32 {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	require.NoError(t, err, addr)
	n, err := net.LookupPort("tcp", p)
	require.NoError(t, err, addr)
	return int32(n)
}
