package cloud

import "strings"

// ReplacementTagPrefix starts the tag the rebalancer puts on each VM it
// creates as a replacement: rebalancer:<installation>/<execution>/<old
// node>. It survives the execution's record, so a VM whose execution was
// lost (or ended without keeping it) is still known for what it is.
const ReplacementTagPrefix = "rebalancer:"

// Replacement is what a replacement VM's tag says it was created for.
type Replacement struct {
	// Installation is the executor installation that created it.
	Installation string
	// Execution is the execution that asked for it.
	Execution string
	// OldNode is the node it was to replace.
	OldNode string
}

// Tag renders r as a VM tag. Installation and execution names hold no
// "/" (the executor checks its installation's name); the old node's name
// comes last, so any character it holds reads back.
func (r Replacement) Tag() string {
	return ReplacementTagPrefix + r.Installation + "/" + r.Execution + "/" + r.OldNode
}

// ReplacementOf reads the replacement tag among a VM's tags.
func ReplacementOf(tags []string) (Replacement, bool) {
	for _, tag := range tags {
		rest, ok := strings.CutPrefix(tag, ReplacementTagPrefix)
		if !ok {
			continue
		}
		parts := strings.SplitN(rest, "/", 3)
		if len(parts) == 3 && parts[0] != "" && parts[1] != "" && parts[2] != "" {
			return Replacement{Installation: parts[0], Execution: parts[1], OldNode: parts[2]}, true
		}
	}
	return Replacement{}, false
}
