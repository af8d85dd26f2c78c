package handlers

import (
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
	"text/template"

	"github.com/BurntSushi/toml"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// pluralForms are the CLDR plural categories each language's messages must
// define (French needs "many" for 1 000 000 and up).
var catalogPluralForms = map[string][]string{
	"en": {"one", "other"},
	"fr": {"one", "many", "other"},
}

var templateField = regexp.MustCompile(`\.([A-Z][A-Za-z0-9]*)`)

// catalogMessage is one decoded message: its plural forms ("" for a flat
// string) and the template fields it uses.
type catalogMessage struct {
	forms  map[string]string
	fields map[string]bool
}

func loadCatalog(t *testing.T, name string) map[string]catalogMessage {
	t.Helper()
	raw := map[string]any{}
	data, err := fs.ReadFile(localeFS, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := toml.Decode(string(data), &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := map[string]catalogMessage{}
	for id, v := range raw {
		m := catalogMessage{forms: map[string]string{}, fields: map[string]bool{}}
		switch v := v.(type) {
		case string:
			m.forms[""] = v
		case map[string]any:
			for form, text := range v {
				s, ok := text.(string)
				if !ok {
					t.Errorf("%s: %s.%s is not a string (catalogs are flat)", name, id, form)
				}
				m.forms[form] = s
			}
		default:
			t.Errorf("%s: %s has type %T, want a string or a plural table", name, id, v)
		}
		for form, text := range m.forms {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %s %s is empty", name, id, form)
			}
			if _, err := template.New(id).Parse(text); err != nil {
				t.Errorf("%s: %s %s: %v", name, id, form, err)
			}
			for _, f := range templateField.FindAllStringSubmatch(text, -1) {
				m.fields[f[1]] = true
			}
		}
		out[id] = m
	}
	return out
}

// TestCatalogPairs checks every feature's English and French catalogs:
// same ids, the plural forms each language needs (and no others), the same
// template fields, and templates that parse.
func TestCatalogPairs(t *testing.T) {
	files, err := fs.Glob(localeFS, "locales/*.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogs: %v", err)
	}
	features := map[string]map[string]map[string]catalogMessage{}
	for _, f := range files {
		feature, lang, ok := strings.Cut(strings.TrimSuffix(path.Base(f), ".toml"), ".")
		if _, known := catalogPluralForms[lang]; !ok || !known {
			t.Errorf("%s: want FEATURE.en.toml or FEATURE.fr.toml", f)
			continue
		}
		if features[feature] == nil {
			features[feature] = map[string]map[string]catalogMessage{}
		}
		features[feature][lang] = loadCatalog(t, f)
	}
	for feature, langs := range features {
		for lang := range catalogPluralForms {
			if langs[lang] == nil {
				t.Errorf("%s: no %s catalog", feature, lang)
			}
		}
		compareCatalogs(t, feature, langs["en"], langs["fr"])
		for lang, cat := range langs {
			checkPluralForms(t, feature+"."+lang, lang, cat)
		}
	}
}

func compareCatalogs(t *testing.T, feature string, en, fr map[string]catalogMessage) {
	t.Helper()
	for id, m := range en {
		f, ok := fr[id]
		if !ok {
			t.Errorf("%s: %q is in English but not in French", feature, id)
			continue
		}
		if (m.forms[""] == "") != (f.forms[""] == "") {
			t.Errorf("%s: %q is plural in one language only", feature, id)
		}
		if got, want := sortedKeys(f.fields), sortedKeys(m.fields); got != want {
			t.Errorf("%s: %q uses fields %s in French, %s in English", feature, id, got, want)
		}
	}
	for id := range fr {
		if _, ok := en[id]; !ok {
			t.Errorf("%s: %q is in French but not in English", feature, id)
		}
	}
}

func checkPluralForms(t *testing.T, name, lang string, cat map[string]catalogMessage) {
	t.Helper()
	want := strings.Join(catalogPluralForms[lang], ",")
	for id, m := range cat {
		if _, flat := m.forms[""]; flat {
			continue
		}
		var got []string
		for form := range m.forms {
			got = append(got, form)
		}
		sort.Slice(got, func(a, b int) bool { return pluralRank(got[a]) < pluralRank(got[b]) })
		if strings.Join(got, ",") != want {
			t.Errorf("%s: %q has plural forms %v, want %s", name, id, got, want)
		}
	}
}

func pluralRank(form string) int {
	return strings.Index("zero,one,two,few,many,other", form)
}

func sortedKeys(m map[string]bool) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// TestTranslatorPlurals renders real plural messages through go-i18n.
func TestTranslatorPlurals(t *testing.T) {
	tr, err := NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 municipality"}, {"en", 22, "22 municipalities"}, {"en", 0, "0 municipalities"},
		{"fr", 1, "1 municipalité"}, {"fr", 0, "0 municipalité"}, {"fr", 22, "22 municipalités"},
		{"fr", 1000000, "1000000 municipalités"},
	}
	for _, tt := range tests {
		got := tr.N(tt.lang, "stats_org_municipal", tt.n, map[string]any{"Num": tt.n})
		if got != tt.want {
			t.Errorf("N(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

// TestFrenchApostrophes: every French catalog, the adapters' included,
// uses the typographic apostrophe (’), never the straight one.
func TestFrenchApostrophes(t *testing.T) {
	files, err := fs.Glob(localeFS, "locales/*.fr.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no French catalogs: %v", err)
	}
	for _, f := range files {
		for id, m := range loadCatalog(t, f) {
			for form, text := range m.forms {
				if strings.Contains(text, "'") {
					t.Errorf("%s: %s %s = %q: use ’, not '", path.Base(f), id, form, text)
				}
			}
		}
	}
}

// TestFormatNumAsXText: numbers are written as golang.org/x/text's printer
// writes them in each language ("1,234,567", "1 234 567" with a no-break
// space), signs and every group boundary included.
func TestFormatNumAsXText(t *testing.T) {
	ns := []int{0, 7, -7, 999, -999, 1000, -1000, 9999, 10000, 99999, 100000, 999999, 1000000, 1234567,
		-1234567, 12345678, 123456789, 1<<31 - 1, -(1 << 40)}
	for _, lang := range []string{"en", "fr"} {
		tag := language.English
		if lang == "fr" {
			tag = language.French
		}
		for _, n := range ns {
			if got, want := formatNum(lang, n), message.NewPrinter(tag).Sprintf("%d", n); got != want {
				t.Errorf("formatNum(%s, %d) = %q, want %q", lang, n, got, want)
			}
		}
	}
	if got := formatNum("fr", 100000); got != "100\u00a0000" {
		t.Errorf("formatNum(fr, 100000) = %q, want a no-break space between the groups", got)
	}
}
