package features

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// features are the feature packages, by directory under handlers/.
var featurePackages = []string{"directory", "meetings", "polls", "report", "privacy", "email"}

// TestImportsPointOneWay keeps the layout of README "How it is built":
// the core imports no feature, no feature imports another or bot/, and
// only this package lists them all. Test files may mix features (their
// tests install what they exercise).
func TestImportsPointOneWay(t *testing.T) {
	check := func(dir string, allowed func(string) bool) {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v (%d files)", dir, err, len(files))
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			for _, path := range importsOf(t, f) {
				if strings.HasPrefix(path, "copbot/") && !allowed(path) {
					t.Errorf("%s imports %s", f, path)
				}
			}
		}
	}
	lower := func(path string) bool {
		return path == "copbot/storage" || path == "copbot/scheduler" || leafLibrary(t, path)
	}
	check("..", lower)
	for _, p := range featurePackages {
		check(filepath.Join("..", p), func(path string) bool { return lower(path) || path == "copbot/handlers" })
	}
}

// leafLibrary reports whether path is a library under internal/ whose
// source imports nothing of copbot (internal/docx, the Word writer): it
// sits below every layer, so any of them may use it without an import
// pointing up.
func leafLibrary(t *testing.T, path string) bool {
	t.Helper()
	rel, ok := strings.CutPrefix(path, "copbot/internal/")
	if !ok {
		return false
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "internal", filepath.FromSlash(rel), "*.go"))
	if err != nil || len(files) == 0 {
		return false
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		for _, p := range importsOf(t, f) {
			if strings.HasPrefix(p, "copbot/") {
				return false
			}
		}
	}
	return true
}

// importsOf lists the import paths of a Go file.
func importsOf(t *testing.T, file string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		out = append(out, p)
	}
	return out
}

// TestCoreStaysSmall keeps issue 14's bounds: the core's root has at most
// 25 source files and 40 methods on *Service (a feature grows its own
// package, never the core), and no Go file of the module passes 600 lines.
func TestCoreStaysSmall(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	sources, methods := 0, 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		sources++
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv != nil && receiverIs(fn.Recv, "Service") {
				methods++
			}
		}
	}
	if sources > 25 || methods > 40 {
		t.Errorf("handlers core: %d source files (at most 25), %d methods on *Service (at most 40)", sources, methods)
	}
	err = filepath.WalkDir(filepath.Join("..", ".."), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		b, err := os.ReadFile(path)
		if n := bytes.Count(b, []byte("\n")); err == nil && n > 600 {
			t.Errorf("%s has %d lines (at most 600): split it by what it holds", path, n)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func receiverIs(recv *ast.FieldList, name string) bool {
	star, ok := recv.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	id, ok := star.X.(*ast.Ident)
	return ok && id.Name == name
}
