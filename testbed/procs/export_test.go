package procs

// EphemeralRange lets the tests check FreePorts stays out of it.
var EphemeralRange = ephemeralRange
