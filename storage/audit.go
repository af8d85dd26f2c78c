package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AuditAction names what a coordinator did, as the audit log stores it.
type AuditAction string

// Audited actions. The write methods named record theirs in their own
// transaction; the edge records the others with RecordAudit.
const (
	AuditRoleAdd         AuditAction = "role.add"          // AddCoordinator
	AuditRoleRemove      AuditAction = "role.remove"       // RemoveCoordinator
	AuditMemberLink      AuditAction = "member.link"       // LinkMember
	AuditMemberUpdate    AuditAction = "member.update"     // UpdateMember, by a coordinator for someone else
	AuditMemberLeave     AuditAction = "member.leave"      // LeaveMember, by a coordinator for someone else
	AuditMemberForget    AuditAction = "member.forget"     // ForgetMember
	AuditMembersImport   AuditAction = "members.import"    // ImportMembersWith
	AuditMembersExport   AuditAction = "members.export"    // ExportRoster
	AuditMembersPurge    AuditAction = "members.purge"     // PurgeFormerMembers
	AuditPollDelete      AuditAction = "poll.delete"       // DeletePoll
	AuditPollVotesExport AuditAction = "poll.votes_export" // ExportPollVotes
	AuditMeetingCancel   AuditAction = "meeting.cancel"    // CancelMeeting
	AuditReportLink      AuditAction = "report.link"       // the edge: a signed report link handed out
	AuditReportExport    AuditAction = "report.export"     // the edge: the report rendered to a file or page
	AuditPersonData      AuditAction = "member.data"       // PersonData, by a coordinator for someone else

	// The work of the secretariat, recorded when a coordinator (or the
	// command line) does it, not when copbot's own jobs do (auditWork).
	AuditMeetingAdd       AuditAction = "meeting.add"       // CreateMeeting(s), PlanMeetings: each meeting added
	AuditMeetingUpdate    AuditAction = "meeting.update"    // UpdateMeeting (edited or moved)
	AuditMeetingRecord    AuditAction = "meeting.record"    // RecordMeeting (notes, attendance, panelists)
	AuditPollCreate       AuditAction = "poll.create"       // CreatePoll
	AuditPollUpdate       AuditAction = "poll.update"       // UpdatePoll
	AuditPollOptionAdd    AuditAction = "poll.option_add"   // AddPollOption by the creator or a coordinator
	AuditPollClose        AuditAction = "poll.close"        // ClosePoll (not the job closing at the deadline)
	AuditPollReopen       AuditAction = "poll.reopen"       // ReopenPoll
	AuditChallengeAdd     AuditAction = "challenge.add"     // AddChallenge
	AuditChallengeUpdate  AuditAction = "challenge.update"  // UpdateChallenge
	AuditChallengeClose   AuditAction = "challenge.close"   // CloseChallenge
	AuditInvitationAdd    AuditAction = "invitation.add"    // AddInvitation (outreach)
	AuditInvitationUpdate AuditAction = "invitation.update" // UpdateInvitation (not the follow-up job's release)
	AuditDeliveryResolve  AuditAction = "delivery.resolve"  // ResolveDelivery: a post said seen, or to repost
	AuditActivityAdd      AuditAction = "activity.add"      // AddActivity (planned activities register)
	AuditActivityUpdate   AuditAction = "activity.update"   // UpdateActivity
	AuditActivityDone     AuditAction = "activity.done"     // FinishActivity
)

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID          int64
	At          time.Time
	Actor       Identity // zero: the system or the command line
	ActorName   string
	Coordinator bool
	Action      AuditAction
	Target      string            // what was acted on: "poll:4", "slack:U9", "member:17"…
	MemberID    int64             // the member the action is about, 0 if none (or forgotten since)
	Detail      map[string]string // small facts: counts, fields changed; never message text
}

// AuditFilter selects audit entries; zero fields do not filter. Entries
// come newest first.
type AuditFilter struct {
	Action   AuditAction
	Actor    *Identity
	MemberID int64
	From     time.Time // At >= From
	Before   time.Time // At < Before
	Offset   int
	Limit    int // 0: no limit
}

// RecordAudit appends e to the audit log, for the actions the edge takes
// without a storage write of their own (a report link handed out, a
// report exported) and before it hands out any data. The actor is ctx's
// (WithActor) unless e names one; At is now. It returns the entry stored.
// An empty or malformed Action is EINVALID audit_error_action.
func (d *DB) RecordAudit(ctx context.Context, e AuditEntry) (*AuditEntry, error) {
	if !validAction(e.Action) {
		return nil, Errorf(EINVALID, "audit_error_action", map[string]any{"Action": string(e.Action)},
			"audit action %q is not lower-case words joined by dots or underscores", e.Action)
	}
	err := d.write(ctx, func(t *tx) error { return t.audit(&e) })
	if err != nil {
		return nil, err
	}
	return &e, nil
}

