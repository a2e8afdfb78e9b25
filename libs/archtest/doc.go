// Package archtest holds tests of the repository's shape: the one-way
// dependencies services → libs → third party. It has no code of its own.
package archtest
