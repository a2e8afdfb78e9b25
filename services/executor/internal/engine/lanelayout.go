package engine

import (
	"github.com/vpsie/node-rebalancer/libs/lanes"
)

// Lanes: a plan of REPLACE batches runs in lanes rather than lock-step
// batches (libs/lanes lays them out, the same layout the Planner's
// expected duration walks).
//
// Batches keep their events: BATCH_STARTED when the first of its nodes
// starts (after its live guards, as before), BATCH_COMPLETED when the
// last is done. Batches of neighbouring lanes overlap in time.

// laneSlot is one node's place in a lane.
type laneSlot = lanes.Slot

var (
	inLanes    = lanes.Apply
	laneLayout = lanes.Layout
)
