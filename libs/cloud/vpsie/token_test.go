package vpsie_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/libs/cloud/vpsie"
)

func TestLoadToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	cases := map[string]struct {
		file    string
		env     map[string]string
		want    string
		wantErr string
	}{
		"from the file, newline dropped":      {file: write("a", "s3cret\n"), want: "s3cret"},
		"the file wins over the variable":     {file: write("b", "from-file"), env: map[string]string{vpsie.TokenEnv: "from-env"}, want: "from-file"},
		"from the variable":                   {env: map[string]string{vpsie.TokenEnv: " from-env "}, want: "from-env"},
		"an empty file":                       {file: write("c", " \n"), wantErr: "--vpsie-token-file " + filepath.Join(dir, "c") + " is empty"},
		"a file that is not there":            {file: filepath.Join(dir, "missing"), wantErr: "--vpsie-token-file: open " + filepath.Join(dir, "missing")},
		"neither file nor variable":           {wantErr: "no VPSie token: set --vpsie-token-file (TEST_VPSIE_TOKEN_FILE) or VPSIE_TOKEN"},
		"a variable that is only white space": {env: map[string]string{vpsie.TokenEnv: "  "}, wantErr: "no VPSie token"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			got, err := vpsie.LoadToken(tc.file, "TEST_VPSIE_TOKEN_FILE", lookup)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				require.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestNoTokenIsErrNoToken(t *testing.T) {
	t.Parallel()
	_, err := vpsie.LoadToken("", "TEST_VPSIE_TOKEN_FILE", func(string) (string, bool) { return "", false })
	require.ErrorIs(t, err, vpsie.ErrNoToken)
}
