package vpsie

import (
	"context"
	"net/http"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// createBody is POST /api/v2/vm. The answer carries no identifier, so the
// VM is found afterwards by its hostname.
type createBody struct {
	ResourceIdentifier string   `json:"resourceIdentifier"`
	OSIdentifier       string   `json:"osIdentifier"`
	DCIdentifier       string   `json:"dcIdentifier"`
	Hostname           string   `json:"hostname"`
	ProjectID          int64    `json:"projectId,omitempty"`
	Tags               []string `json:"tags,omitempty"`
	UserData           string   `json:"userData,omitempty"`
}

// errNotListedYet: the create was accepted but the VM is not listed yet.
var errNotListedYet = cloud.NewError(cloud.ErrTransient, "CreateVM",
	"the VM was ordered but is not listed yet; CreateVM again finds it")

// CreateVM implements cloud.VMs.
//
// VPSie's create is not idempotent and answers without an identifier, so
// every attempt first looks the hostname up, and sends the create only when
// no VM has it. That makes a retry after an ambiguous failure (a timeout or
// 5xx that may have created the VM) and a resumed step safe: neither orders
// a second VM. Once a create was accepted, it is never sent again; the
// remaining attempts only wait for the VM to be listed.
func (c *Client) CreateVM(ctx context.Context, spec cloud.CreateSpec) (cloud.VM, error) {
	if err := spec.Validate(); err != nil {
		return cloud.VM{}, err
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	dc, err := c.datacenter(ctx, "CreateVM", spec.Datacenter)
	if err != nil {
		return cloud.VM{}, err
	}
	post := request{op: "CreateVM", method: http.MethodPost, path: vmPath, json: createBody{
		ResourceIdentifier: spec.OfferingID, OSIdentifier: c.opts.OSIdentifier, DCIdentifier: dc.ID,
		Hostname: spec.Hostname, ProjectID: c.opts.ProjectID, Tags: cloud.EncodeTags(spec.Labels, spec.Taints),
		UserData: spec.UserData,
	}}
	var vm cloud.VM
	accepted := false
	err = c.retry(ctx, func(ctx context.Context) error {
		c.stats.createLookups.Add(1)
		found, err := c.findOnce(ctx, "CreateVM", spec.Hostname)
		switch {
		case err == nil:
			vm = found
			return nil
		case !cloud.IsNotFound(err):
			return err // we cannot tell whether it exists: never send blind
		case accepted:
			return errNotListedYet
		}
		if err := c.send(ctx, post, nil); err != nil {
			return err
		}
		accepted = true
		if vm, err = c.findOnce(ctx, "CreateVM", spec.Hostname); cloud.IsNotFound(err) {
			return errNotListedYet
		}
		return err
	})
	return vm, err
}
