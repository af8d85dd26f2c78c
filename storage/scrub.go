package storage

import (
	"database/sql"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// scrubSkipped are the tables scrub leaves alone: members (a namesake's
// name is theirs; the forgotten person's row is deleted before),
// organizations and organization_names (names of departments and cities,
// not of people) and
// storage's own bookkeeping.
var scrubSkipped = map[string]bool{"members": true, "organizations": true, "organization_names": true,
	"schema_migrations": true,
	"directory_version": true, "meeting_version": true, "counters": true, "health_probe": true, "meta": true}

// textTable is a table's text columns and how to address one of its rows.
type textTable struct {
	name  string
	rowid bool     // addressed by rowid; else by keys (WITHOUT ROWID)
	keys  []string // primary key columns, in key order
	texts []string // columns of TEXT affinity, generated ones aside
}

// textTables lists the tables scrub reads, with their text columns.
func (t *tx) textTables() ([]textTable, error) {
	var out []textTable
	rows, err := t.QueryContext(t.ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			rows.Close()
			return nil, err
		}
		if !scrubSkipped[name] {
			out = append(out, textTable{name: name, rowid: !strings.Contains(strings.ToUpper(create), "WITHOUT ROWID")})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := t.tableColumns(&out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *tx) tableColumns(tb *textTable) error {
	rows, err := t.QueryContext(t.ctx, "SELECT name, type, pk, hidden FROM pragma_table_xinfo(?) ORDER BY pk, cid", tb.name)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name, typ string
		var pk, hidden int
		if err := rows.Scan(&name, &typ, &pk, &hidden); err != nil {
			return err
		}
		if pk > 0 {
			tb.keys = append(tb.keys, name)
		}
		// SQLite's affinity rules: a declared type with CHAR, CLOB or
		// TEXT holds text.
		up := strings.ToUpper(typ)
		if hidden == 0 && (strings.Contains(up, "CHAR") || strings.Contains(up, "CLOB") || strings.Contains(up, "TEXT")) {
			tb.texts = append(tb.texts, name)
		}
	}
	return rows.Err()
}

// scrubTable erases m's words in tb's text columns.
func (t *tx) scrubTable(tb textTable, m *wordEraser) error {
	if len(tb.texts) == 0 {
		return nil
	}
	keys := tb.keys
	if tb.rowid {
		keys = []string{"rowid"}
	}
	rows, err := t.QueryContext(t.ctx, "SELECT "+quoteList(keys)+", "+quoteList(tb.texts)+` FROM "`+tb.name+`"`)
	if err != nil {
		return err
	}
	type change struct {
		key    []any
		values []any
		delete bool
	}
	var changes []change
	for rows.Next() {
		key := make([]any, len(keys))
		texts := make([]sql.NullString, len(tb.texts))
		dest := make([]any, 0, len(keys)+len(texts))
		for i := range key {
			dest = append(dest, &key[i])
		}
		for i := range texts {
			dest = append(dest, &texts[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return err
		}
		c := change{key: key}
		changed := false
		for i, s := range texts {
			v, ok := m.erase(s.String)
			changed = changed || (s.Valid && ok)
			c.delete = c.delete || (s.Valid && ok && !tb.rowid && slices.Contains(tb.keys, tb.texts[i]))
			if s.Valid {
				c.values = append(c.values, v)
			} else {
				c.values = append(c.values, nil)
			}
		}
		if changed {
			changes = append(changes, c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	where := quoteList(keys, " = ? AND ") + " = ?"
	for _, c := range changes {
		q := `DELETE FROM "` + tb.name + `" WHERE ` + where
		args := c.key
		if !c.delete {
			q = `UPDATE "` + tb.name + `" SET ` + quoteList(tb.texts, " = ?, ") + " = ? WHERE " + where
			args = append(append([]any{}, c.values...), c.key...)
		}
		if _, err := t.ExecContext(t.ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// quoteList quotes names as SQL identifiers joined by sep (", " if none).
func quoteList(names []string, sep ...string) string {
	s := ", "
	if len(sep) > 0 {
		s = sep[0]
	}
	return `"` + strings.Join(names, `"`+s+`"`) + `"`
}

// wordEraser replaces whole-word occurrences of some words, in any case,
// by erased.
type wordEraser struct{ res []*regexp.Regexp }

func newWordEraser(words []string) *wordEraser {
	e := &wordEraser{}
	for _, w := range words {
		e.res = append(e.res, regexp.MustCompile("(?i)"+regexp.QuoteMeta(w)))
	}
	return e
}

// erase returns s with the words erased, and whether it changed.
func (e *wordEraser) erase(s string) (string, bool) {
	changed := false
	for _, re := range e.res {
		locs := re.FindAllStringIndex(s, -1)
		if locs == nil {
			continue
		}
		var b strings.Builder
		last := 0
		for _, l := range locs {
			if !wordBoundary(s, l[0], l[1]) {
				continue
			}
			b.WriteString(s[last:l[0]])
			b.WriteString(erased)
			last, changed = l[1], true
		}
		b.WriteString(s[last:])
		s = b.String()
	}
	return s, changed
}

// wordBoundary reports whether s[i:j] is a whole word: no letter, digit or
// underscore touches it.
func wordBoundary(s string, i, j int) bool {
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }
	if r, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && word(r) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(s[j:]); j < len(s) && word(r) {
		return false
	}
	return true
}
