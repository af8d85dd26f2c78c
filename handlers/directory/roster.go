package directory

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"strings"
	"unicode/utf8"

	"copbot/handlers"
	"copbot/storage"
)

// Roster CSV files (import and export).
//
// Import accepts UTF-8 with or without a byte-order mark, comma or
// semicolon separators (whichever the header line uses more of), CRLF or LF
// line ends, quoted cells, and header names in either language in any case
// and order. Required columns: name, organization, order, jurisdiction;
// optional: email, title, language (empty: a new member gets the community
// default and an existing member keeps theirs), slack_id, teams_id (each
// may list several accounts: rosterids.go). A column with an unknown
// header is ignored and named in the report's warnings, so that a
// coordinator's notes column does not block an import. Blank lines and rows
// of empty cells are skipped. A row identical to an earlier one is skipped
// with a warning; a row that is the same person as an earlier one (same
// email, any Slack or Teams id, or name and organization with its order and
// place) with different details is an error. Line numbers are the file's lines, header = line 1,
// which is what a spreadsheet shows unless a cell holds a line break.

// maxRosterBytes bounds a roster file: 100,000 members take about 15 MB.
const maxRosterBytes = 64 << 20

// rosterColumns are the canonical column names, in export order.
var rosterColumns = [...]string{"name", "email", "organization", "order", "jurisdiction", "title", "language", "slack_id", "teams_id"}

// rosterColumn maps a header cell (folded; "_", "-" and "/" read as spaces)
// to its column, in English or French.
func rosterColumn(h string) (string, bool) {
	switch strings.Join(strings.Fields(strings.NewReplacer("_", " ", "-", " ", "/", " ").Replace(handlers.Fold(h))), " ") {
	case "name", "nom", "full name", "nom complet", "display name":
		return "name", true
	case "email", "e mail", "courriel", "adresse courriel", "mail", "adresse electronique":
		return "email", true
	case "organization", "organisation", "org", "organisme", "department", "ministere", "ministry":
		return "organization", true
	case "order", "ordre", "level", "niveau", "order of government", "ordre de gouvernement", "palier":
		return "order", true
	case "jurisdiction", "juridiction", "province", "territory", "territoire", "province territory",
		"province or territory", "province ou territoire", "province territoire", "where", "lieu":
		return "jurisdiction", true
	case "title", "titre", "role", "poste", "fonction", "job title":
		return "title", true
	case "language", "langue", "lang", "preferred language", "langue preferee":
		return "language", true
	case "slack id", "slack", "identifiant slack", "slack user id":
		return "slack_id", true
	case "teams id", "teams", "identifiant teams", "teams user id":
		return "teams_id", true
	}
	return "", false
}

// ImportReport says what ImportRoster did, or why it refused the file.
type ImportReport struct {
	Rows       int // data rows read, blank ones aside
	Created    int
	Updated    int
	Unchanged  int
	Duplicates int         // rows identical to an earlier row, skipped
	Identities int         // further accounts given to their members (rosterids.go)
	Errors     []LineError // when non-empty, nothing was written
	Warnings   []LineError
}

// LineError is one problem of a roster file. Message is translated in the
// import's language; Key and Args let Text translate it again.
type LineError struct {
	Line    int    // 1 is the header; 0 is the file as a whole
	Column  string // the column's header as written in the file; "" for the whole line
	Message string
	Key     string
	Args    map[string]any
}

// ErrRosterRejected is returned (wrapped in nothing) by ImportRoster when the
// file has errors; the report lists them.
var ErrRosterRejected = &storage.Error{Code: storage.EINVALID, Key: "roster_rejected",
	Message: "roster rejected: see the report's line errors"}

// Text renders the report in lang ("en" or "fr").
func (r ImportReport) Text(t *handlers.Translator, lang string) string {
	c := &call{Call: handlers.TextCall(t, lang)}
	var lines []string
	if len(r.Errors) > 0 {
		lines = append(lines, c.N("roster_errors", len(r.Errors), nil))
	} else {
		lines = append(lines, c.T("roster_summary", map[string]any{"Rows": r.Rows, "Created": r.Created,
			"Updated": r.Updated, "Unchanged": r.Unchanged, "Duplicates": r.Duplicates}))
		if r.Identities > 0 {
			lines = append(lines, c.N("roster_summary_accounts", r.Identities, map[string]any{"Num": c.Num(r.Identities)}))
		}
	}
	for _, e := range append(append([]LineError{}, r.Errors...), r.Warnings...) {
		lines = append(lines, "• "+c.lineText(e))
	}
	return strings.Join(lines, "\n")
}

