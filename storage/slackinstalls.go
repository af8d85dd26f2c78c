package storage

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Audited changes of Slack installs; the installer or Slack's own event is
// the actor, not a coordinator.
const (
	AuditSlackInstall   AuditAction = "slack.install"   // SaveSlackInstallation
	AuditSlackUninstall AuditAction = "slack.uninstall" // RemoveSlackInstallation
	AuditSlackChannel   AuditAction = "slack.channel"   // SetSlackChannel
)

// SlackInstallation is copbot installed in one Slack workspace through
// OAuth: who installed it, what it may do there, its bot token and the
// workspace's community channel.
type SlackInstallation struct {
	TeamID       string // T…
	EnterpriseID string // E… for a workspace of an Enterprise Grid org, else ""
	TeamName     string
	AppID        string
	BotUserID    string
	Scopes       []string
	Installer    string // the Slack user id who installed the app
	ChannelID    string // community channel: picked at install (incoming-webhook) or set later; "" if none
	Token        string // xoxb-…; stored sealed (see TokenKey)
	InstalledAt  time.Time
}

// TokenKey seals bot tokens at rest with AES-256-GCM, the team id as
// additional data: the database file alone holds no token, and a sealed
// token copied to another workspace's row does not open.
type TokenKey struct{ aead cipher.AEAD }

// ParseTokenKey reads a key written in standard base64, 32 bytes once
// decoded (`openssl rand -base64 32`).
func ParseTokenKey(b64 string) (*TokenKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil || len(raw) != 32 {
		return nil, errors.New("the Slack token key must be 32 random bytes in base64, e.g. the output of `openssl rand -base64 32`")
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &TokenKey{aead: aead}, nil
}

// ErrTokenKey means a stored token did not open: the key is not the one it
// was sealed with, or the row was altered.
var ErrTokenKey = errors.New("the stored Slack token does not open with this key (COPBOT_SLACK_TOKEN_KEY changed, or the row was altered): " +
	"set the key the tokens were sealed with, or install the app in the workspace again")

func tokenAD(team string) []byte { return []byte("copbot slack bot token\x00" + team) }

func (k *TokenKey) seal(team, token string) []byte {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce) // never fails (crypto/rand)
	return k.aead.Seal(nonce, nonce, []byte(token), tokenAD(team))
}

func (k *TokenKey) open(team string, sealed []byte) (string, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return "", fmt.Errorf("slack installation %s: %w", team, ErrTokenKey)
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], tokenAD(team))
	if err != nil {
		return "", fmt.Errorf("slack installation %s: %w", team, ErrTokenKey)
	}
	return string(plain), nil
}

// SaveSlackInstallation records an install in in.TeamID, or a reinstall:
// the new token, bot user and scopes replace the old, and the community
// channel is kept unless the install picked one. It is audited, the
// installer as actor. It returns the installation as stored.
func (d *DB) SaveSlackInstallation(ctx context.Context, k *TokenKey, in SlackInstallation) (SlackInstallation, error) {
	if k == nil {
		return in, errors.New("slack installation: no token key (COPBOT_SLACK_TOKEN_KEY)")
	}
	if in.TeamID == "" || in.BotUserID == "" || !strings.HasPrefix(in.Token, "xoxb-") {
		return in, errors.New("slack installation: a team id, a bot user and a bot token (xoxb-…) are required")
	}
	var out SlackInstallation
	err := d.write(ctx, func(t *tx) error {
		// Removed or sealed under an old key, a known row is replaced all the same.
		var before string
		err := t.queryRow(`SELECT channel_id FROM slack_installations WHERE team_id = ?`, in.TeamID).Scan(&before)
		known := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = t.exec(`INSERT INTO slack_installations (team_id, enterprise_id, team_name, app_id, bot_user_id,
				scopes, installer, channel_id, token, installed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id, team_name = excluded.team_name,
				app_id = excluded.app_id, bot_user_id = excluded.bot_user_id, scopes = excluded.scopes,
				installer = excluded.installer,
				channel_id = CASE WHEN excluded.channel_id <> '' THEN excluded.channel_id ELSE channel_id END,
				token = excluded.token, installed_at = excluded.installed_at, removed_at = NULL, removed_why = ''`,
			in.TeamID, in.EnterpriseID, in.TeamName, in.AppID, in.BotUserID, strings.Join(in.Scopes, ","),
			in.Installer, in.ChannelID, k.seal(in.TeamID, in.Token), formatTime(d.now()))
		if err != nil {
			return err
		}
		if out, _, err = t.slackInstallation(k, in.TeamID, false); err != nil {
			return err
		}
		detail := map[string]string{"team": in.TeamID, "channel": out.ChannelID, "reinstall": yesNo(known)}
		if in.EnterpriseID != "" {
			detail["enterprise"] = in.EnterpriseID
		}
		if known && before != out.ChannelID {
			detail["previous_channel"] = before
		}
		return t.audit(&AuditEntry{Actor: Identity{Platform: PlatformSlack, ID: in.Installer},
			Action: AuditSlackInstall, Target: "slack:" + in.TeamID, Detail: detail})
	})
	return out, err
}