func validAction(a AuditAction) bool {
	if a == "" || len(a) > 64 {
		return false
	}
	for _, r := range a {
		if !(r >= 'a' && r <= 'z' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// audit appends e in t, with t's actor when e has none and the time now.
func (t *tx) audit(e *AuditEntry) error {
	if e.Actor.IsZero() && e.ActorName == "" {
		if a, ok := ActorFrom(t.ctx); ok {
			e.Actor, e.ActorName, e.Coordinator = a.Identity, a.Name, a.Coordinator
		}
	}
	e.At = t.d.now()
	detail, err := json.Marshal(e.Detail)
	if err != nil {
		return err
	}
	if e.Detail == nil {
		detail = []byte("{}")
	}
	actor := ""
	if !e.Actor.IsZero() {
		actor = e.Actor.String()
	}
	res, err := t.exec(`INSERT INTO audit (at, actor, actor_name, coordinator, action, target, member_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, formatTime(e.At), actor, e.ActorName, e.Coordinator, string(e.Action),
		e.Target, nullIfZero(e.MemberID), string(detail))
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	e.ID, err = res.LastInsertId()
	return err
}

// auditForOther records action on member r only when a coordinator acts
// on someone else: a person changing their own profile is not a
// coordinator's action.
func (t *tx) auditForOther(action AuditAction, r *memberRow, detail map[string]string) error {
	a, ok := ActorFrom(t.ctx)
	if !ok || !a.Coordinator {
		return nil
	}
	if own, err := t.holdsIdentity(r.ID, a.Identity); err != nil || own {
		return err
	}
	return t.audit(&AuditEntry{Action: action, Target: memberTarget(r.ID), MemberID: r.ID, Detail: detail})
}

// auditWork records e when a coordinator, or the command line (an actor
// with a name and no platform identity), does the secretariat's work:
// the same write done by copbot's own jobs (no actor) or by a member for
// themselves (a poll's options they may add) is nobody's action to audit.
func (t *tx) auditWork(e *AuditEntry) error {
	a, ok := ActorFrom(t.ctx)
	if !ok || !(a.Coordinator || a.Identity.IsZero()) {
		return nil
	}
	return t.audit(e)
}

// memberTarget is the audit target of member id.
func memberTarget(id int64) string { return fmt.Sprintf("member:%d", id) }

// FindAudit returns the audit entries matching f, newest first.
func (d *DB) FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, error) {
	var conds []string
	var args []any
	add := func(cond string, arg any) { conds, args = append(conds, cond), append(args, arg) }
	if f.Action != "" {
		add("action = ?", string(f.Action))
	}
	if f.Actor != nil {
		add("actor = ?", f.Actor.String())
	}
	if f.MemberID != 0 {
		add("member_id = ?", f.MemberID)
	}
	if !f.From.IsZero() {
		add("at >= ?", formatTime(f.From))
	}
	if !f.Before.IsZero() {
		add("at < ?", formatTime(f.Before))
	}
	q := "SELECT id, at, actor, actor_name, coordinator, action, target, coalesce(member_id, 0), detail FROM audit"
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	var out []*AuditEntry
	err := d.read(ctx, func(t *tx) error {
		return t.each(q+" ORDER BY id DESC LIMIT ? OFFSET ?", func(rows *sql.Rows) error {
			e, err := scanAudit(rows)
			out = append(out, e)
			return err
		}, append(args, limit, max(f.Offset, 0))...)
	})
	return out, err
}

func scanAudit(rows *sql.Rows) (*AuditEntry, error) {
	var e AuditEntry
	var at sql.NullString
	var actor, action, detail string
	if err := rows.Scan(&e.ID, &at, &actor, &e.ActorName, &e.Coordinator, &action, &e.Target, &e.MemberID, &detail); err != nil {
		return nil, err
	}
	e.Action = AuditAction(action)
	if platform, id, ok := strings.Cut(actor, ":"); ok {
		e.Actor = Identity{Platform: Platform(platform), ID: id}
	}
	if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
		return nil, fmt.Errorf("audit %d detail: %w", e.ID, err)
	}
	var err error
	e.At, err = parseTime(at)
	return &e, err
}