// lineText translates one problem, prefixed by its line when it has one.
func (c *call) lineText(e LineError) string {
	args := e.Args
	if codes, ok := args["Codes"].([]string); ok {
		args = c.suggestionArgs(args, codes)
	}
	if o, ok := args["Suggestion"].(*storage.Organization); ok { // org_suggest: named in the reader's language
		args = maps.Clone(args)
		args["Name"] = o.Label(c.Lang)
	}
	msg := c.T(e.Key, args)
	switch {
	case e.Line == 0:
		return msg
	case e.Column != "":
		return c.T("roster_line_column", map[string]any{"Line": e.Line, "Column": e.Column, "Message": handlers.AfterColon(c.Lang, msg)})
	}
	return c.T("roster_line", map[string]any{"Line": e.Line, "Message": handlers.AfterColon(c.Lang, msg)})
}

// suggestionArgs adds the suggested jurisdictions' names in c's language.
func (c *call) suggestionArgs(args map[string]any, codes []string) map[string]any {
	names := make([]string, len(codes))
	for i, code := range codes {
		names[i] = c.Place(code, handlers.PlaceThe)
	}
	out := map[string]any{"Suggestions": strings.Join(names, c.T("list_or", nil)), "CodeList": strings.Join(codes, c.T("list_or", nil))}
	for k, v := range args {
		out[k] = v
	}
	return out
}

// rosterImport is one import in progress.
type rosterImport struct {
	c       *call
	rep     ImportReport
	cols    map[string]int // column to cell index
	headers []string       // header cells as written
	width   int            // header cells
	rows    []storage.MemberInput
	more    [][]storage.Identity // more[i] are rows[i]'s further accounts
	lines   []int                // lines[i] is the file line of rows[i]
	seen    map[personKey]int    // person key to the line that had it
	kept    map[int]rosterRow    // rows kept, by line
	// places remembers good (order, jurisdiction) cells: a roster repeats
	// a few dozen of them over thousands of rows.
	places map[[2]string]rosterPlace
}

type rosterPlace struct {
	order storage.Order
	code  string
}

func (im *rosterImport) problem(line int, key string, args map[string]any) {
	im.problemAt(line, "", key, args)
}

// problemAt reports a problem of one cell: col is a rosterColumns name,
// shown as the file's header for it.
func (im *rosterImport) problemAt(line int, col, key string, args map[string]any) {
	e := LineError{Line: line, Column: im.headerOf(col), Key: key, Args: args}
	e.Message = im.c.lineText(e)
	im.rep.Errors = append(im.rep.Errors, e)
}

// headerOf is the file's header cell for column col, or col itself.
func (im *rosterImport) headerOf(col string) string {
	if i, ok := im.cols[col]; ok && i < len(im.headers) {
		if h := strings.TrimSpace(im.headers[i]); h != "" {
			return h
		}
	}
	return col
}

func (im *rosterImport) warn(line int, key string, args map[string]any) {
	e := LineError{Line: line, Key: key, Args: args}
	e.Message = im.c.lineText(e)
	im.rep.Warnings = append(im.rep.Warnings, e)
}

// ImportRoster reads a roster CSV and upserts its members in one
// transaction: all or nothing. Every problem is listed in the report with
// its line and translated in lang; the error is then ErrRosterRejected and
// the database is untouched. Re-importing the same file changes nothing
// (the report counts the rows Unchanged).
func (s *Feature) ImportRoster(ctx context.Context, r io.Reader, lang string) (ImportReport, error) {
	return s.ImportRosterWith(ctx, r, lang, false)
}

