package config_test

import (
	"fmt"

	"github.com/vpsie/node-rebalancer/libs/config"
)

func ExampleEnvName() {
	fmt.Println(config.EnvName("PLANNER", "grpc-addr"))
	fmt.Println(config.EnvName("REBALANCECTL", "from-sequence"))
	// Output:
	// PLANNER_GRPC_ADDR
	// REBALANCECTL_FROM_SEQUENCE
}
