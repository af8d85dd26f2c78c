package handlers

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// storageKey finds the message ids storage returns in its errors: the key
// of Errorf(CODE, "key", …) and of a literal Error{…, Key: "key"}. A key
// that ends in "_" is the front of keys built at run time
// ("meeting_error_too_long_" + field).
var storageKey = regexp.MustCompile(`Errorf\(\s*E[A-Z]+,\s*"([a-z_]+)"|Key:\s*"([a-z_]+)"`)

// TestStorageKeysInBothCatalogs: every message id storage can return is
// translated in English and in French (issue 14: storage returned
// delivery_error_sent, which no catalog had). The keys are read from
// storage's source, so a new one cannot skip the check.
func TestStorageKeysInBothCatalogs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "storage", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("storage's source: %v (%d files)", err, len(files))
	}
	keys := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range storageKey.FindAllStringSubmatch(string(src), -1) {
			keys[m[1]+m[2]] = true
		}
	}
	if len(keys) < 40 {
		t.Fatalf("found only %d keys in storage's source: is the pattern stale?", len(keys))
	}
	catalog := map[string][]string{}
	for _, lang := range []string{"en", "fr"} {
		files, err := fs.Glob(localeFS, "locales/*."+lang+".toml")
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			for id := range loadCatalog(t, f) {
				catalog[lang] = append(catalog[lang], id)
			}
		}
	}
	for key := range keys {
		for _, lang := range []string{"en", "fr"} {
			has := slices.Contains(catalog[lang], key)
			if strings.HasSuffix(key, "_") {
				has = slices.ContainsFunc(catalog[lang], func(id string) bool { return strings.HasPrefix(id, key) })
			}
			if !has {
				t.Errorf("storage returns %q, which the %s catalog lacks", key, lang)
			}
		}
	}
}