// ImportRosterWith is ImportRoster; newOrgs takes every organization the
// registry does not know exactly as a new pending entry, even one close to
// a confirmed entry's spelling, which ImportRoster refuses with a
// suggestion (`copbot import members -new-orgs`).
func (s *Feature) ImportRosterWith(ctx context.Context, r io.Reader, lang string, newOrgs bool) (ImportReport, error) {
	if lang != "fr" {
		lang = "en"
	}
	im := &rosterImport{c: s.langCall(lang), seen: map[personKey]int{},
		kept: map[int]rosterRow{}, places: map[[2]string]rosterPlace{}}
	data, err := io.ReadAll(io.LimitReader(r, maxRosterBytes+1))
	if err != nil {
		return im.rep, err
	}
	if im.parse(data); len(im.rep.Errors) > 0 {
		return im.rep, ErrRosterRejected
	}
	res, err := s.store.ImportMembersWith(ctx, im.rows, storage.ImportOptions{Language: s.opts.DefaultLanguage,
		NewOrganizations: newOrgs, Identities: im.more})
	if err != nil {
		return im.rep, im.storageError(err)
	}
	im.rep.Created, im.rep.Updated, im.rep.Unchanged, im.rep.Identities = res.Created, res.Updated, res.Unchanged, res.Identities
	s.svc.MembershipChanged(nil)
	return im.rep, nil
}

// storageError turns a row error from ImportMembers into a line error.
func (im *rosterImport) storageError(err error) error {
	var e *storage.Error
	if !errors.As(err, &e) || e.Code == storage.EINTERNAL {
		return err
	}
	line := 0
	if row, ok := e.Args["Row"].(int); ok && row >= 0 && row < len(im.lines) {
		line = im.lines[row]
	}
	args := e.Args
	if other, ok := e.Args["OtherRow"].(int); ok && other >= 0 && other < len(im.lines) {
		args = map[string]any{"Other": im.lines[other]}
	}
	im.problemAt(line, columnOf(e), e.Key, args)
	return ErrRosterRejected
}

// parse reads the whole file, collecting rows and problems.
func (im *rosterImport) parse(data []byte) {
	if len(data) > maxRosterBytes {
		im.problem(0, "roster_too_big", map[string]any{"Max": maxRosterBytes >> 20})
		return
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		line, char := firstInvalidByte(data)
		im.problem(line, "roster_not_utf8_at", map[string]any{"Position": char})
		return
	}
	rd := csv.NewReader(bytes.NewReader(data))
	rd.Comma = sniffSeparator(data)
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err == io.EOF {
		im.problem(0, "roster_empty", nil)
		return
	}
	if err != nil || !im.header(header) {
		im.csvError(err)
		return
	}
	im.records(rd)
}

// records reads the data rows after the header.
func (im *rosterImport) records(rd *csv.Reader) {
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			im.csvError(err)
			return
		}
		line, _ := rd.FieldPos(0)
		im.record(line, rec)
	}
	if im.rep.Rows == 0 {
		im.problem(0, "roster_no_rows", nil)
	}
}

// csvError reports a malformed file (a stray quote) at its line.
func (im *rosterImport) csvError(err error) {
	var pe *csv.ParseError
	switch {
	case err == nil:
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine > 0 && pe.StartLine != pe.Line:
		// A quote left open swallows the lines after it: the mistake is
		// where the cell began, not where the file ran out.
		im.problem(pe.StartLine, "roster_unclosed_quote", nil)
	case errors.As(err, &pe):
		im.problem(pe.Line, "roster_malformed", nil)
	default:
		im.problem(0, "roster_malformed", nil)
	}
}

// header maps the header cells to columns. It reports false (with
// problems) if a required column is missing or a column appears twice.
func (im *rosterImport) header(cells []string) bool {
	im.cols, im.width, im.headers = map[string]int{}, len(cells), cells
	for i, h := range cells {
		if strings.TrimSpace(h) == "" {
			continue
		}
		col, ok := rosterColumn(h)
		if !ok {
			im.warn(1, "roster_column_ignored", map[string]any{"Column": h})
			continue
		}
		if _, twice := im.cols[col]; twice {
			im.problem(1, "roster_column_twice", map[string]any{"Column": h})
		}
		im.cols[col] = i
	}
	for _, col := range []string{"name", "organization", "order", "jurisdiction"} {
		if _, ok := im.cols[col]; !ok {
			im.problem(1, "roster_column_missing", map[string]any{"Column": col})
		}
	}
	return len(im.rep.Errors) == 0
}

