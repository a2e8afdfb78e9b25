package vpsie

import (
	"strings"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// datacenterData is an entry of GET /apps/v2/datacenter.
type datacenterData struct {
	Identifier string     `json:"identifier"`
	Name       flexString `json:"dc_name"`
	Country    flexString `json:"country"`
	State      flexString `json:"state"`
	IsActive   flexBool   `json:"is_active"`
	IsDeleted  flexBool   `json:"is_deleted"`
}

func (d datacenterData) toDatacenter() cloud.Datacenter {
	return cloud.Datacenter{
		ID: d.Identifier, Name: strings.TrimSpace(string(d.Name)),
		Country: string(d.Country), State: string(d.State), Active: bool(d.IsActive),
	}
}

// categoryData is an entry of GET /api/v2/plans/category.
type categoryData struct {
	Identifier string     `json:"identifier"`
	Name       flexString `json:"name"`
}

// planData is an entry of POST /apps/v2/resources; price is monthly.
type planData struct {
	Identifier string     `json:"identifier"`
	Nickname   flexString `json:"nickname"`
	CPU        flexInt    `json:"cpu"`
	RAM        flexInt    `json:"ram"`
	SSD        flexInt    `json:"ssd"`
	Traffic    flexInt    `json:"traffic"`
	Price      flexFloat  `json:"price"`
}

func (p planData) toOffering(category string) cloud.Offering {
	return cloud.Offering{
		ID: p.Identifier, Name: strings.TrimSpace(string(p.Nickname)), Category: category,
		CPU: int(p.CPU), RAMMB: int(p.RAM), DiskGB: int(p.SSD), TrafficGB: int(p.Traffic),
		MonthlyPrice: float64(p.Price),
	}
}

// quotaData is the data of GET /api/v2/account/quota, the simulator's
// answer to the account-limits question (VPSie publishes no such endpoint;
// see the package README).
type quotaData struct {
	MaxVMs    flexInt `json:"maxVms"`
	UsedVMs   flexInt `json:"usedVms"`
	MaxCPU    flexInt `json:"maxCpu"`
	UsedCPU   flexInt `json:"usedCpu"`
	MaxRAMMB  flexInt `json:"maxRamMb"`
	UsedRAMMB flexInt `json:"usedRamMb"`
}

func (q quotaData) toQuota() cloud.Quota {
	return cloud.Quota{
		MaxVMs: int(q.MaxVMs), UsedVMs: int(q.UsedVMs), MaxCPU: int(q.MaxCPU), UsedCPU: int(q.UsedCPU),
		MaxRAMMB: int(q.MaxRAMMB), UsedRAMMB: int(q.UsedRAMMB),
	}
}
