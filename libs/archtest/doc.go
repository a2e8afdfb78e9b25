// Package archtest holds tests of the repository's shape: the one-way
// dependencies services → libs → third party, production code apart from
// the testbed, and the Executor's layers. It has no code of its own.
package archtest