// sniffSeparator picks ';' when the header line has more semicolons than
// commas outside quotes (French spreadsheets), else ','.
func sniffSeparator(data []byte) rune {
	commas, semis, quoted := 0, 0, false
	for _, b := range data {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			if semis > commas {
				return ';'
			}
			return ','
		case b == ',':
			commas++
		case b == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

// firstInvalidByte is where data first breaks UTF-8: its line (from 1) and
// character in that line (from 1).
func firstInvalidByte(data []byte) (line, char int) {
	line = 1
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		char++
		if r == utf8.RuneError && size <= 1 {
			return line, char
		}
		if r == '\n' {
			line, char = line+1, 0
		}
		data = data[size:]
	}
	return 0, 0
}

// cell returns the value of column col in rec, trimmed, with the export's
// formula guard (a leading ' before = + - @ tab CR) removed.
func (im *rosterImport) cell(rec []string, col string) string {
	if i, ok := im.cols[col]; ok && i < len(rec) {
		return handlers.UnguardCell(strings.TrimSpace(rec[i]))
	}
	return ""
}

// record checks one data row and keeps it if it is good.
func (im *rosterImport) record(line int, rec []string) {
	if blankRecord(rec) {
		return
	}
	im.rep.Rows++
	row, ok := im.rowInput(line, rec)
	if !ok || im.duplicate(line, row) {
		return
	}
	im.rows, im.more = append(im.rows, row.in), append(im.more, row.more)
	im.lines = append(im.lines, line)
}

func blankRecord(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// rowInput converts a row; it reports every problem of the row.
func (im *rosterImport) rowInput(line int, rec []string) (rosterRow, bool) {
	before := len(im.rep.Errors)
	in := storage.MemberInput{Name: im.cell(rec, "name"), Email: im.cell(rec, "email"),
		Organization: im.cell(rec, "organization"), Title: im.cell(rec, "title")}
	more := im.accounts(rec, &in)
	in.Order, in.Jurisdiction = im.place(line, im.cell(rec, "order"), im.cell(rec, "jurisdiction"))
	in.Language = im.language(line, im.cell(rec, "language"))
	if in.Name == "" {
		im.problemAt(line, "name", "error_name_required", nil)
	}
	if in.Organization == "" {
		im.problemAt(line, "organization", "error_organization_required", nil)
	}
	if len(rec) > im.width && !blankRecord(rec[im.width:]) {
		im.problem(line, "roster_extra_cells", map[string]any{"Count": len(rec), "Max": im.width})
	}
	if len(im.rep.Errors) == before {
		if err := storage.ValidateMember(in); err != nil {
			var e *storage.Error
			if errors.As(err, &e) {
				im.problemAt(line, columnOf(e), e.Key, e.Args)
			}
		}
		im.checkAccounts(line, more)
	}
	return rosterRow{in, more}, len(im.rep.Errors) == before
}

// place parses the order and jurisdiction cells. Federal members may leave
// the jurisdiction empty or write federal/CA/Canada; a jurisdiction of
// federal with no order means the federal order.
func (im *rosterImport) place(line int, order, where string) (storage.Order, string) {
	key := [2]string{order, where}
	if p, ok := im.places[key]; ok {
		return p.order, p.code
	}
	before := len(im.rep.Errors)
	o, code := im.parsePlace(line, order, where)
	if len(im.rep.Errors) == before {
		im.places[key] = rosterPlace{o, code}
	}
	return o, code
}

func (im *rosterImport) parsePlace(line int, order, where string) (storage.Order, string) {
	code := ""
	if where != "" {
		j, ok := MatchJurisdiction(where)
		if !ok {
			im.placeProblem(line, where)
		}
		code = j.Code
	}
	o, ok := MatchOrder(order)
	switch {
	case order == "" && code == storage.FederalCode:
		o = storage.OrderFederal
	case order == "":
		im.problemAt(line, "order", "error_order_required", nil)
	case !ok:
		im.problemAt(line, "order", "error_order_invalid", map[string]any{"Value": order})
	}
	return o, code
}

// columnOf is the column a validation error is about; "" if none.
func columnOf(e *storage.Error) string {
	switch e.Key {
	case "error_name_required", "error_claim_existing":
		return "name"
	case "error_organization_required", "org_suggest":
		return "organization"
	case "error_order_invalid", "error_order_required":
		return "order"
	case "error_jurisdiction_invalid", "error_federal_jurisdiction", "error_jurisdiction_required":
		return "jurisdiction"
	case "error_language_invalid":
		return "language"
	case "error_email_invalid", "error_namesake_ambiguous":
		return "email"
	case "error_too_long", "error_text_control", "error_text_utf8", "error_import_identity_held":
		f, _ := e.Args["Field"].(string)
		return f
	}
	return ""
}

func (im *rosterImport) placeProblem(line int, where string) {
	if js := AmbiguousJurisdictions(where); js != nil {
		var codes []string
		for _, j := range js {
			codes = append(codes, j.Code)
		}
		im.problemAt(line, "jurisdiction", "error_place_ambiguous", map[string]any{"Place": where, "Codes": codes})
		return
	}
	var codes []string
	for _, j := range SuggestJurisdictions(where) {
		codes = append(codes, j.Code)
	}
	if len(codes) == 0 {
		im.problemAt(line, "jurisdiction", "error_place_unknown", map[string]any{"Place": where, "Slash": im.c.s.opts.Command})
		return
	}
	im.problemAt(line, "jurisdiction", "error_place_suggest", map[string]any{"Place": where, "Codes": codes})
}

// language parses the language cell. Empty stays empty: storage keeps an
// existing member's saved language and gives new members the default.
func (im *rosterImport) language(line int, v string) string {
	errs := map[string]string{}
	lang := profileLanguage(im.c, v, errs)
	if _, bad := errs["language"]; bad {
		im.problemAt(line, "language", "error_language_invalid", map[string]any{"Value": v})
	}
	return lang
}

// personKey is one key under which two rows are the same person: the
// column it comes from ("" for name and organization) and its value.
type personKey struct {
	col, value string
}

// personKeys are the keys under which two rows are the same person: more
// are the row's further accounts.
func personKeys(in storage.MemberInput, more ...storage.Identity) []personKey {
	var keys []personKey
	if in.Email != "" {
		keys = append(keys, personKey{"email", strings.ToLower(in.Email)})
	}
	if in.SlackID != "" {
		keys = append(keys, personKey{"slack_id", in.SlackID})
	}
	if in.TeamsID != "" {
		keys = append(keys, personKey{"teams_id", in.TeamsID})
	}
	keys = append(keys, furtherKeys(more)...)
	if len(keys) == 0 {
		// The organization is one of its order and place, as in storage:
		// Org B in Ontario and Org B in Quebec are two.
		where := in.Jurisdiction
		if in.Order == storage.OrderFederal {
			where = storage.FederalCode
		}
		keys = append(keys, personKey{"", foldSpaces(in.Name) + "|" + foldSpaces(in.Organization) + "|" +
			string(in.Order) + "|" + where})
	}
	return keys
}

// foldSpaces folds case and accents and collapses white space.
func foldSpaces(s string) string { return strings.Join(strings.Fields(handlers.Fold(s)), " ") }

// duplicate reports whether the row repeats an earlier one. An identical
// repeat is skipped with a warning; a conflicting one is an error.
func (im *rosterImport) duplicate(line int, row rosterRow) bool {
	keys := personKeys(row.in, row.more...)
	for _, k := range keys {
		first, dup := im.seen[k]
		if !dup {
			continue
		}
		switch {
		case im.kept[first].same(row):
			im.rep.Duplicates++
			im.warn(line, "roster_duplicate_skipped", map[string]any{"Other": first})
		case k.col == "":
			im.problem(line, "roster_duplicate_conflict", map[string]any{"Other": first})
		default:
			// Name the shared cell: the rows may be one person written
			// twice or two people, one with a mistyped id.
			im.problemAt(line, k.col, "roster_"+k.col+"_taken", map[string]any{"Other": first, "Value": k.value})
		}
		return true
	}
	for _, k := range keys {
		im.seen[k] = line
	}
	im.kept[line] = row
	return false
}
