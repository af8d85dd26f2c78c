package features

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// features are the feature packages, by directory under handlers/.
var featurePackages = []string{"directory", "meetings", "polls", "report"}

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
			file, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if strings.HasPrefix(path, "copbot/") && !allowed(path) {
					t.Errorf("%s imports %s", f, path)
				}
			}
		}
	}
	lower := func(path string) bool { return path == "copbot/storage" || path == "copbot/scheduler" }
	check("..", lower)
	for _, p := range featurePackages {
		check(filepath.Join("..", p), func(path string) bool { return lower(path) || path == "copbot/handlers" })
	}
}
