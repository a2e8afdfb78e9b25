package cloud

import (
	"cmp"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/vpsie/node-rebalancer/libs/apis/autoscaler/v1alpha1"
)

// HoursPerMonth converts VPSie's monthly prices to hourly ones (365×24/12).
const HoursPerMonth = 730

// Datacenter is a place VMs can be ordered in.
type Datacenter struct {
	ID      string // VPSie's dcIdentifier (a UUID)
	Name    string // readable and unique, for example "dc-nyc1"
	Country string
	State   string
	Active  bool
}

// Offering is a VM size ("plan" or "resource" at VPSie) with its price.
type Offering struct {
	ID           string  // VPSie's plan identifier (a UUID); CreateSpec takes it
	Name         string  // the nickname, for example "standard-8"; the node's instance-type label
	Category     string  // the plan category's name, for example "Standard"
	CPU          int     // vCPUs
	RAMMB        int     // memory in MiB
	DiskGB       int     // SSD in GB
	TrafficGB    int     // monthly traffic allowance in GB
	MonthlyPrice float64 // USD per month, as VPSie bills plans
}

// CompareOfferings orders offerings cheapest first, then by name, so that
// listings are stable whatever order the cloud answers in.
func CompareOfferings(a, b Offering) int {
	return cmp.Or(cmp.Compare(a.MonthlyPrice, b.MonthlyPrice), cmp.Compare(a.Name, b.Name))
}

// HourlyPrice is the monthly price spread over an average month.
func (o Offering) HourlyPrice() float64 { return o.MonthlyPrice / HoursPerMonth }

// VMStatus is where a VM is in its life.
type VMStatus string

// The statuses the rebalancer acts on; anything else the cloud says is VMUnknown.
const (
	VMBuilding VMStatus = "building" // ordered, not booted yet
	VMRunning  VMStatus = "running"  // booted
	VMUnknown  VMStatus = "unknown"
)

// VM is a virtual machine as the cloud lists it.
type VM struct {
	ID           string // VPSie's identifier (a UUID); DeleteVM and GetVM take it
	NumericID    int64  // VPSie's numeric id, shown in its console
	Hostname     string // chosen by us at creation; the Node's name
	DatacenterID string
	CPU          int
	RAMMB        int
	DiskGB       int
	Status       VMStatus
	PublicIP     string
	PrivateIP    string
	Labels       map[string]string // node labels asked for at creation
	Taints       []corev1.Taint    // node taints asked for at creation
	Tags         []string          // other tags on the VM
	CreatedAt    time.Time
}

// ProviderID is the Node.spec.providerID of the node this VM becomes.
func (v VM) ProviderID() string { return v1alpha1.ProviderID(v.ID) }

// Quota is what the account may hold and what it holds now.
type Quota struct {
	MaxVMs    int
	UsedVMs   int
	MaxCPU    int
	UsedCPU   int
	MaxRAMMB  int
	UsedRAMMB int
}

// Allows reports whether one more VM of offering o fits in the quota.
func (q Quota) Allows(o Offering) bool {
	return q.UsedVMs+1 <= q.MaxVMs && q.UsedCPU+o.CPU <= q.MaxCPU && q.UsedRAMMB+o.RAMMB <= q.MaxRAMMB
}
