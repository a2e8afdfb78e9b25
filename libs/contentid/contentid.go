// Package contentid names API messages after their content, so every replica
// of a stateless service gives the same input the same ID.
package contentid

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"google.golang.org/protobuf/proto"
)

// hexDigits keeps 80 bits of the hash: plenty against collisions, and short
// enough for the hostnames the Executor derives from plan IDs.
const hexDigits = 20

// Of returns prefix, a dash, and the first hex digits of the SHA-256 of m's
// deterministic encoding. The caller leaves m's own ID field empty.
// Deterministic encoding is stable within one protobuf runtime, which every
// replica of a release shares.
func Of(prefix string, m proto.Message) (string, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode %s: %w", prefix, err)
	}
	sum := sha256.Sum256(b)
	return prefix + "-" + hex.EncodeToString(sum[:])[:hexDigits], nil
}
