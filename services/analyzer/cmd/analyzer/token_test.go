package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	cases := map[string]struct {
		file    string
		env     map[string]string
		want    string
		wantErr string
	}{
		"from the file, newline dropped":      {file: write("a", "s3cret\n"), want: "s3cret"},
		"the file wins over the variable":     {file: write("b", "from-file"), env: map[string]string{tokenEnv: "from-env"}, want: "from-file"},
		"from the variable":                   {env: map[string]string{tokenEnv: " from-env "}, want: "from-env"},
		"an empty file":                       {file: write("c", " \n"), wantErr: "is empty"},
		"a file that is not there":            {file: filepath.Join(dir, "missing"), wantErr: "--vpsie-token-file"},
		"neither file nor variable":           {wantErr: "no VPSie token"},
		"a variable that is only white space": {env: map[string]string{tokenEnv: "  "}, wantErr: "no VPSie token"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o := options{vpsieTokenFile: tc.file, lookupEnv: env(tc.env)}
			got, err := o.token()
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}
