//go:build !unix

package service

// lockDataDir does not lock where flock is not available: one executor
// per data folder is then the operator's to keep.
func lockDataDir(string) (release func() error, err error) {
	return func() error { return nil }, nil
}
