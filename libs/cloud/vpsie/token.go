package vpsie

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// TokenEnv holds the VPSie API token when no token file is given.
const TokenEnv = "VPSIE_TOKEN"

// ErrNoToken is LoadToken's error when neither a token file nor TokenEnv
// gives a token.
var ErrNoToken = errors.New("no VPSie token")

// LoadToken reads the API token the way every service takes it: from the
// file of --vpsie-token-file (a mounted Secret) when one is named, else
// from TokenEnv, read through lookupEnv (os.LookupEnv outside tests).
// Surrounding white space, such as a trailing newline, is dropped. With
// no token the error wraps ErrNoToken and says how to give one; fileEnv
// is the variable that sets the program's --vpsie-token-file
// (ANALYZER_VPSIE_TOKEN_FILE, say), since that is how a Deployment sets it.
func LoadToken(file, fileEnv string, lookupEnv func(string) (string, bool)) (string, error) {
	if file != "" {
		return readTokenFile(file)
	}
	if t, _ := lookupEnv(TokenEnv); strings.TrimSpace(t) != "" {
		return strings.TrimSpace(t), nil
	}
	return "", fmt.Errorf("%w: set --vpsie-token-file (%s) or %s", ErrNoToken, fileEnv, TokenEnv)
}

// readTokenFile reads a named token file; an empty one is a mistake, not
// a reason to look elsewhere.
func readTokenFile(file string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--vpsie-token-file: %w", err)
	}
	if t := strings.TrimSpace(string(b)); t != "" {
		return t, nil
	}
	return "", fmt.Errorf("--vpsie-token-file %s is empty", file)
}
