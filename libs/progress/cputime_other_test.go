//go:build !unix

package progress_test

import "time"

// processCPU is not measured here: cpu-cores reports 0.
func processCPU() time.Duration { return 0 }
