// Package cloud is the rebalancer's narrow view of the VPSie cloud: the
// offerings it can buy, the VMs it creates and deletes, and the account quota.
//
// Implementations: package vpsie (the HTTP client), package cloudfake (an
// in-memory fake for unit tests). Package cloudtest holds the contract suite
// both pass; package vpsiesim is an HTTP simulator of the VPSie API.
//
// # Errors
//
// Every method may return, besides the errors listed on it:
//   - ErrUnauthorized: the token was refused; retrying will not help.
//   - ErrRateLimited: the cloud asked us to slow down, even after retries.
//   - ErrTransient: a 5xx, timeout or garbled answer persisted through retries.
//   - the context's error, when ctx ended first.
//
// Test with the Is… helpers (IsNotFound, IsQuotaExceeded, …) or errors.Is
// against the Err… sentinels; never by message.
package cloud

import "context"

// Catalogue answers what can be bought, where, and at what monthly price.
// A datacenter argument is the datacenter's identifier or its name
// (for example "dc-nyc1").
type Catalogue interface {
	// ListDatacenters lists the datacenters the account can order in.
	ListDatacenters(ctx context.Context) ([]Datacenter, error)

	// ListOfferings lists the offerings orderable in datacenter now, with
	// their monthly prices, cheapest first.
	// Errors: ErrNotFound (no such datacenter).
	ListOfferings(ctx context.Context, datacenter string) ([]Offering, error)

	// GetOffering returns one offering, by identifier or name, as orderable
	// in datacenter.
	// Errors: ErrNotFound (no such datacenter, or no datacenter has such an
	// offering), ErrOfferingUnavailable (it exists, but not in datacenter now).
	GetOffering(ctx context.Context, datacenter, offering string) (Offering, error)
}

// VMs creates, finds and deletes the VMs that become nodes.
type VMs interface {
	// CreateVM orders a VM and returns it as the cloud lists it (usually
	// still building). It is idempotent per hostname: when a VM with
	// spec.Hostname already exists, it is returned and nothing is ordered,
	// so a retried or resumed step never creates a second VM. With
	// spec.FirstAttempt the first look-up is skipped (see there).
	// Errors: ErrInvalid (spec fails Validate), ErrNotFound (no such
	// datacenter or offering), ErrOfferingUnavailable, ErrQuotaExceeded.
	CreateVM(ctx context.Context, spec CreateSpec) (VM, error)

	// FindVM returns the VM with this hostname. A VM the cloud accepted
	// but does not list yet (VPSie's pending VMs) is returned with ID ""
	// and Status VMBuilding: it exists, so do not order it again, but it
	// cannot be acted on until a later FindVM returns its identifier.
	// A running VM found may come from a listing a few seconds old (so
	// one listing serves many look-ups); a building one, and ErrNotFound,
	// always come from a listing read after the call began.
	// Errors: ErrNotFound.
	FindVM(ctx context.Context, hostname string) (VM, error)

	// GetVM returns the VM with this identifier.
	// Errors: ErrNotFound (never existed, or deleted).
	GetVM(ctx context.Context, id string) (VM, error)

	// ListVMs lists the account's VMs that are not deleted.
	ListVMs(ctx context.Context) ([]VM, error)

	// DeleteVM deletes the VM with this identifier. Deleting a VM that is
	// already gone succeeds, so a retried delete is safe.
	DeleteVM(ctx context.Context, id string) error
}

// QuotaReader reports what the account may still create.
type QuotaReader interface {
	// Quota returns the account's limits and current use.
	Quota(ctx context.Context) (Quota, error)
}

// Provider is the whole cloud. Components should depend on the narrowest of
// Catalogue, VMs and QuotaReader that serves them.
type Provider interface {
	Catalogue
	VMs
	QuotaReader
	ManagedKubernetes
}
