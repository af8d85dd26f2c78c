// Package schemacheck validates what copbot ships or sends against the
// platforms' published JSON schemas (Slack's app manifest schema, the Teams
// manifest and localization schemas, Adaptive Cards), offline: a schema is
// read from a file in testdata and nothing is fetched. It is for tests.
package schemacheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema is a compiled schema.
type Schema struct{ s *jsonschema.Schema }

// noFetch refuses every URL a schema refers to that is not already loaded:
// tests never reach the network.
type noFetch struct{}

func (noFetch) Load(url string) (any, error) {
	return nil, fmt.Errorf("schemacheck: %s is not loaded (tests do not fetch schemas)", url)
}

// Load compiles the schema in file. Formats ("uri", "email"…) are asserted
// as the platforms assert them.
func Load(file string) (*Schema, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	loc := "file://" + filepath.ToSlash(abs)
	c := jsonschema.NewCompiler()
	c.UseLoader(noFetch{})
	c.AssertFormat()
	c.UseRegexpEngine(compileRegexp)
	if err := c.AddResource(loc, doc); err != nil {
		return nil, err
	}
	s, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &Schema{s: s}, nil
}

// ecmaOnly maps the schemas' ECMAScript patterns that Go's RE2 cannot
// parse (lookaheads) to RE2 patterns that match exactly the same strings.
// A pattern that is in neither RE2 nor this table fails Load, so no
// pattern is ever silently skipped.
var ecmaOnly = map[string]string{
	// Slack's domain names (unfurl_domains, outgoing_domains): not starting
	// with '.' or '-', then at least one more character, ending with a letter
	// or digit. The lookahead only narrows the first character of the
	// repeated class to [a-z0-9].
	`^(?![\.\-])([-a-z0-9\.])+([a-z0-9])$`: `^[a-z0-9][-a-z0-9.]*[a-z0-9]$`,
}

func compileRegexp(pattern string) (jsonschema.Regexp, error) {
	if re, err := regexp.Compile(pattern); err == nil {
		return re, nil
	}
	if alt, ok := ecmaOnly[pattern]; ok {
		return ecmaRegexp{pattern: pattern, re: regexp.MustCompile(alt)}, nil
	}
	return regexp.Compile(pattern)
}

// ecmaRegexp is an ECMAScript pattern matched by its RE2 equivalent.
type ecmaRegexp struct {
	pattern string
	re      *regexp.Regexp
}

func (e ecmaRegexp) MatchString(s string) bool { return e.re.MatchString(s) }
func (e ecmaRegexp) String() string            { return e.pattern }

// Validate checks v, any value encoding/json can marshal, and returns one
// line per violation (empty when v is valid).
func (s *Schema) Validate(v any) []string {
	b, err := json.Marshal(v)
	if err != nil {
		return []string{err.Error()}
	}
	return s.ValidateJSON(b)
}

// ValidateJSON checks a JSON document.
func (s *Schema) ValidateJSON(doc []byte) []string {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return []string{err.Error()}
	}
	err = s.s.Validate(inst)
	if err == nil {
		return nil
	}
	// The error lists every violation, one per line, with its JSON pointer.
	return strings.Split(strings.TrimSpace(err.Error()), "\n")
}
