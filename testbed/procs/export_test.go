package procs

// EphemeralRange lets the tests check FreePorts stays out of it.
var EphemeralRange = ephemeralRange

// Reserve lets the tests claim a port as FreePorts does.
var Reserve = reserve
