package vpsie

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/vpsie/node-rebalancer/libs/cloud"
)

// envelope wraps every answer: {error, data, total} or {error, code, message}.
type envelope struct {
	Error   flexBool        `json:"error"`
	Code    flexInt         `json:"code"`
	Message flexString      `json:"message"`
	Data    json.RawMessage `json:"data"`
	Total   flexInt         `json:"total"`
}

// vmData is VPSie's VmData, reduced to the fields we read.
type vmData struct {
	ID           flexInt    `json:"id"`
	Identifier   string     `json:"identifier"`
	Hostname     string     `json:"hostname"`
	DefaultIP    flexString `json:"default_ip"`
	PrivateIP    flexString `json:"private_ip"`
	RAM          flexInt    `json:"ram"`
	CPU          flexInt    `json:"cpu"`
	SSD          flexInt    `json:"ssd"`
	DCIdentifier string     `json:"dcIdentifier"`
	State        flexString `json:"state"`
	Status       flexString `json:"status"`
	CreatedOn    flexString `json:"created_on"`
	IsDeleted    flexBool   `json:"is_deleted"`
	Tags         tagList    `json:"tags"`
}

// vmDetail is the data of GET /api/v2/vm/{identifier}: the SDK reads
// {vmData: VmData, …}; a bare VmData is accepted too.
type vmDetail struct{ vmData }

func (d *vmDetail) UnmarshalJSON(b []byte) error {
	var wrapped struct {
		VMData *vmData `json:"vmData"`
	}
	if err := json.Unmarshal(b, &wrapped); err == nil && wrapped.VMData != nil {
		d.vmData = *wrapped.VMData
		return nil
	}
	return json.Unmarshal(b, &d.vmData)
}

// tagList accepts tags as strings or as objects with a name or tag field.
type tagList []string

func (t *tagList) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*t = nil
		return nil
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(tagList, 0, len(raw))
	for _, r := range raw {
		var obj struct {
			Name flexString `json:"name"`
			Tag  flexString `json:"tag"`
		}
		var s flexString
		if err := json.Unmarshal(r, &obj); err == nil {
			s = flexString(strings.TrimSpace(string(obj.Name) + string(obj.Tag)))
		} else if err := json.Unmarshal(r, &s); err != nil {
			return err
		}
		if s != "" {
			out = append(out, string(s))
		}
	}
	*t = out
	return nil
}

// toVM converts a listed VM; false when it is deleted or has no identifier
// yet (still being set up), since callers cannot act on such a VM.
func (d vmData) toVM() (cloud.VM, bool) {
	if d.IsDeleted || d.Identifier == "" {
		return cloud.VM{}, false
	}
	labels, taints, other := cloud.DecodeTags(d.Tags)
	return cloud.VM{
		ID: d.Identifier, NumericID: int64(d.ID), Hostname: d.Hostname, DatacenterID: d.DCIdentifier,
		CPU: int(d.CPU), RAMMB: int(d.RAM), DiskGB: int(d.SSD),
		Status:   vmStatus(string(d.State), string(d.Status)),
		PublicIP: string(d.DefaultIP), PrivateIP: string(d.PrivateIP),
		Labels: labels, Taints: taints, Tags: other, CreatedAt: parseTime(string(d.CreatedOn)),
	}, true
}

// vmStatus maps VPSie's state words; the first field that says something wins.
func vmStatus(fields ...string) cloud.VMStatus {
	for _, f := range fields {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "running", "active", "on", "started":
			return cloud.VMRunning
		case "building", "pending", "creating", "installing", "provisioning", "new":
			return cloud.VMBuilding
		}
	}
	return cloud.VMUnknown
}

func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05.000Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
