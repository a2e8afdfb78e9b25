package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NodeGroup is a set of nodes of the same role that VPSie provisions from a
// list of offerings, and the policy under which the rebalancer may replace
// them with nodes of another offering.
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=ng,categories=vpsie
// +kubebuilder:printcolumn:name="Min",type=integer,JSONPath=`.spec.minNodes`
// +kubebuilder:printcolumn:name="Max",type=integer,JSONPath=`.spec.maxNodes`
// +kubebuilder:printcolumn:name="Ready",type=integer,JSONPath=`.status.readyNodes`
// +kubebuilder:printcolumn:name="Datacenter",type=string,JSONPath=`.spec.datacenter`
// +kubebuilder:printcolumn:name="Mode",type=string,JSONPath=`.spec.provisioning.mode`
// +kubebuilder:printcolumn:name="Strategy",type=string,JSONPath=`.spec.rebalancing.strategy`
// +kubebuilder:printcolumn:name="Rebalancing",type=string,JSONPath=`.status.activeExecution.planID`
// +kubebuilder:printcolumn:name="Last Rebalance",type=date,JSONPath=`.status.lastRebalanceTime`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type NodeGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   NodeGroupSpec   `json:"spec"`
	Status NodeGroupStatus `json:"status,omitempty"`
}

// NodeGroupSpec is what the operator asks for.
//
// +kubebuilder:validation:XValidation:rule="self.minNodes <= self.maxNodes",message="minNodes must not exceed maxNodes",fieldPath=".minNodes"
type NodeGroupSpec struct {
	// MinNodes is the floor the group never goes below.
	// +kubebuilder:validation:Minimum=0
	MinNodes int32 `json:"minNodes"`

	// MaxNodes is the ceiling, surge nodes included.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1000
	MaxNodes int32 `json:"maxNodes"`

	// Datacenter is the VPSie datacenter identifier the group's VMs run in.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	Datacenter string `json:"datacenter"`

	// OfferingIDs are the VPSie offerings nodes of this group may run on,
	// most preferred first.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=64
	// +listType=set
	OfferingIDs []string `json:"offeringIDs"`

	// Labels are set on every node of the group, besides the group label.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Taints are set on every node of the group.
	// +optional
	// +listType=atomic
	Taints []corev1.Taint `json:"taints,omitempty"`

	// Provisioning is how replacement nodes are obtained from VPSie.
	// Omitted, the managed mode, which needs the cluster's identifier.
	// +optional
	// +kubebuilder:default={}
	Provisioning Provisioning `json:"provisioning,omitempty"`

	// Rebalancing is the policy under which nodes may be replaced.
	// Omitted, every field takes its default.
	// +optional
	// +kubebuilder:default={}
	Rebalancing RebalancingPolicy `json:"rebalancing,omitempty"`
}

// ProvisioningMode is how the group's nodes come to be.
// +kubebuilder:validation:Enum=managed;vm
type ProvisioningMode string

const (
	// ProvisioningManaged adds nodes through VPSie Managed Kubernetes: a
	// node is added to the cluster's VPSie node group of its size, and
	// VPSie boots and joins it.
	ProvisioningManaged ProvisioningMode = "managed"
	// ProvisioningVM creates plain VMs (a self-managed cluster) whose
	// user data, rendered from the operator's template, joins them.
	ProvisioningVM ProvisioningMode = "vm"
)

// Provisioning says how replacement nodes are obtained. (The rules allow
// an absent mode only because the API server checks them against the
// field's default, {}; every stored object has its mode defaulted.)
//
// +kubebuilder:validation:XValidation:rule="!has(self.mode) || self.mode != 'managed' || (has(self.clusterID) && size(self.clusterID) > 0)",message="clusterID is required in the managed mode",fieldPath=".clusterID"
// +kubebuilder:validation:XValidation:rule="!has(self.mode) || self.mode != 'vm' || has(self.userData)",message="userData is required in the vm mode",fieldPath=".userData"
type Provisioning struct {
	// Mode is managed (VPSie Managed Kubernetes) or vm (self-managed).
	// +optional
	// +kubebuilder:default=managed
	Mode ProvisioningMode `json:"mode,omitempty"`

	// ClusterID is the VPSie Managed Kubernetes cluster's identifier. Its
	// VPSie node groups are found by size: a replacement of offering X is
	// added to the group whose size is X.
	// +optional
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9-]+$`
	ClusterID string `json:"clusterID,omitempty"`

	// UserData is the template of the cloud-init user data a VM boots
	// with in the vm mode (for example kubeadm join or a k3s agent with a
	// join token). It must apply the node's labels and taints.
	// +optional
	UserData *UserDataTemplate `json:"userData,omitempty"`
}

// UserDataTemplate names the Secret key holding the user-data template, a
// Go text/template given .Hostname, .NodeGroup, .Offering, .Datacenter,
// .Labels and .Taints (maps and lists), and .KubeletLabels and
// .KubeletTaints (the kubelet's --node-labels and --register-with-taints
// values).
type UserDataTemplate struct {
	// SecretName is a Secret in the NodeGroup's namespace.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	SecretName string `json:"secretName"`
	// Key is the Secret's key holding the template.
	// +optional
	// +kubebuilder:default=userData
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key,omitempty"`
}

