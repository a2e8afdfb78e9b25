package vpsiesim

import (
	"fmt"
	"time"
)

// The simulator writes the shapes VPSie's SDK reads, including its habit of
// sending some numbers as strings. These types are separate from the
// client's on purpose: the contract suite then checks the two agree.

type vmJSON struct {
	ID           int64    `json:"id"`
	Identifier   string   `json:"identifier"`
	Hostname     string   `json:"hostname"`
	DefaultIP    string   `json:"default_ip"`
	PrivateIP    string   `json:"private_ip"`
	RAM          string   `json:"ram"` // a string, as VPSie sometimes sends it
	CPU          int      `json:"cpu"`
	SSD          string   `json:"ssd"`
	Traffic      int      `json:"traffic"`
	DCIdentifier string   `json:"dcIdentifier"`
	State        string   `json:"state"`
	IsActive     int      `json:"is_active"`
	IsDeleted    int      `json:"is_deleted"`
	CreatedOn    string   `json:"created_on"`
	ProjectID    int64    `json:"project_id"`
	Tags         []string `json:"tags"`
}

func (v *vm) json() vmJSON {
	return vmJSON{
		ID: v.numericID, Identifier: v.identifier, Hostname: v.hostname,
		DefaultIP: fmt.Sprintf("203.0.113.%d", v.numericID%250+1),
		PrivateIP: fmt.Sprintf("10.%d.%d.%d", v.numericID>>16&255, v.numericID>>8&255, v.numericID&255),
		RAM:       fmt.Sprint(v.offering.RAMMB), CPU: v.offering.CPU, SSD: fmt.Sprint(v.offering.DiskGB),
		Traffic: v.offering.TrafficGB, DCIdentifier: v.dc.ID, State: v.state, IsActive: 1,
		CreatedOn: v.createdAt.UTC().Format(time.DateTime), Tags: v.tags,
	}
}

type datacenterJSON struct {
	Identifier string `json:"identifier"`
	Name       string `json:"dc_name"`
	Country    string `json:"country"`
	State      string `json:"state"`
	IsActive   int    `json:"is_active"`
	IsDeleted  int    `json:"is_deleted"`
}

type categoryJSON struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
}

type planJSON struct {
	Identifier string `json:"identifier"`
	Nickname   string `json:"nickname"`
	CPU        int    `json:"cpu"`
	RAM        string `json:"ram"`
	SSD        int    `json:"ssd"`
	Traffic    int    `json:"traffic"`
	Price      string `json:"price"` // monthly, a decimal string: "48.00"
}

// quotaJSON answers GET /api/v2/account/quota (our design: VPSie has no
// documented quota endpoint). Numbers are strings, as elsewhere.
type quotaJSON struct {
	MaxVMs    string `json:"maxVms"`
	UsedVMs   string `json:"usedVms"`
	MaxCPU    string `json:"maxCpu"`
	UsedCPU   string `json:"usedCpu"`
	MaxRAMMB  string `json:"maxRamMb"`
	UsedRAMMB string `json:"usedRamMb"`
}

// pendingJSON is an entry of GET /apps/v2/vm/pending, govpsie's PendingVm:
// the create request as sent, with no identifier yet.
type pendingJSON struct {
	ID      string          `json:"id"` // the job's id, a string
	UserID  int             `json:"user_id"`
	Data    pendingDataJSON `json:"data"`
	Running int             `json:"running"`
	Type    string          `json:"type"`
}

type pendingDataJSON struct {
	ResourceIdentifier string   `json:"resourceIdentifier"`
	DCIdentifier       string   `json:"dcIdentifier"`
	Hostname           string   `json:"hostname"`
	Tags               []string `json:"tags"`
}

func (v *vm) pendingJSON() pendingJSON {
	return pendingJSON{
		ID: fmt.Sprint(v.numericID), UserID: 1, Running: 1, Type: "create",
		Data: pendingDataJSON{ResourceIdentifier: v.offering.ID, DCIdentifier: v.dc.ID, Hostname: v.hostname, Tags: v.tags},
	}
}
