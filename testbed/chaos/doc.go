// Package chaos is the seeded chaos campaign of issue 17: real Executor
// replicas (processes) sharing a nats-server (a process), the VPSie
// simulator and the sandbox cluster, and for each run a scenario drawn
// from one seed: a strategy, a group size, a provisioning mode, workloads
// with PodDisruptionBudgets, and faults (an Executor SIGKILLed at a drawn
// progress event, a nats-server restart, VPSie 5xx half of which strike
// after the work was done, 429 bursts, a replacement that never joins, a
// budget that never allows a disruption).
//
// After each run the cluster is given a bounded time to settle (the
// Executor's reconciler acts every few seconds), then the end state is
// judged: every execution final, the invariant monitor clean, the group's
// machines equal to its nodes (no orphan, no duplicate), no rebalancer
// cordon or taint left, no active execution left on the NodeGroup.
//
// A run's seed replays it: the same scenario is drawn, the simulator
// injects from the same seed (timing still varies, so a replay reproduces
// the scenario, not every interleaving).
//
//	c, err := chaos.Start(ctx, chaos.Config{...})
//	report := c.Campaign(ctx, runs, seed)
package chaos
