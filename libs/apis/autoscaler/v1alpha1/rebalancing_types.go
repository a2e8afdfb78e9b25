package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// RebalancingPolicy says whether, how fast and when the rebalancer may
// replace the group's nodes. Every field has a server-side default, so
// pointers mark the fields whose zero value is a valid choice that must
// not be mistaken for "unset" (false, 0).
type RebalancingPolicy struct {
	// Enabled allows the rebalancer to act on this group.
	// +optional
	// +kubebuilder:default=true
	Enabled *bool `json:"enabled,omitempty"`

	// Strategy is how replacement nodes are brought in.
	// +optional
	// +kubebuilder:default=rolling
	Strategy Strategy `json:"strategy,omitempty"`

	// MaxConcurrent is the most nodes replaced at the same time.
	// +optional
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MaxConcurrent int32 `json:"maxConcurrent,omitempty"`

	// BatchSize is the number of nodes per batch. Unset means MaxConcurrent:
	// a batch fills every lane (see the Executor's lanes).
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	BatchSize int32 `json:"batchSize,omitempty"`

	// MaxSurge is the most nodes above the group's size during a surge or
	// blue-green replacement.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	MaxSurge int32 `json:"maxSurge,omitempty"`

	// DrainTimeout bounds the drain of one node.
	// +optional
	// +kubebuilder:default="300s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="must be at least 1s"
	DrainTimeout *metav1.Duration `json:"drainTimeout,omitempty"`

	// DrainTimeoutAction is what happens to a node whose drain timed out
	// (a PDB kept refusing evictions): roll the node back, or delete the
	// remaining pods past their budgets, reported as an event.
	// +optional
	// +kubebuilder:default=rollback
	DrainTimeoutAction DrainTimeoutAction `json:"drainTimeoutAction,omitempty"`

	// ProvisionTimeout bounds the wait for a new node to join and be Ready.
	// +optional
	// +kubebuilder:default="600s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="must be at least 1s"
	ProvisionTimeout *metav1.Duration `json:"provisionTimeout,omitempty"`

	// CooldownPeriod is the least time between two rebalances of the group.
	// +optional
	// +kubebuilder:default="1h"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`
	// +kubebuilder:validation:MaxLength=32
	CooldownPeriod *metav1.Duration `json:"cooldownPeriod,omitempty"`

	// RequireApproval holds plans until an operator approves them.
	// +optional
	// +kubebuilder:default=false
	RequireApproval bool `json:"requireApproval,omitempty"`

	// RequireDistinctApprover asks for a second person: the Executor
	// refuses an approval by the identity that requested the execution.
	// +optional
	// +kubebuilder:default=false
	RequireDistinctApprover bool `json:"requireDistinctApprover,omitempty"`

	// MinHealthyPercent of the nodes at start stay Ready and schedulable
	// throughout (rounded up).
	// +optional
	// +kubebuilder:default=75
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	MinHealthyPercent *int32 `json:"minHealthyPercent,omitempty"`

	// MinSavingsPercent is the least saving worth replacing nodes for.
	// +optional
	// +kubebuilder:default=10
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=100
	MinSavingsPercent *int32 `json:"minSavingsPercent,omitempty"`

	// SkipNodesWithLocalStorage leaves nodes running pods with emptyDir or
	// hostPath volumes alone.
	// +optional
	// +kubebuilder:default=true
	SkipNodesWithLocalStorage *bool `json:"skipNodesWithLocalStorage,omitempty"`

	// RespectPDBs drains only through the Eviction API.
	// +optional
	// +kubebuilder:default=true
	RespectPDBs *bool `json:"respectPDBs,omitempty"`

	// RolloutSingleReplicaDeployments moves the pod of a Deployment running
	// one replica by a rollout of the Deployment instead of an eviction,
	// as `kubectl rollout restart` does (the pod template's
	// kubectl.kubernetes.io/restartedAt annotation), when that rollout
	// surges: strategy RollingUpdate with maxUnavailable resolving to 0 and
	// maxSurge to at least 1 (the default 25%/25% does). The new pod starts
	// on a replacement node and the old one goes only once the new one is
	// available, so the workload is never down, even when a PDB
	// (minAvailable 1) refuses every eviction. Paused Deployments, other
	// strategies and other workloads are evicted as usual. Only ever
	// avoids downtime, hence on by default.
	// +optional
	// +kubebuilder:default=true
	RolloutSingleReplicaDeployments *bool `json:"rolloutSingleReplicaDeployments,omitempty"`

	// AlternativeOfferings are tried in order when the target offering
	// cannot be provisioned.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	AlternativeOfferings []string `json:"alternativeOfferings,omitempty"`

	// TimeZone is the IANA zone the windows' times are read in.
	// +optional
	// +kubebuilder:default=UTC
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$`
	TimeZone string `json:"timeZone,omitempty"`

	// MaintenanceWindows are the only times a rebalance may start; none
	// means any time.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	MaintenanceWindows []TimeWindow `json:"maintenanceWindows,omitempty"`

	// PeakHours are times no rebalance may start, even inside a
	// maintenance window.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	PeakHours []TimeWindow `json:"peakHours,omitempty"`

	// Canary replaces one node first and soaks it before the rest start;
	// off by default (a plan may still ask for a canary of its own).
	// +optional
	Canary *CanaryPolicy `json:"canary,omitempty"`

	// BatchSoakTime is how long blue-green waits after each drain batch
	// before the next one starts (GKE's batch soak); unset means none.
	// +optional
	BatchSoakTime *metav1.Duration `json:"batchSoakTime,omitempty"`

	// HealthGate adds a Prometheus query to what every soak (the canary's,
	// blue-green's batch soak) watches; the moved workloads' pods and
	// replicas are watched either way.
	// +optional
	HealthGate *HealthGate `json:"healthGate,omitempty"`
}

// HealthGate is a PromQL query the Executor evaluates against its
// --prometheus-url during a soak: a value above MaxValue rolls the soaking
// nodes back.
type HealthGate struct {
	// PrometheusQuery is an instant query; its largest sample is compared,
	// and no sample at all passes.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=4096
	PrometheusQuery string `json:"prometheusQuery"`
	// MaxValue is the highest value that passes, a decimal number such as
	// "0.05".
	// +kubebuilder:validation:Pattern=`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`
	// +kubebuilder:validation:MaxLength=32
	MaxValue string `json:"maxValue"`
}

// CanaryPolicy is the group's canary: the first node replaced alone, then
// a soak before any other.
type CanaryPolicy struct {
	// Enabled makes every plan of the group start with a canary.
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// Soak is how long the rest wait after the canary node is replaced;
	// unset means none.
	// +optional
	Soak *metav1.Duration `json:"soak,omitempty"`
}

// TimeWindow is a daily span of wall-clock time in the policy's time zone.
// An end before the start crosses midnight (22:00 to 02:00); the window
// belongs to the day it starts on.
//
// +kubebuilder:validation:XValidation:rule="self.start != self.end",message="start and end must differ"
type TimeWindow struct {
	// Start is HH:MM, 24-hour.
	// +kubebuilder:validation:Pattern=`^([01][0-9]|2[0-3]):[0-5][0-9]$`
	// +kubebuilder:validation:MaxLength=5
	Start string `json:"start"`

	// End is HH:MM, 24-hour.
	// +kubebuilder:validation:Pattern=`^([01][0-9]|2[0-3]):[0-5][0-9]$`
	// +kubebuilder:validation:MaxLength=5
	End string `json:"end"`

	// Days the window opens on; none means every day.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=7
	Days []Weekday `json:"days,omitempty"`
}

// Strategy is how replacement nodes are brought in.
// +kubebuilder:validation:Enum=rolling;surge;blue-green
type Strategy string

const (
	// StrategyRolling replaces nodes batch by batch: provision, then drain.
	StrategyRolling Strategy = "rolling"
	// StrategySurge provisions up to maxSurge extra nodes ahead of drains.
	StrategySurge Strategy = "surge"
	// StrategyBlueGreen provisions the whole new set before any drain.
	StrategyBlueGreen Strategy = "blue-green"
)

// DrainTimeoutAction is what happens when a drain times out.
// +kubebuilder:validation:Enum=rollback;force
type DrainTimeoutAction string

const (
	// DrainTimeoutRollback gives up on the node and rolls back.
	DrainTimeoutRollback DrainTimeoutAction = "rollback"
	// DrainTimeoutForce deletes the pods left, past their budgets.
	DrainTimeoutForce DrainTimeoutAction = "force"
)

// Weekday is a lowercase English day name.
// +kubebuilder:validation:Enum=monday;tuesday;wednesday;thursday;friday;saturday;sunday
type Weekday string
