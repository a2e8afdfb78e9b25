module github.com/vpsie/node-rebalancer/services/executor

go 1.26.0

require github.com/vpsie/node-rebalancer/libs v0.0.0

// Each service builds alone (GOWORK=off) against the libs in this tree.
replace github.com/vpsie/node-rebalancer/libs => ../../libs
