package deploytest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vpsie/node-rebalancer/testbed/sandbox"
)

// exportedMetrics are the metric names the services register, keyed by
// name, true for a histogram or summary (whose series add _bucket, _sum and
// _count). testbed may not import the services, so they are read from the
// Go sources of services/ and libs/: every Name of a prometheus
// CounterOpts, GaugeOpts, HistogramOpts or SummaryOpts literal, and every
// name made by a local helper that prefixes its argument, such as the
// Executor's counter("plans_executed_total", ...) adding
// "vpsie_rebalancing_".
type exportedMetrics map[string]bool

// has says whether a series name belongs to an exported metric.
func (m exportedMetrics) has(series string) bool {
	if _, ok := m[series]; ok {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(series, suffix); ok && m[base] {
			return true
		}
	}
	return false
}

var metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// scanExportedMetrics reads the metric definitions of the repository's
// services and libraries.
func scanExportedMetrics(t *testing.T) exportedMetrics {
	t.Helper()
	root, err := sandbox.RepoRoot()
	require.NoError(t, err)
	m := exportedMetrics{}
	for _, dir := range []string{"services", "libs"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			m.addOptions(f)
			m.addHelpers(f)
			return nil
		})
		require.NoError(t, err)
	}
	return m
}

// optsKinds are the prometheus option types, true for those whose metric
// is a histogram or summary.
var optsKinds = map[string]bool{"CounterOpts": false, "GaugeOpts": false, "HistogramOpts": true, "SummaryOpts": true}

// addOptions adds the literal Name of every prometheus options literal.
func (m exportedMetrics) addOptions(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		histogram, ok := optionsKind(n)
		if !ok {
			return true
		}
		for _, elt := range n.(*ast.CompositeLit).Elts {
			if name, ok := optionName(elt); ok && metricName.MatchString(name) {
				m[name] = histogram
			}
		}
		return true
	})
}

// optionName is the string literal of a Name: field, if elt is one.
func optionName(elt ast.Expr) (string, bool) {
	kv, ok := elt.(*ast.KeyValueExpr)
	if !ok {
		return "", false
	}
	if key, _ := kv.Key.(*ast.Ident); key == nil || key.Name != "Name" {
		return "", false
	}
	return stringLit(kv.Value)
}

// optionsKind says whether n is a prometheus.XxxOpts literal, and whether
// it makes a histogram or summary.
func optionsKind(n ast.Node) (histogram, ok bool) {
	lit, isLit := n.(*ast.CompositeLit)
	if !isLit {
		return false, false
	}
	sel, isSel := lit.Type.(*ast.SelectorExpr)
	if !isSel {
		return false, false
	}
	histogram, ok = optsKinds[sel.Sel.Name]
	return histogram, ok
}

// helper is a function literal that names metrics prefix+argument.
type helper struct {
	prefix    string
	histogram bool
}

// addHelpers adds the names made by helpers: in each function, a variable
// bound to a function literal holding an options literal whose Name is
// "prefix" + a parameter, then each call of it with a string literal.
func (m exportedMetrics) addHelpers(f *ast.File) {
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue
		}
		helpers := helpersIn(fn.Body)
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			id, _ := call.Fun.(*ast.Ident)
			if id == nil {
				return true
			}
			h, isHelper := helpers[id.Name]
			if suffix, isString := stringLit(call.Args[0]); isHelper && isString && metricName.MatchString(h.prefix+suffix) {
				m[h.prefix+suffix] = h.histogram
			}
			return true
		})
	}
}

func helpersIn(body *ast.BlockStmt) map[string]helper {
	helpers := map[string]helper{}
	ast.Inspect(body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != len(as.Rhs) {
			return true
		}
		for i, rhs := range as.Rhs {
			lit, isFunc := rhs.(*ast.FuncLit)
			id, isIdent := as.Lhs[i].(*ast.Ident)
			if isFunc && isIdent {
				if h, ok := prefixedOptions(lit); ok {
					helpers[id.Name] = h
				}
			}
		}
		return true
	})
	return helpers
}

// prefixedOptions finds an options literal whose Name is "prefix" + x.
func prefixedOptions(fn *ast.FuncLit) (h helper, found bool) {
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		histogram, ok := optionsKind(n)
		if !ok {
			return true
		}
		for _, elt := range n.(*ast.CompositeLit).Elts {
			kv, isKV := elt.(*ast.KeyValueExpr)
			if !isKV {
				continue
			}
			if key, _ := kv.Key.(*ast.Ident); key != nil && key.Name == "Name" {
				if sum, isSum := kv.Value.(*ast.BinaryExpr); isSum && sum.Op == token.ADD {
					if prefix, isString := stringLit(sum.X); isString {
						h, found = helper{prefix: prefix, histogram: histogram}, true
					}
				}
			}
		}
		return true
	})
	return h, found
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
