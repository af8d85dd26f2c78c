package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// InvitationStatus is where an invitation stands.
type InvitationStatus string

// Invitation statuses. An invitation is accepted by hand or when a member
// joins from its target (a database trigger, whoever writes the member).
const (
	InvitationPending  InvitationStatus = "pending"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationDeclined InvitationStatus = "declined"
)

// Valid reports whether s is a known status.
func (s InvitationStatus) Valid() bool {
	return s == InvitationPending || s == InvitationAccepted || s == InvitationDeclined
}

// MaxContact bounds the "who was contacted" text.
const MaxContact = 300

// Invitation is one outreach effort toward a jurisdiction (Target is its
// code) or an order of government (Target is the order, OrderTarget true).
type Invitation struct {
	ID          int64
	OrderTarget bool
	Target      string
	Contact     string
	SentOn      string // YYYY-MM-DD
	Status      InvitationStatus
	FollowUpAt  time.Time // zero: none
	RemindedAt  time.Time
	MemberID    int64 // the member whose joining accepted it, 0 if none
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// InvitationInput logs an invitation. SentOn is a date (YYYY-MM-DD).
type InvitationInput struct {
	OrderTarget bool
	Target      string
	Contact     string
	SentOn      string
	FollowUpAt  time.Time
	CreatedBy   string
}

// InvitationUpdate changes the non-nil fields; a changed follow-up is
// reminded again.
type InvitationUpdate struct {
	Status     *InvitationStatus
	FollowUpAt *time.Time // zero time clears it
	Contact    *string
}

const invitationColumns = `id, target_kind, target, contact, sent_on, status, follow_up_at, reminded_at,
	coalesce(member_id, 0), created_by, created_at, updated_at`

// AddInvitation logs a pending invitation.
func (d *DB) AddInvitation(ctx context.Context, in InvitationInput) (*Invitation, error) {
	if err := checkText("contact", in.Contact, textLine); err != nil {
		return nil, err
	}
	now := d.now()
	v := &Invitation{OrderTarget: in.OrderTarget, Target: in.Target, Contact: strings.TrimSpace(in.Contact),
		SentOn: in.SentOn, Status: InvitationPending, FollowUpAt: in.FollowUpAt.UTC().Truncate(time.Second),
		CreatedBy: in.CreatedBy, CreatedAt: now, UpdatedAt: now}
	if err := validateInvitation(v); err != nil {
		return nil, err
	}
	kind := "jurisdiction"
	if v.OrderTarget {
		kind = "order"
	}
	err := d.write(ctx, func(t *tx) error {
		res, err := t.exec(`INSERT INTO invitations (target_kind, target, contact, sent_on, status,
			follow_up_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?)`,
			kind, v.Target, v.Contact, v.SentOn, formatTime(v.FollowUpAt), v.CreatedBy, formatTime(now), formatTime(now))
		if err == nil {
			v.ID, err = res.LastInsertId()
		}
		if err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: AuditInvitationAdd, Target: invitationTarget(v.ID),
			Detail: map[string]string{"target": v.Target}})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

func validateInvitation(v *Invitation) error {
	if v.OrderTarget && !Order(v.Target).Valid() {
		return Errorf(EINVALID, "outreach_error_target", map[string]any{"Target": v.Target}, "bad order %q", v.Target)
	}
	if _, ok := JurisdictionByCode(v.Target); !v.OrderTarget && !ok {
		return Errorf(EINVALID, "outreach_error_target", map[string]any{"Target": v.Target}, "bad jurisdiction %q", v.Target)
	}
	if v.Contact == "" || utf8.RuneCountInString(v.Contact) > MaxContact {
		return Errorf(EINVALID, "outreach_error_contact", map[string]any{"Max": MaxContact}, "bad contact")
	}
	if _, err := time.Parse(time.DateOnly, v.SentOn); err != nil {
		return Errorf(EINVALID, "outreach_error_date", map[string]any{"Value": v.SentOn}, "bad date %q", v.SentOn)
	}
	if !v.Status.Valid() {
		return Errorf(EINVALID, "outreach_error_status", map[string]any{"Value": string(v.Status)}, "bad status")
	}
	return nil
}

// UpdateInvitation changes an invitation.
func (d *DB) UpdateInvitation(ctx context.Context, id int64, u InvitationUpdate) (*Invitation, error) {
	if err := checkText("contact", deref(u.Contact), textLine); err != nil {
		return nil, err
	}
	now := d.now()
	var v *Invitation
	err := d.write(ctx, func(t *tx) error {
		vs, err := t.queryInvitations("id = ?", id)
		if err != nil {
			return err
		}
		if len(vs) == 0 {
			return Errorf(ENOTFOUND, "outreach_error_not_found", map[string]any{"ID": id}, "invitation %d not found", id)
		}
		v = vs[0]
		applyInvitation(v, u)
		v.UpdatedAt = now
		if err := validateInvitation(v); err != nil {
			return err
		}
		_, err = t.exec(`UPDATE invitations SET contact = ?, status = ?, follow_up_at = ?, reminded_at = ?,
			updated_at = ? WHERE id = ?`, v.Contact, string(v.Status), formatTime(v.FollowUpAt), formatTime(v.RemindedAt),
			formatTime(now), id)
		if err != nil {
			return err
		}
		return t.auditWork(&AuditEntry{Action: AuditInvitationUpdate, Target: invitationTarget(id),
			Detail: map[string]string{"status": string(v.Status)}})
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// invitationTarget is the audit target of invitation id.
func invitationTarget(id int64) string { return fmt.Sprintf("invitation:%d", id) }

func applyInvitation(v *Invitation, u InvitationUpdate) {
	if u.Status != nil {
		v.Status = *u.Status
	}
	if u.Contact != nil {
		v.Contact = strings.TrimSpace(*u.Contact)
	}
	if u.FollowUpAt != nil {
		v.FollowUpAt, v.RemindedAt = u.FollowUpAt.UTC().Truncate(time.Second), time.Time{}
	}
}

// InvitationFilter selects invitations; zero fields do not filter.
type InvitationFilter struct {
	Status   InvitationStatus
	MemberID int64
	// DueReminder: pending, with a follow-up not yet reminded.
	DueReminder bool
}

// Invitations lists invitations matching f, oldest first.
func (d *DB) Invitations(ctx context.Context, f InvitationFilter) ([]*Invitation, error) {
	where, args := "1 = 1", []any{}
	if f.Status != "" {
		where, args = where+" AND status = ?", append(args, string(f.Status))
	}
	if f.MemberID != 0 {
		where, args = where+" AND member_id = ?", append(args, f.MemberID)
	}
	if f.DueReminder {
		where += " AND status = 'pending' AND reminded_at IS NULL AND follow_up_at IS NOT NULL"
	}
	var out []*Invitation
	err := d.read(ctx, func(t *tx) (err error) {
		out, err = t.queryInvitations(where, args...)
		return err
	})
	return out, err
}

// MarkInvitationReminded records that coordinators were reminded of the
// follow-up due at due. It reports false (and changes nothing) when the
// invitation is no longer pending, its follow-up moved or another process
// reminded it first, so a reminder goes out once.
func (d *DB) MarkInvitationReminded(ctx context.Context, id int64, due time.Time) (bool, error) {
	now := d.now()
	var marked bool
	err := d.write(ctx, func(t *tx) (err error) {
		marked, err = t.exec1(`UPDATE invitations SET reminded_at = ?, updated_at = ?
			WHERE id = ? AND status = 'pending' AND reminded_at IS NULL AND follow_up_at = ?`,
			formatTime(now), formatTime(now), id, formatTime(due))
		return err
	})
	return marked, err
}

// queryInvitations selects invitations; where is one of a few constant
// clauses.
func (t *tx) queryInvitations(where string, args ...any) ([]*Invitation, error) {
	var out []*Invitation
	err := t.each("SELECT "+invitationColumns+" FROM invitations WHERE "+where+" ORDER BY id", func(rows *sql.Rows) error {
		var v Invitation
		var kind string
		var follow, reminded, created, updated sql.NullString
		if err := rows.Scan(&v.ID, &kind, &v.Target, &v.Contact, &v.SentOn, &v.Status, &follow, &reminded,
			&v.MemberID, &v.CreatedBy, &created, &updated); err != nil {
			return err
		}
		v.OrderTarget = kind == "order"
		out = append(out, &v)
		return parseTimes(parsed{&v.FollowUpAt, follow}, parsed{&v.RemindedAt, reminded},
			parsed{&v.CreatedAt, created}, parsed{&v.UpdatedAt, updated})
	}, args...)
	return out, err
}
