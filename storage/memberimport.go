package storage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// ImportOptions tune ImportMembersWith.
type ImportOptions struct {
	// Language is given to new members whose row has no language ("" means
	// "en"). Existing members keep their saved language when their row has
	// none, so re-importing a roster never undoes a member's choice.
	Language string
	// NewOrganizations takes every organization no entry's spelling
	// matches exactly as a new pending entry, close ones included (no
	// org_suggest).
	NewOrganizations bool
	// Identities[i] are row i's further identities (when set, one entry
	// per row): accounts its member holds beside the row's SlackID,
	// TeamsID and ConsoleID, with no workspace. See ImportMembersWith.
	Identities [][]Identity
}

// ImportMembers is ImportMembersWith without options.
func (d *DB) ImportMembers(ctx context.Context, rows []MemberInput) (ImportResult, error) {
	return d.ImportMembersWith(ctx, rows, ImportOptions{})
}

// ImportMembersWith upserts every row in ONE transaction: all or nothing,
// the audit log's record of it (AuditMembersImport, with the counts)
// included.
// It is a coordinator's action, so a row is keyed by its platform ids,
// else its email, else its name and organization (folded), where a
// namesake with another platform id or email is another person; a row may
// thus attach platform ids to a member found by email or name. A row that
// fits several namesakes is refused (EINVALID error_namesake_ambiguous), so
// re-importing an export never updates another person than its own. Rows are
// applied in order, so a later row with the same key as an earlier one
// updates it; two rows naming one member by different emails or ids are
// refused (ECONFLICT error_import_same_member {OtherRow}), and a member
// that a row names by email or id is not another row's namesake. Re-importing the same rows changes nothing:
// they count as Unchanged and keep their updated_at. A failure is an *Error (EINVALID
// from validation, ECONFLICT error_identity_taken) whose Args carry "Row",
// the 0-based index of the offending row; nothing is then written.
// Validation runs over all rows before the database is touched.
//
// Further identities (opts.Identities, importidentities.go): a row's
// member gains those it does not hold yet, with no workspace (stamped by
// the person's first request, as the row's own ids are), and the row then
// counts as Updated (ImportResult.Identities counts them). They never
// designate the row's member (its own ids, email or name do, as above): a
// mistyped further id must not turn a row into another person's. An
// identity another member holds is ECONFLICT error_import_identity_held.
// An import never removes an identity, listed or not.
func (d *DB) ImportMembersWith(ctx context.Context, rows []MemberInput, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	newLang := strings.ToLower(strings.TrimSpace(opts.Language))
	if e := checkMemberLanguage(MemberInput{Language: newLang}); e != nil {
		return res, e
	}
	if len(rows) == 0 {
		return res, nil
	}
	norm := make([]MemberInput, len(rows))
	more := make([][]Identity, len(rows))
	for i, in := range rows {
		var err error
		if norm[i], err = normalizeMember(in); err == nil && i < len(opts.Identities) {
			norm[i], more[i], err = normalizeFurther(norm[i], opts.Identities[i])
		}
		if err != nil {
			return res, withRow(err, i)
		}
	}
	err := d.write(ctx, func(t *tx) error {
		restore, err := t.roomy()
		if err != nil {
			return err
		}
		defer restore()
		idx, err := t.loadMemIndex()
		if err != nil {
			return err
		}
		w := newMemberTx(t, idx)
		w.newLang, w.newOrgs = newLang, opts.NewOrganizations
		ids := &importIdentities{idx: idx}
		if err := w.reserve(norm); err != nil {
			return err
		}
		if w.batch, err = t.newInsertBatch(); err != nil {
			return err
		}
		for i, in := range norm {
			w.row = i
			r, oc, err := w.upsert(in)
			if err != nil {
				return withRow(err, i)
			}
			added, err := ids.add(r, more[i])
			if err != nil {
				return withRow(err, i)
			}
			if added > 0 && oc == outcomeUnchanged {
				oc = outcomeUpdated
			}
			res.count(oc)
			res.Identities += added
		}
		if err := w.batch.flush(w); err != nil {
			return err
		}
		if err := ids.insert(t, formatTime(w.now)); err != nil {
			return err
		}
		detail := map[string]string{"rows": fmt.Sprint(len(norm)), "created": fmt.Sprint(res.Created),
			"updated": fmt.Sprint(res.Updated), "unchanged": fmt.Sprint(res.Unchanged)}
		if res.Identities > 0 {
			detail["identities"] = fmt.Sprint(res.Identities)
		}
		return t.audit(&AuditEntry{Action: AuditMembersImport, Detail: detail})
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

func (r *ImportResult) count(oc outcome) {
	switch oc {
	case outcomeCreated:
		r.Created++
	case outcomeUpdated:
		r.Updated++
	default:
		r.Unchanged++
	}
}

// withRow adds the row index to a user-facing error; other errors are
// returned as they are.
func withRow(err error, row int) error { return withArg(err, "Row", row) }

type nameOrgKey struct {
	nameKey string
	orgID   int64
}

// memIndex is a memberIndex over every member, loaded once per import and
// kept current by record. Looking rows up in maps instead of SQLite is what
// lets a 100,000-row import run in seconds.
type memIndex struct {
	byIDs    map[int64]*memberRow
	platform [len(platformColumns)]map[string]*memberRow
	// more maps the identities members hold beside their first one on a
	// platform (identities.go) to the member's id, those this import adds
	// included (importIdentities.add).
	more    [len(platformColumns)]map[string]int64
	email   map[string]*memberRow
	nameOrg map[nameOrgKey][]*memberRow
}

func (t *tx) loadMemIndex() (*memIndex, error) {
	x := &memIndex{byIDs: map[int64]*memberRow{}, email: map[string]*memberRow{}, nameOrg: map[nameOrgKey][]*memberRow{}}
	for i := range x.platform {
		x.platform[i], x.more[i] = map[string]*memberRow{}, map[string]int64{}
	}
	err := t.each(memberSelect, func(rows *sql.Rows) error {
		r, err := scanMember(rows)
		if err == nil {
			x.record(nil, r)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	err = t.each(`SELECT i.platform, i.user_id, i.member_id FROM identities i JOIN members m ON m.id = i.member_id
		WHERE i.user_id IS NOT CASE i.platform WHEN 'slack' THEN m.slack_id WHEN 'teams' THEN m.teams_id ELSE m.console_id END`,
		func(rows *sql.Rows) error {
			var p Platform
			var id string
			var member int64
			err := rows.Scan(&p, &id, &member)
			if i, ok := platformIndex(p); ok && err == nil {
				x.more[i][id] = member
			}
			return err
		})
	return x, err
}

func (x *memIndex) byID(id int64) (*memberRow, error) { return x.byIDs[id], nil }

func (x *memIndex) byPlatform(i int, id string) (*memberRow, error) {
	if r, ok := x.platform[i][id]; ok {
		return r, nil
	}
	return x.byIDs[x.more[i][id]], nil
}

func (x *memIndex) byEmail(email string) (*memberRow, error) {
	return x.email[email], nil
}

func (x *memIndex) byNameOrg(nameKey string, orgID int64) ([]*memberRow, error) {
	return x.nameOrg[nameOrgKey{nameKey, orgID}], nil
}

// record replaces old's keys by r's.
func (x *memIndex) record(old, r *memberRow) {
	if old != nil {
		x.forget(old)
	}
	x.byIDs[r.ID] = r
	for i, id := range r.ids() {
		if id != "" {
			x.platform[i][id] = r
		}
	}
	if r.Email != "" {
		x.email[r.Email] = r
	}
	k := nameOrgKey{r.nameKey, r.orgID}
	x.nameOrg[k] = append(x.nameOrg[k], r)
	// Namesakes in id order, as sqlIndex returns them.
	slices.SortFunc(x.nameOrg[k], func(a, b *memberRow) int { return cmp.Compare(a.ID, b.ID) })
}

func (x *memIndex) forget(old *memberRow) {
	delete(x.byIDs, old.ID)
	for i, id := range old.ids() {
		if x.platform[i][id] == old {
			delete(x.platform[i], id)
		}
	}
	if x.email[old.Email] == old {
		delete(x.email, old.Email)
	}
	k := nameOrgKey{old.nameKey, old.orgID}
	x.nameOrg[k] = slices.DeleteFunc(x.nameOrg[k], func(r *memberRow) bool { return r.ID == old.ID })
	if len(x.nameOrg[k]) == 0 {
		delete(x.nameOrg, k)
	}
}

// insertBatchSize rows go in one INSERT statement (15 parameters each, far
// below SQLite's limit of 32,766).
const insertBatchSize = 256

// insertBatch inserts an import's new members many rows per statement.
// SQLite keeps a statement journal for every statement on members (its
// triggers could abort it halfway); one statement per batch instead of per
// row saves most of that copying. The batch assigns ids itself, which is
// safe because the import's transaction holds the database's write lock.
type insertBatch struct {
	nextID int64
	rows   []*memberRow
}

func (t *tx) newInsertBatch() (*insertBatch, error) {
	b := &insertBatch{rows: make([]*memberRow, 0, insertBatchSize)}
	// After the largest id ever used, not only the largest present:
	// members is AUTOINCREMENT (0027), and an id is never given twice.
	err := t.queryRow(`SELECT max(coalesce((SELECT max(id) FROM members), 0),
		coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'members'), 0)) + 1`).Scan(&b.nextID)
	return b, err
}

func (b *insertBatch) add(w *memberTx, r *memberRow) error {
	r.ID = b.nextID
	b.nextID++
	b.rows = append(b.rows, r)
	w.idx.record(nil, r)
	if len(b.rows) == insertBatchSize {
		return b.flush(w)
	}
	return nil
}

// flush inserts the pending rows. The index already vetted their keys, so
// a failure here is internal, not attributable to one input row.
func (b *insertBatch) flush(w *memberTx) error {
	n := len(b.rows)
	if n == 0 {
		return nil
	}
	query := memberInsert + strings.Repeat(memberInsertRow+", ", n-1) + memberInsertRow
	args := make([]any, 0, n*15)
	for _, r := range b.rows {
		args = insertArgs(args, r, r.ID)
	}
	b.rows = b.rows[:0]
	var err error
	if n == insertBatchSize {
		_, err = w.t.exec(query, args...)
	} else { // the last, partial batch: not worth keeping prepared
		_, err = w.t.ExecContext(w.t.ctx, query, args...)
	}
	if err != nil {
		return fmt.Errorf("insert %d members: %w", n, err)
	}
	return nil
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int
	Updated   int
	Unchanged int
	// Identities counts the further identities added (rows with some
	// count as Created or Updated).
	Identities int
}
