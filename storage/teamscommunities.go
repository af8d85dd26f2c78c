package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
)

// TeamsCommunity is where proactive posts go in one Teams tenant: the
// conversation of the team the app was first installed in there.
type TeamsCommunity struct {
	TenantID   string // lower case
	ServiceURL string
	ChannelID  string
	LearnedAt  time.Time
}

// LearnTeamsCommunity records c as its tenant's community conversation
// unless the tenant has one already. It returns the tenant's community
// after the call and whether c became it.
func (d *DB) LearnTeamsCommunity(ctx context.Context, c TeamsCommunity) (TeamsCommunity, bool, error) {
	c.TenantID = strings.ToLower(c.TenantID)
	if c.TenantID == "" || c.ServiceURL == "" || c.ChannelID == "" {
		return TeamsCommunity{}, false, errors.New("teams community: tenant, service URL and channel are required")
	}
	var (
		got     TeamsCommunity
		learned bool
	)
	err := d.write(ctx, func(t *tx) error {
		var err error
		learned, err = t.exec1(`INSERT INTO teams_communities (tenant_id, service_url, channel_id, learned_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO NOTHING`,
			c.TenantID, c.ServiceURL, c.ChannelID, formatTime(d.now()))
		if err != nil {
			return err
		}
		got, err = t.teamsCommunity(c.TenantID)
		return err
	})
	return got, learned, err
}

// TeamsCommunities returns every tenant's community conversation, by
// tenant id.
func (d *DB) TeamsCommunities(ctx context.Context) ([]TeamsCommunity, error) {
	var out []TeamsCommunity
	err := d.read(ctx, func(t *tx) error {
		return t.each("SELECT tenant_id, service_url, channel_id, learned_at FROM teams_communities ORDER BY tenant_id",
			func(rows *sql.Rows) error {
				c, err := scanTeamsCommunity(rows)
				out = append(out, c)
				return err
			})
	})
	return out, err
}

func (t *tx) teamsCommunity(tenant string) (TeamsCommunity, error) {
	return scanTeamsCommunity(t.queryRow(`SELECT tenant_id, service_url, channel_id, learned_at
		FROM teams_communities WHERE tenant_id = ?`, tenant))
}

func scanTeamsCommunity(r interface{ Scan(...any) error }) (TeamsCommunity, error) {
	var c TeamsCommunity
	var at sql.NullString
	if err := r.Scan(&c.TenantID, &c.ServiceURL, &c.ChannelID, &at); err != nil {
		return c, err
	}
	var err error
	c.LearnedAt, err = parseTime(at)
	return c, err
}
