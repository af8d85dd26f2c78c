package teamsbot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// Looking a keyed post up in the Teams channel. The Bot Connector cannot
// read a channel back, but Microsoft Graph can: GET /teams/{team-id}/
// channels/{channel-id}/messages lists the channel's messages (the
// threads, newest first, 50 a page), each with its attachments, and an
// Adaptive Card attachment carries the card as sent. A keyed post stamps
// its key on the card (the id of its first element without one), so the
// look-up finds it by that string. It needs [teams] graph_team_id (the
// team's Entra group id) and a Graph permission to read the channel:
// ChannelMessage.Read.Group, granted by the team's owner with the app
// (resource-specific consent), or ChannelMessage.Read.All for the tenant.

// DefaultGraphURL is Microsoft Graph's v1.0 endpoint.
const DefaultGraphURL = "https://graph.microsoft.com/v1.0"

const (
	graphScope = "https://graph.microsoft.com/.default"
	// keyMarker prefixes the key stamped on a keyed post's card.
	keyMarker = "copbot-key:"
	// maxGraphPages bounds one look-up: 500 threads are far more than a
	// community channel receives between an attempt and its retry.
	maxGraphPages = 10
	graphPageSize = 50
)

// graph looks keyed posts up in the community channel.
type graph struct {
	conn    *connector // the token service and the HTTP client
	base    string     // DefaultGraphURL, or a test's fake
	team    string
	channel string
	tok     tokens
}

func newGraph(cfg Config, conn *connector) *graph {
	return &graph{conn: conn, base: strings.TrimRight(cfg.GraphURL, "/"), team: cfg.GraphTeamID,
		channel: cfg.ChannelID, tok: tokens{scope: graphScope}}
}

// graphMessage is the part of a Graph chatMessage the look-up reads.
type graphMessage struct {
	ID          string    `json:"id"`
	Created     time.Time `json:"createdDateTime"`
	Attachments []struct {
		ContentType string `json:"contentType"`
		Content     string `json:"content"`
	} `json:"attachments"`
}

type graphPage struct {
	Value []graphMessage `json:"value"`
	Next  string         `json:"@odata.nextLink"`
}

// find looks for the post carrying key among the channel's threads
// started at or after since (handlers.KeyedChannel's FindKeyed). A Graph
// that refuses for good (no permission, no such team or channel, a token
// the tenant will not issue) answers handlers.ErrNoLookup, with what to
// fix; a failure that may pass (throttling, an outage) is a plain error.
func (g *graph) find(ctx context.Context, key string, since time.Time) (handlers.MessageRef, bool, error) {
	want, _ := json.Marshal(keyMarker + key) // as it appears in the card's JSON, quotes included
	u := fmt.Sprintf("%s/teams/%s/channels/%s/messages?$top=%d", g.base, url.PathEscape(g.team),
		url.PathEscape(g.channel), graphPageSize)
	for page := 0; page < maxGraphPages && u != ""; page++ {
		var p graphPage
		if err := g.get(ctx, u, &p); err != nil {
			return handlers.MessageRef{}, false, err
		}
		older := 0
		for _, m := range p.Value {
			if m.Created.Before(since) {
				older++
				continue
			}
			if m.carries(string(want)) {
				return handlers.MessageRef{Platform: storage.PlatformTeams, Channel: g.channel + ";messageid=" + m.ID, ID: m.ID}, true, nil
			}
		}
		if older == len(p.Value) {
			break // a whole page from before the attempt: newer ones came first
		}
		if u = p.Next; u != "" && !g.sameHost(u) {
			return handlers.MessageRef{}, false, fmt.Errorf("microsoft graph: next page on another host: %s", u)
		}
	}
	return handlers.MessageRef{}, false, nil
}

// sameHost reports whether u is on Graph's host: the token goes nowhere
// else.
func (g *graph) sameHost(u string) bool {
	a, errA := url.Parse(u)
	b, errB := url.Parse(g.base)
	return errA == nil && errB == nil && a.Scheme == b.Scheme && a.Host == b.Host
}

// carries reports whether one of m's cards holds the quoted marker.
func (m *graphMessage) carries(quoted string) bool {
	for _, a := range m.Attachments {
		if a.ContentType == cardContentType && strings.Contains(a.Content, quoted) {
			return true
		}
	}
	return false
}

// get fetches one page with a Graph token, once more with a fresh token
// if Graph refused the cached one.
func (g *graph) get(ctx context.Context, u string, out any) error {
	for try := 0; ; try++ {
		tok, err := g.conn.tokenFor(ctx, &g.tok)
		if err != nil {
			return g.tokenRefusal(err)
		}
		err = g.send(ctx, u, tok, out)
		var ae *apiError
		if !errors.As(err, &ae) {
			return err
		}
		switch {
		case ae.Status == http.StatusUnauthorized && try == 0:
			g.tok.drop(tok)
			continue
		case ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden:
			return fmt.Errorf("%w: Microsoft Graph refused to list the channel's messages (HTTP %d): grant the app "+
				"ChannelMessage.Read.Group in the team (or ChannelMessage.Read.All)", handlers.ErrNoLookup, ae.Status)
		case ae.Status == http.StatusNotFound || ae.Status == http.StatusBadRequest:
			return fmt.Errorf("%w: Microsoft Graph has no channel %s in team %s (HTTP %d): check [teams] graph_team_id "+
				"and channel_id", handlers.ErrNoLookup, g.channel, g.team, ae.Status)
		}
		return fmt.Errorf("microsoft graph: %w", err)
	}
}

// tokenRefusal sorts a failure to get a Graph token: refused by the token
// service (no consent for Graph in the tenant) means no look-up at all.
func (g *graph) tokenRefusal(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests {
		return fmt.Errorf("%w: the token service refused a Microsoft Graph token (HTTP %d): consent to the app's "+
			"Graph permission in the tenant", handlers.ErrNoLookup, ae.Status)
	}
	return fmt.Errorf("microsoft graph token: %w", err)
}

func (g *graph) send(ctx context.Context, u, tok string, out any) error {
	ctx, cancel := context.WithTimeout(ctx, g.conn.callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return g.conn.send(req, out)
}

// stampKey writes key on card as the id of its first element without
// one, where find looks for it. Ids are not shown.
func stampKey(c *card, key string) {
	for _, e := range c.Body {
		if e.ID == "" {
			e.ID = keyMarker + key
			return
		}
	}
}