// RemoveSlackInstallation drops team's token after Slack said the app was
// uninstalled there or its tokens revoked (why: the event's type). The row
// stays, without a token, so that a reinstall keeps the community channel.
// It reports whether an installed workspace was removed; removing one
// already removed, or unknown, changes nothing and is not audited.
func (d *DB) RemoveSlackInstallation(ctx context.Context, team, why string) (bool, error) {
	var removed bool
	err := d.write(ctx, func(t *tx) error {
		var err error
		removed, err = t.exec1(`UPDATE slack_installations SET token = NULL, removed_at = ?, removed_why = ?
			WHERE team_id = ? AND token IS NOT NULL`, formatTime(d.now()), why, team)
		if err != nil || !removed {
			return err
		}
		return t.audit(&AuditEntry{Action: AuditSlackUninstall, Target: "slack:" + team,
			Detail: map[string]string{"team": team, "why": why}})
	})
	return removed, err
}

// SetSlackChannel makes channel the community channel of the installed
// workspace team. It is audited (ctx's actor). An unknown or removed
// workspace is ErrNotFound.
func (d *DB) SetSlackChannel(ctx context.Context, team, channel string) error {
	if channel == "" {
		return errors.New("slack channel: a channel id is required")
	}
	return d.write(ctx, func(t *tx) error {
		ok, err := t.exec1(`UPDATE slack_installations SET channel_id = ? WHERE team_id = ? AND token IS NOT NULL`, channel, team)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		return t.audit(&AuditEntry{Action: AuditSlackChannel, Target: "slack:" + team,
			Detail: map[string]string{"team": team, "channel": channel}})
	})
}

// SlackInstallations returns the workspaces copbot is installed in (not
// removed), oldest install first, their tokens opened with k. A token that
// does not open fails the whole call with ErrTokenKey: a wrong key must be
// noticed at start, not workspace by workspace.
func (d *DB) SlackInstallations(ctx context.Context, k *TokenKey) ([]SlackInstallation, error) {
	var out []SlackInstallation
	err := d.read(ctx, func(t *tx) error {
		return t.each(`SELECT `+slackInstallColumns+` FROM slack_installations WHERE token IS NOT NULL
			ORDER BY installed_at, team_id`, func(rows *sql.Rows) error {
			in, err := scanSlackInstallation(rows, k)
			out = append(out, in)
			return err
		})
	})
	return out, err
}

// SlackInstallation returns team's installation; ok is false when copbot
// is not installed there (never, or removed since).
func (d *DB) SlackInstallation(ctx context.Context, k *TokenKey, team string) (in SlackInstallation, ok bool, err error) {
	err = d.read(ctx, func(t *tx) error {
		in, ok, err = t.slackInstallation(k, team, true)
		return err
	})
	return in, ok, err
}

const slackInstallColumns = `team_id, enterprise_id, team_name, app_id, bot_user_id, scopes, installer, channel_id,
	token, installed_at`

// slackInstallation reads team's installed row; with optional, no row is
// ok=false rather than an error.
func (t *tx) slackInstallation(k *TokenKey, team string, optional bool) (SlackInstallation, bool, error) {
	in, err := scanSlackInstallation(t.queryRow(`SELECT `+slackInstallColumns+`
		FROM slack_installations WHERE team_id = ? AND token IS NOT NULL`, team), k)
	if optional && errors.Is(err, sql.ErrNoRows) {
		return in, false, nil
	}
	return in, err == nil, err
}

func scanSlackInstallation(r interface{ Scan(...any) error }, k *TokenKey) (SlackInstallation, error) {
	var (
		in     SlackInstallation
		scopes string
		sealed []byte
		at     sql.NullString
	)
	if err := r.Scan(&in.TeamID, &in.EnterpriseID, &in.TeamName, &in.AppID, &in.BotUserID, &scopes,
		&in.Installer, &in.ChannelID, &sealed, &at); err != nil {
		return in, err
	}
	if scopes != "" {
		in.Scopes = strings.Split(scopes, ",")
	}
	var err error
	if in.InstalledAt, err = parseTime(at); err != nil {
		return in, err
	}
	if k == nil {
		return in, errors.New("slack installation: no token key (COPBOT_SLACK_TOKEN_KEY)")
	}
	in.Token, err = k.open(in.TeamID, sealed)
	return in, err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// SlackWorkspace is what an operator sees of an install: no token.
type SlackWorkspace struct {
	TeamID, EnterpriseID, TeamName string
	Installer, ChannelID           string
	InstalledAt                    time.Time
	RemovedAt                      time.Time // zero while installed
	RemovedWhy                     string    // app_uninstalled or tokens_revoked
}

// SlackWorkspaces lists every workspace copbot was installed in, removed
// ones too, oldest install first. It opens no token, so it needs no key.
func (d *DB) SlackWorkspaces(ctx context.Context) ([]SlackWorkspace, error) {
	var out []SlackWorkspace
	err := d.read(ctx, func(t *tx) error {
		return t.each(`SELECT team_id, enterprise_id, team_name, installer, channel_id, installed_at, removed_at, removed_why
			FROM slack_installations ORDER BY installed_at, team_id`, func(rows *sql.Rows) error {
			var w SlackWorkspace
			var at, removed sql.NullString
			if err := rows.Scan(&w.TeamID, &w.EnterpriseID, &w.TeamName, &w.Installer, &w.ChannelID, &at, &removed,
				&w.RemovedWhy); err != nil {
				return err
			}
			out = append(out, w)
			return parseTimes(parsed{&out[len(out)-1].InstalledAt, at}, parsed{&out[len(out)-1].RemovedAt, removed})
		})
	})
	return out, err
}
