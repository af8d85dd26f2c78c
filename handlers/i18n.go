package handlers

import (
	"embed"
	"fmt"
	"io/fs"
	"path"

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

// NewTranslator loads the embedded catalogs.
func NewTranslator() (*Translator, error) {
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
// gap in a catalog shows up in tests rather than as an empty reply.
func (t *Translator) T(lang, id string, data map[string]any) string {
	s, err := t.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// N renders id in lang choosing the plural form for n; data gets Count = n.
func (t *Translator) N(lang, id string, n int, data map[string]any) string {
	d := map[string]any{"Count": n}
	for k, v := range data {
		d[k] = v
	}
	s, err := t.localizer(lang).Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: d, PluralCount: n})
	if err != nil {
		return id
	}
	return s
}
