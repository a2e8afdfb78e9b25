package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const modulePrefix = "github.com/vpsie/node-rebalancer/"

// rule says which of our own import paths a file in a folder may not use.
type rule struct {
	folder    string // relative to the repository root
	forbidden func(importPath string) bool
	why       string
}

func rules(services []string) []rule {
	importsAService := func(p string) bool { return strings.HasPrefix(p, modulePrefix+"services/") }
	out := []rule{
		{folder: "libs", forbidden: importsAService, why: "libs never import services"},
		{folder: "cli", forbidden: importsAService, why: "the CLI talks to the services through their gRPC API"},
	}
	for _, s := range services {
		own := modulePrefix + "services/" + s
		out = append(out, rule{
			folder: filepath.Join("services", s),
			forbidden: func(p string) bool {
				return strings.HasPrefix(p, modulePrefix+"services/") && p != own && !strings.HasPrefix(p, own+"/")
			},
			why: "services talk through protos and NATS, never by importing each other",
		})
	}
	return out
}

func TestDependenciesPointOneWay(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	services, err := os.ReadDir(filepath.Join(root, "services"))
	require.NoError(t, err)
	var names []string
	for _, s := range services {
		if s.IsDir() {
			names = append(names, s.Name())
		}
	}
	require.Len(t, names, 3, "analyzer, executor and planner")
	files := 0
	for _, r := range rules(names) {
		files += checkFolder(t, filepath.Join(root, r.folder), r)
	}
	require.Greater(t, files, 20, "the walk must see the code it guards")
}

// checkFolder parses the imports of every Go file under dir and returns how many it read.
func checkFolder(t *testing.T, dir string, r rule) int {
	t.Helper()
	count := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		count++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if r.forbidden(p) {
				t.Errorf("%s imports %s: %s", path, p, r.why)
			}
		}
		return nil
	})
	require.NoError(t, err)
	return count
}

// repoRoot is the folder holding go.work, above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "go.work not found above the test")
		dir = parent
	}
}

func TestRuleCatchesAForbiddenImport(t *testing.T) {
	t.Parallel()
	r := rules([]string{"planner", "executor"})
	require.True(t, r[0].forbidden(modulePrefix+"services/planner/internal/api"))
	require.False(t, r[0].forbidden(modulePrefix+"libs/server"))
	require.True(t, r[1].forbidden(modulePrefix+"services/planner/internal/api"))
	require.True(t, r[2].forbidden(modulePrefix+"services/executor/internal/api"))
	require.False(t, r[2].forbidden(modulePrefix+"services/planner/internal/api"))
}
