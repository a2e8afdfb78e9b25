package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// tokenEnv holds the VPSie token when no token file is given.
const tokenEnv = "VPSIE_TOKEN"

// errNoToken is reported at start, in one line, like a missing kubeconfig.
var errNoToken = errors.New("no VPSie token: set --vpsie-token-file (or ANALYZER_VPSIE_TOKEN_FILE) or " + tokenEnv)

// token reads the VPSie token: the token file when given, else the
// variable. Surrounding white space (a trailing newline) is dropped.
func (o *options) token() (string, error) {
	if o.vpsieTokenFile != "" {
		b, err := os.ReadFile(o.vpsieTokenFile)
		if err != nil {
			return "", fmt.Errorf("--vpsie-token-file: %w", err)
		}
		if t := strings.TrimSpace(string(b)); t != "" {
			return t, nil
		}
		return "", fmt.Errorf("--vpsie-token-file %s is empty", o.vpsieTokenFile)
	}
	if t, ok := o.lookupEnv(tokenEnv); ok && strings.TrimSpace(t) != "" {
		return strings.TrimSpace(t), nil
	}
	return "", errNoToken
}