// NodeGroupStatus is what the controllers observed and did.
type NodeGroupStatus struct {
	// ObservedGeneration is the spec generation this status reflects.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Nodes are the group's members as last seen.
	// +optional
	// +listType=map
	// +listMapKey=name
	Nodes []GroupNode `json:"nodes,omitempty"`

	// ReadyNodes counts the members that are Ready and schedulable.
	// +optional
	ReadyNodes int32 `json:"readyNodes,omitempty"`

	// Conditions follow the Kubernetes conventions (Ready, Rebalancing, ...).
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// LastRebalanceTime is when the last rebalance of this group ended;
	// the cooldown period counts from it.
	// +optional
	LastRebalanceTime *metav1.Time `json:"lastRebalanceTime,omitempty"`

	// ActiveExecution is the plan being executed on this group, if any.
	// +optional
	ActiveExecution *ActiveExecution `json:"activeExecution,omitempty"`

	// LastRebalanceTimings are the per-node step times the last successful
	// rebalance of this group measured, written by the Executor with
	// LastRebalanceTime. The Analyzer passes them on so the Planner can
	// forecast how long a plan takes on this group; a failed or cancelled
	// rebalance leaves them as they were, since its steps did not all run.
	// +optional
	LastRebalanceTimings *RebalanceTimings `json:"lastRebalanceTimings,omitempty"`
}

// RebalanceTimings are medians over the nodes an execution replaced, each
// a step of one node's replacement as the Executor's record timed it.
// Medians, so one slow node does not speak for the group.
type RebalanceTimings struct {
	// Nodes is how many replaced nodes the medians are taken over.
	Nodes int32 `json:"nodes"`
	// Provision is from asking for the replacement to it being Ready and
	// its old node cordoned: boot and join (the last attempt's, when a VM
	// had to be asked for again).
	Provision metav1.Duration `json:"provision"`
	// Drain is from the old node's drain start to its last pod gone.
	Drain metav1.Duration `json:"drain"`
	// Terminate is from the drained old node to its VM and Node gone: the
	// wait for the moved workloads to be available again, then the
	// deletes. Neither a soak, which the plan sets, nor a wait for the
	// batch that terminates the node (blue-green) is included.
	Terminate metav1.Duration `json:"terminate"`
	// Wall is the execution's own time, start to end.
	Wall metav1.Duration `json:"wall"`
}

// GroupNode is one member of a group.
type GroupNode struct {
	// Name is the Node's name.
	Name string `json:"name"`
	// ProviderID is the Node's spec.providerID (vpsie://<vm identifier>).
	// +optional
	ProviderID string `json:"providerID,omitempty"`
	// Offering is the VPSie offering the node runs on.
	// +optional
	Offering string `json:"offering,omitempty"`
	// Ready is true when the node is Ready and schedulable.
	// +optional
	Ready bool `json:"ready,omitempty"`
}

// ActiveExecution names the plan an executor is running on the group, so
// a second plan is refused while one runs. It is the group's lock: an
// executor takes it when it accepts a plan, by a status write that carries
// the resourceVersion it read (so of two executors taking it at once, one
// wins, whichever installation or store each belongs to), keeps it while
// the execution is not final (awaiting approval and paused included), and
// clears it at the end. A lock left by an execution its installation's
// store holds as final, or no longer holds, is cleared by that
// installation's executors.
type ActiveExecution struct {
	// PlanID is the content-derived ID of the plan.
	PlanID string `json:"planID"`
	// ExecutionID is the execution holding the group.
	// +optional
	ExecutionID string `json:"executionID,omitempty"`
	// Installation is the executor installation whose store holds the
	// execution; only its executors clear a lock left behind.
	// +optional
	Installation string `json:"installation,omitempty"`
	// StartTime is when the execution took the group (accepted it), then
	// when it began running.
	StartTime metav1.Time `json:"startTime"`
	// TargetOffering is the offering the group is being moved to.
	// +optional
	TargetOffering string `json:"targetOffering,omitempty"`
}

// NodeGroupList is a list of NodeGroups.
//
// +kubebuilder:object:root=true
type NodeGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []NodeGroup `json:"items"`
}
