package vpsie

import (
	"context"
	"net/http"
	"net/url"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

const vmPath = "/api/v2/vm"

// FindVM implements cloud.VMs by listing, pending VMs included (see
// lookup): VPSie has no lookup by hostname. A VM that is only pending is
// returned without an identifier, as VMBuilding.
func (c *Client) FindVM(ctx context.Context, hostname string) (cloud.VM, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	var vm cloud.VM
	err := c.retry(ctx, func(ctx context.Context) error {
		var err error
		vm, err = c.lookup(ctx, "FindVM", hostname)
		return err
	})
	return vm, err
}

// GetVM implements cloud.VMs.
func (c *Client) GetVM(ctx context.Context, id string) (cloud.VM, error) {
	if id == "" {
		return cloud.VM{}, cloud.NewError(cloud.ErrInvalid, "GetVM", "an identifier is required")
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	d, err := do[vmDetail](ctx, c, request{op: "GetVM", method: http.MethodGet, path: vmPath + "/" + url.PathEscape(id)})
	if err != nil {
		return cloud.VM{}, err
	}
	vm, ok := d.toVM()
	if !ok || vm.ID != id {
		return cloud.VM{}, cloud.NewError(cloud.ErrNotFound, "GetVM", "VM %s is deleted", id)
	}
	return vm, nil
}

// ListVMs implements cloud.VMs, oldest first.
func (c *Client) ListVMs(ctx context.Context) ([]cloud.VM, error) {
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	var vms []cloud.VM
	err := c.retry(ctx, func(ctx context.Context) error {
		var err error
		vms, err = c.listOnce(ctx, "ListVMs")
		return err
	})
	return vms, err
}

// DeleteVM implements cloud.VMs. A VM already gone (NotFound, perhaps
// deleted by an earlier attempt whose answer was lost) counts as deleted.
func (c *Client) DeleteVM(ctx context.Context, id string) error {
	if id == "" {
		return cloud.NewError(cloud.ErrInvalid, "DeleteVM", "an identifier is required")
	}
	ctx, cancel := c.withDeadline(ctx)
	defer cancel()
	body := deleteBody{VMIdentifier: id}
	body.DeleteStatistic.Reason = "rebalanced"
	body.DeleteStatistic.Note = "replaced by the node rebalancer"
	_, err := do[ignored](ctx, c, request{op: "DeleteVM", method: http.MethodDelete, path: vmPath, json: body})
	if err == nil || cloud.IsNotFound(err) {
		c.recent.forget(id)
		return nil
	}
	return err
}

type deleteBody struct {
	VMIdentifier    string `json:"vmIdentifier"`
	Password        string `json:"password"`
	DeleteStatistic struct {
		Reason string `json:"reason"`
		Note   string `json:"note"`
	} `json:"deleteStatistic"`
}
