package service_test

import (
	"net/http"
)

// serveStepInformers answers the node steps' informers (nodestep.KubeCache)
// on mux: no objects, and watches that never say anything. Enough for
// their caches to sync, which the engine waits for.
func serveStepInformers(mux *http.ServeMux) {
	for path, kind := range map[string]string{
		"/api/v1/pods":                         "PodList",
		"/apis/policy/v1/poddisruptionbudgets": "PodDisruptionBudgetList",
		"/apis/apps/v1/replicasets":            "ReplicaSetList",
		"/apis/apps/v1/deployments":            "DeploymentList",
		"/apis/apps/v1/statefulsets":           "StatefulSetList",
		"/apis/apps/v1/daemonsets":             "DaemonSetList",
	} {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Query().Get("sendInitialEvents") == "true" {
				// No streaming list here: the reflector falls back to a list.
				http.Error(w, "streaming lists are not served", http.StatusBadRequest)
				return
			}
			if r.URL.Query().Get("watch") == "true" {
				w.WriteHeader(http.StatusOK)
				w.(http.Flusher).Flush()
				<-r.Context().Done()
				return
			}
			_, _ = w.Write([]byte(`{"kind":"` + kind + `","metadata":{"resourceVersion":"1"},"items":[]}`))
		})
	}
}
