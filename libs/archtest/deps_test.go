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
	// production limits the rule to files that ship: tests are skipped.
	production bool
}

func rules(services []string) []rule {
	importsAService := func(p string) bool { return strings.HasPrefix(p, modulePrefix+"services/") }
	importsTestbed := func(p string) bool { return strings.HasPrefix(p, modulePrefix+"testbed/") }
	out := []rule{
		{folder: "libs", forbidden: importsAService, why: "libs never import services"},
		{folder: "cli", forbidden: importsAService, why: "the CLI talks to the services through their gRPC API"},
		{folder: "testbed", forbidden: importsAService, why: "the testbed runs services as binaries, never by importing them"},
	}
	for _, folder := range []string{"libs", "cli", "services"} {
		out = append(out, rule{folder: folder, forbidden: importsTestbed, production: true,
			why: "production code never imports the test harness"})
	}
	out = append(out, executorLayers()...)
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
		if r.production && strings.HasSuffix(path, "_test.go") {
			return nil
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

// executorLayers keeps the Executor's dependencies pointing down its
// layers: cmd → service → api → engine → nodestep → libs. A layer may
// import any layer below it, never one above.
func executorLayers() []rule {
	internal := modulePrefix + "services/executor/internal/"
	layers := []string{"service", "api", "engine", "nodestep"}
	var out []rule
	for i, layer := range layers {
		above := layers[:i]
		out = append(out, rule{
			folder: filepath.Join("services", "executor", "internal", layer),
			forbidden: func(p string) bool {
				for _, a := range above {
					if p == internal+a || strings.HasPrefix(p, internal+a+"/") {
						return true
					}
				}
				return false
			},
			why: "the Executor's layers point down: service → api → engine → nodestep → libs",
		})
	}
	return out
}

func TestRuleCatchesAForbiddenImport(t *testing.T) {
	t.Parallel()
	byFolder := map[string]rule{}
	for _, r := range rules([]string{"planner", "executor"}) {
		if !r.production {
			byFolder[r.folder] = r
		}
	}
	libs, cli, planner := byFolder["libs"], byFolder["cli"], byFolder[filepath.Join("services", "planner")]
	require.True(t, libs.forbidden(modulePrefix+"services/planner/internal/api"))
	require.False(t, libs.forbidden(modulePrefix+"libs/server"))
	require.True(t, cli.forbidden(modulePrefix+"services/planner/internal/api"))
	require.True(t, planner.forbidden(modulePrefix+"services/executor/internal/api"))
	require.False(t, planner.forbidden(modulePrefix+"services/planner/internal/api"))
}

func TestProductionNeverImportsTheTestbed(t *testing.T) {
	t.Parallel()
	for _, r := range rules([]string{"planner"}) {
		if r.production {
			require.True(t, r.forbidden(modulePrefix+"testbed/sandbox"), r.folder)
			require.False(t, r.forbidden(modulePrefix+"libs/kube"), r.folder)
		}
	}
}

func TestExecutorLayersPointDown(t *testing.T) {
	t.Parallel()
	internal := modulePrefix + "services/executor/internal/"
	byFolder := map[string]rule{}
	for _, r := range executorLayers() {
		byFolder[filepath.Base(r.folder)] = r
	}
	require.True(t, byFolder["nodestep"].forbidden(internal+"engine"), "node steps never call back into the engine")
	require.True(t, byFolder["engine"].forbidden(internal+"api"), "the engine knows nothing of gRPC")
	require.True(t, byFolder["api"].forbidden(internal+"service"), "handlers never reach the composition root")
	require.False(t, byFolder["engine"].forbidden(internal+"nodestep"))
	require.False(t, byFolder["service"].forbidden(internal+"engine"))
}
