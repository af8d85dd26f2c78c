package handlers

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Message catalogs, one pair of files per feature: members.en.toml,
// members.fr.toml, meetings.en.toml, … A test checks both languages define
// the same ids.
//
//go:embed locales/*.toml
var localeFS embed.FS

// Translator renders message ids in English or French with CLDR plural
// rules (go-i18n). It is safe for concurrent use.
type Translator struct {
	loc map[string]*i18n.Localizer
}

// NewTranslator returns the embedded catalogs, loaded once per process:
// they are constants and a Translator is read-only (every request of a
// server shares one already), while parsing them is most of what building
// a Service costs, which tests do thousands of times.
func NewTranslator() (*Translator, error) { return loadTranslator() }

// loadTranslator is package state on purpose: what it holds derives from
// the embedded catalogs only, the same for every caller.
var loadTranslator = sync.OnceValues(parseTranslator)

// parseTranslator loads the embedded catalogs.
func parseTranslator() (*Translator, error) {
	b := i18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	files, err := fs.Glob(localeFS, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(localeFS, f); err != nil {
			return nil, fmt.Errorf("locale %s: %w", path.Base(f), err)
		}
	}
	return &Translator{loc: map[string]*i18n.Localizer{
		"en": i18n.NewLocalizer(b, "en"),
		"fr": i18n.NewLocalizer(b, "fr", "en"),
	}}, nil
}

func (t *Translator) localizer(lang string) *i18n.Localizer {
	if l, ok := t.loc[lang]; ok {
		return l
	}
	return t.loc["en"]
}

// T renders id in lang. A missing id renders as the id itself so that a
// gap in a catalog shows up in tests rather than as an empty reply. French
// text gets FrenchTypography; template data is not rewritten (see protect).
func (t *Translator) T(lang, id string, data map[string]any) string {
	return t.render(lang, id, data, nil)
}

// N renders id in lang choosing the plural form for n; data gets Count = n.
func (t *Translator) N(lang, id string, n int, data map[string]any) string {
	d := map[string]any{"Count": n}
	for k, v := range data {
		d[k] = v
	}
	return t.render(lang, id, d, n)
}

func (t *Translator) render(lang, id string, data map[string]any, count any) string {
	fr := lang == "fr"
	var held []string
	if fr {
		data, held = protect(data)
	}
	s, err := t.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data, PluralCount: count})
	if err != nil {
		return id
	}
	if !fr {
		return s
	}
	return restore(FrenchTypography(s), held)
}

// placeholderBase starts the private-use runes that stand for template data
// while the typography pass runs.
const placeholderBase = '\ue000'

func isPlaceholder(r rune) bool { return r >= placeholderBase && r < placeholderBase+0x1000 }

// protect returns a copy of data in which every string the typography pass
// could change (see typoSensitive) is replaced by one
// private-use rune, and the strings it replaced, in rune order. What users
// typed (a name, a poll question) and text already rendered (a date, a
// translated fragment) are thus never rewritten, while the catalog text
// around them is. Strings without such characters, such as the values
// templates compare with eq, stay as they are.
func protect(data map[string]any) (map[string]any, []string) {
	var held []string
	out := make(map[string]any, len(data))
	for k, v := range data {
		if s, ok := v.(string); ok && typoSensitive(s) && len(held) < 0x1000 {
			out[k] = string(placeholderBase + rune(len(held)))
			held = append(held, s)
			continue
		}
		out[k] = v
	}
	return out, held
}

// typoSensitive reports whether FrenchTypography could change s or the
// text around it.
func typoSensitive(s string) bool {
	return strings.ContainsAny(s, ":;?!«»%º") || strings.Contains(s, " h") || strings.Contains(s, "\u00a0h")
}

// restore puts the held strings back in place of their placeholders.
func restore(s string, held []string) string {
	if len(held) == 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if i := int(r - placeholderBase); isPlaceholder(r) && i < len(held) {
			b.WriteString(held[i])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
