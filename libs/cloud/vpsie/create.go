package vpsie

import (
	"context"
	"errors"
	"net/http"
	"time"

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

// errNotListedYet: the VM was ordered (by us or before us) but is not
// listed with an identifier yet.
var errNotListedYet = cloud.NewError(cloud.ErrTransient, "CreateVM",
	"the VM was ordered but is not listed yet; CreateVM again finds it")

// CreateVM implements cloud.VMs.
//
// VPSie's create is not idempotent and answers without an identifier, so
// every attempt first looks the hostname up, pending VMs included, and
// sends the create only when no VM has it. That makes a retry after an
// ambiguous failure (a timeout or 5xx that may have created the VM) and a
// resumed step safe: neither orders a second VM. Once a create was
// accepted, or the hostname is found pending, nothing is sent again: the
// call waits, within its timeout, for the VM to be listed with an
// identifier.
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
		Hostname: spec.Hostname, ProjectID: c.opts.ProjectID, Tags: append(cloud.EncodeTags(spec.Labels, spec.Taints), spec.Tags...),
		UserData: spec.UserData,
	}}
	vm, err := c.orderUnlessFound(ctx, spec.Hostname, post, spec.FirstAttempt)
	if err != nil || vm.ID != "" {
		return vm, err
	}
	return c.awaitListed(ctx, spec.Hostname)
}

// orderUnlessFound returns the VM named hostname, listed or pending, or
// sends the create when there is none. After a create it returns a zero
// VM: ordered, not found yet.
//
// With first (CreateSpec.FirstAttempt: the caller's record shows no
// create for hostname was ever sent) the first attempt sends without a
// look-up, since nothing can be found; an attempt after it follows a
// create whose answer was lost, so it looks first, like any other.
func (c *Client) orderUnlessFound(ctx context.Context, hostname string, post request, first bool) (cloud.VM, error) {
	var vm cloud.VM
	err := c.retry(ctx, func(ctx context.Context) error {
		if first {
			first = false
			return c.send(ctx, post, nil)
		}
		c.stats.createLookups.Add(1)
		found, err := c.lookup(ctx, "CreateVM", hostname)
		switch {
		case err == nil:
			vm = found
			return nil
		case !cloud.IsNotFound(err):
			return err // we cannot tell whether it exists: never send blind
		}
		return c.send(ctx, post, nil) // a failure is retried, after a fresh lookup
	})
	return vm, err
}

// awaitListed polls until the VM named hostname is listed with an
// identifier, or the call's deadline passes (then errNotListedYet, so the
// caller calls CreateVM again later and finds it). Lookups that fail in a
// retryable way are polled through; a VM not found at all is waited for
// too, since VPSie may take a moment to show a VM it accepted. Only the
// listed VMs are read (findListed): a pending VM has no identifier yet,
// and nothing is ordered here whatever the answer.
func (c *Client) awaitListed(ctx context.Context, hostname string) (cloud.VM, error) {
	pause := c.opts.Retry.Initial
	for poll := 1; ; poll++ {
		vm, err := c.findListed(ctx, "CreateVM", hostname, poll)
		switch {
		case err == nil && vm.ID != "":
			return vm, nil
		case err != nil && !cloud.IsRetryable(err) && !cloud.IsNotFound(err):
			return cloud.VM{}, err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < pause {
			return cloud.VM{}, errNotListedYet
		}
		if err := sleep(ctx, pause); err != nil {
			return cloud.VM{}, errors.Join(errNotListedYet, err)
		}
		pause = min(2*pause, c.opts.Retry.Max)
	}
}
