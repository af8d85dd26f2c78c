package teamsbot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"copbot/storage"
)

// CommunityStore keeps each tenant's community conversation: the first
// team the app is installed in there. *storage.DB implements it.
// It also records each tenant's copy of a keyed post (see tenantposts.go).
type CommunityStore interface {
	LearnTeamsCommunity(ctx context.Context, c storage.TeamsCommunity) (storage.TeamsCommunity, bool, error)
	TeamsCommunities(ctx context.Context) ([]storage.TeamsCommunity, error)
	TeamsPosts(ctx context.Context, key string) (map[string]storage.TeamsPost, error)
	BeginTeamsPost(ctx context.Context, key, tenant string) error
	RecordTeamsPost(ctx context.Context, key, tenant, conversation, messageID string) error
	TeamsPostCopies(ctx context.Context, conversation, messageID string) (map[string]storage.TeamsPost, error)
}

// loadCommunities reads the community conversations learned before a
// restart.
func (a *Adapter) loadCommunities() error {
	if a.cfg.Communities == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cs, err := a.cfg.Communities.TeamsCommunities(ctx)
	if err != nil {
		return fmt.Errorf("teams: reading the community conversations: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, c := range cs {
		a.comms[c.TenantID] = convRef{ServiceURL: c.ServiceURL, ChannelID: c.ChannelID, TenantID: c.TenantID}
	}
	return nil
}

// learned returns tenant's community conversation, if one was learned.
func (a *Adapter) learned(tenant string) convRef {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.comms[strings.ToLower(tenant)]
}

// onConversationUpdate learns a tenant's community conversation when the
// bot is added to a team there: the first team of each served tenant
// (tenant_id or allowed_tenants; authenticate has refused the others), so
// that an install by an organization not listed cannot divert community
// posts, and a second team of the same tenant does not replace the first.
// Nothing is learned when no tenant is configured.
func (a *Adapter) onConversationUpdate(ctx context.Context, act *activity) {
	if act.ChannelData.Team == nil || !act.botAdded() {
		return
	}
	ref := convRef{ServiceURL: act.ServiceURL, ChannelID: act.ChannelData.Team.ID, TenantID: act.tenant()}
	if act.ChannelData.Channel != nil && act.ChannelData.Channel.ID != "" {
		ref.ChannelID = act.ChannelData.Channel.ID
	}
	switch {
	case a.cfg.TenantID == "":
		a.log.Warn("bot added to a team but neither allowed_tenants nor tenant_id is set, so it is not used as "+
			"the community channel; if this is the community team, put these in [teams]",
			"tenant_id", ref.TenantID, "service_url", ref.ServiceURL, "channel_id", ref.ChannelID)
	case ref.TenantID == "" || !a.cfg.allows(ref.TenantID): // authenticate refuses these; kept as a guard
		a.log.Warn("bot added to a team of a tenant not served; ignored", "tenant_id", ref.TenantID)
	default:
		a.learn(ctx, ref)
	}
}

// learn records ref as its tenant's community conversation unless the
// tenant has one already: the store decides when there is one (the first
// install wins across processes and restarts), else memory.
func (a *Adapter) learn(ctx context.Context, ref convRef) {
	tenant := strings.ToLower(ref.TenantID)
	kept := ref
	if s := a.cfg.Communities; s != nil {
		done := a.limit.Turn(ctx) // database work waits its turn like a command
		c, _, err := s.LearnTeamsCommunity(ctx, storage.TeamsCommunity{TenantID: tenant,
			ServiceURL: ref.ServiceURL, ChannelID: ref.ChannelID})
		done()
		if err != nil {
			a.log.Error("community conversation not recorded; add the bot to the team again",
				"tenant_id", ref.TenantID, "channel_id", ref.ChannelID, "err", err)
			return
		}
		kept = convRef{ServiceURL: c.ServiceURL, ChannelID: c.ChannelID, TenantID: c.TenantID}
	}
	a.mu.Lock()
	if known, ok := a.comms[tenant]; ok && a.cfg.Communities == nil {
		kept = known
	}
	a.comms[tenant] = kept
	a.mu.Unlock()
	if kept.ChannelID != ref.ChannelID {
		a.log.Warn("bot added to another team of a tenant that has a community conversation; "+
			"community posts still go to the first", "tenant_id", ref.TenantID,
			"channel_id", ref.ChannelID, "community_channel_id", kept.ChannelID)
		return
	}
	a.log.Info("bot added to a team: community conversation of its tenant",
		"service_url", ref.ServiceURL, "channel_id", ref.ChannelID, "tenant_id", ref.TenantID)
}
