package vpsie

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// pendingData is an entry of GET /apps/v2/vm/pending (govpsie's PendingVm):
// a VM ordered but not set up yet, known by the create request only.
type pendingData struct {
	ID   flexString `json:"id"`
	Data struct {
		Hostname           flexString `json:"hostname"`
		ResourceIdentifier flexString `json:"resourceIdentifier"`
		DCIdentifier       flexString `json:"dcIdentifier"`
		Tags               tagList    `json:"tags"`
	} `json:"data"`
	Running flexInt    `json:"running"`
	Type    flexString `json:"type"`
}

// toVM is a pending VM as FindVM returns it: no identifier yet, building.
func (p pendingData) toVM() cloud.VM {
	labels, taints, other := cloud.DecodeTags(p.Data.Tags)
	return cloud.VM{
		Hostname: string(p.Data.Hostname), DatacenterID: string(p.Data.DCIdentifier), Status: cloud.VMBuilding,
		Labels: labels, Taints: taints, Tags: other,
	}
}

// pendingOnce lists the VMs being set up. ASSUMPTION: an account without
// the endpoint (404) has nothing pending, so lookups still work where it
// is missing; any other failure fails the lookup, since a create must not
// go out blind.
func (c *Client) pendingOnce(ctx context.Context, op string) ([]pendingData, error) {
	var data []pendingData
	err := c.send(ctx, request{op: op, method: http.MethodGet, path: "/apps/v2/vm/pending"}, &data)
	if cloud.IsNotFound(err) {
		return nil, nil
	}
	return data, err
}

// lookup finds a VM by hostname, listed or pending, in one attempt.
// Hostnames are ours and unique; if the cloud ever lists two, the oldest
// is the one we asked for.
//
// The pending list is read BEFORE the VM list: a VM leaves the first for
// the second, never the other way, so one that was not pending then is
// listed now, if it exists. Read the other way round, a VM moving between
// the two reads would be in neither, and CreateVM would order it twice.
//
// A VM held by a recent listing (recentList) is returned without a call:
// it exists, whatever was ordered since.
func (c *Client) lookup(ctx context.Context, op, hostname string) (cloud.VM, error) {
	if vm, ok := c.recent.find(hostname, time.Now(), c.opts.ListingMaxAge); ok {
		return vm, nil
	}
	pending, err := c.pendingOnce(ctx, op)
	if err != nil {
		return cloud.VM{}, err
	}
	vms, err := c.listOnce(ctx, op)
	if err != nil {
		return cloud.VM{}, err
	}
	for _, vm := range vms {
		if strings.EqualFold(vm.Hostname, hostname) {
			return vm, nil
		}
	}
	for _, p := range pending {
		if strings.EqualFold(string(p.Data.Hostname), hostname) {
			return p.toVM(), nil
		}
	}
	return cloud.VM{}, cloud.NewError(cloud.ErrNotFound, op, "no VM named %q", hostname)
}
