// Package teamsbot connects copbot to Microsoft Teams through the Bot
// Framework: it authenticates the activities Teams sends to
// POST /teams/messages, turns them into handlers requests, renders replies
// as Adaptive Cards and posts them back through the Bot Connector REST API.
// There is no Bot Framework SDK for Go; this is plain net/http.
package teamsbot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"copbot/bot/internal/admission"
	"copbot/bot/internal/lifecycle"
	"copbot/bot/internal/once"
	"copbot/bot/internal/outbox"
	"copbot/handlers"
)

// Default Microsoft endpoints. Tests point Config at loopback fakes.
const (
	DefaultOpenIDURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	DefaultTokenURL  = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
)

// Config is the Teams part of copbot's configuration.
type Config struct {
	// AppID and AppPassword are the Azure Bot's Microsoft App ID and client
	// secret. Inbound tokens must be issued for AppID.
	AppID, AppPassword string
	// TenantID is the Entra tenant of the community team. When set, only
	// activities from that tenant are served (others get 403), it is sent
	// with proactive posts and, when TokenURL is empty, it selects the
	// single-tenant token endpoint. When unset, activities of any tenant are
	// answered but no team is learned as the community channel.
	TenantID string
	// AllowedTenants, when not empty, are the Entra tenants whose
	// activities are served (compared case-insensitively); others get 403
	// as with TenantID. TenantID, when set, must be one of them; when unset
	// it is the first of them. It stays the bot's home tenant: the token
	// endpoint, the tenant whose team becomes the community channel, Graph.
	AllowedTenants []string
	OpenIDURL      string // default DefaultOpenIDURL
	TokenURL       string // default DefaultTokenURL, or the TenantID's endpoint
	// ServiceURL and ChannelID locate the community channel for proactive
	// posts. When empty, the ones learned when the bot is added to a team
	// are used (and logged, so they can be put in config).
	ServiceURL, ChannelID string
	// GraphTeamID, the Entra group id of the community's team, lets the
	// bot look its posts up in the channel through Microsoft Graph (see
	// graph.go); it needs TenantID and ChannelID. GraphURL defaults to
	// DefaultGraphURL.
	GraphTeamID, GraphURL string
	// Requests is the record of handled requests (the *storage.DB), so
	// that a redelivered or replayed activity acts once, across restarts
	// too.
	Requests once.Store
	// Communities keeps the community conversation learned in each tenant
	// (the *storage.DB), so that it survives a restart. Nil keeps them in
	// memory only.
	Communities CommunityStore
	// Identities tells the tenant stored with a person's identity (the
	// *storage.DB), where Direct writes to them. Nil: the identity's own
	// Workspace, else the home tenant.
	Identities IdentityStore
}

// service is what the adapter needs of handlers.Service; tests substitute
// a recorder to check routing.
type service interface {
	Handle(ctx context.Context, req handlers.Request) handlers.Reply
	Act(ctx context.Context, req handlers.Request, actionID, value string) handlers.Reply
	Submit(ctx context.Context, req handlers.Request, formID, state string, values map[string]string) (handlers.Reply, map[string]string)
	Language(ctx context.Context, req handlers.Request) string
}

// Adapter serves Teams. It is safe for concurrent use.
type Adapter struct {
	cfg  Config
	svc  service
	tr   *handlers.Translator
	log  *slog.Logger
	now  func() time.Time
	auth *verifier
	conn *connector
	rd   renderer

	// workTimeout bounds a request's work, replies included; the Bot
	// Framework gives up on a request after 15 s.
	workTimeout time.Duration

	once   *once.Guard       // redelivered and replayed activities
	intake *admission.Intake // request bodies, before authentication
	limit  *admission.Limit  // requests in progress and their turns
	out    *outbox.Outbox    // replies posted after the acknowledgement
	graph  *graph            // nil without graph_team_id: FindKeyed cannot look
	files  *fileStore        // files offered, waiting for consent

	mu      sync.Mutex
	comms   map[string]convRef // learned community conversations, by lower-case tenant
	running lifecycle.Group    // requests in flight
}

// convRef is where proactive posts go.
type convRef struct {
	ServiceURL, ChannelID, TenantID string
}

// New checks cfg and builds an adapter. client is used for every outbound
// call (nil means a client with a 30 s timeout); now is the clock.
func New(cfg Config, svc *handlers.Service, log *slog.Logger, now func() time.Time, client *http.Client) (*Adapter, error) {
	if svc == nil {
		return nil, errors.New("teams: no service")
	}
	return newAdapter(cfg, svc, svc.Translator(), log, now, client)
}

func newAdapter(cfg Config, svc service, tr *handlers.Translator, log *slog.Logger, now func() time.Time, client *http.Client) (*Adapter, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	if cfg.Requests == nil {
		return nil, errors.New("teams: no record of handled requests")
	}
	if client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 32 // replies to one connector host go out in parallel
		client = &http.Client{Timeout: 30 * time.Second, Transport: t}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	if cfg.TenantID == "" && len(cfg.AllowedTenants) == 0 {
		log.Warn("teams: tenant_id is not set, so activities of every tenant are answered and no team " +
			"is adopted as the community channel; set tenant_id in [teams] to your Entra tenant id " +
			"(it is logged when the bot is added to a team)")
	}
	limit := admission.NewLimit(inProgress, 2*runtime.GOMAXPROCS(0))
	a := &Adapter{cfg: cfg, svc: svc, tr: tr, log: log, now: now,
		auth: newVerifier(cfg.OpenIDURL, cfg.AppID, client, now),
		conn: newConnector(cfg, client, now), rd: renderer{tr: tr},
		once:   once.New(cfg.Requests, now, log),
		intake: admission.NewIntake(perPeer, bodyDeadline), limit: limit,
		out:         outbox.New(outWorkers, outQueue, time.Minute, log),
		files:       newFileStore(now),
		workTimeout: 12 * time.Second,
		comms:       map[string]convRef{}}
	if cfg.GraphTeamID != "" {
		a.graph = newGraph(cfg, a.conn)
	}
	if err := a.loadCommunities(); err != nil {
		return nil, err
	}
	return a, nil
}

// fill checks required keys and sets defaults. Errors name the key.
func (c *Config) fill() error {
	switch {
	case c.AppID == "":
		return errors.New("teams: app_id is required")
	case c.AppPassword == "":
		return errors.New("teams: app_password is required")
	}
	for _, t := range c.AllowedTenants {
		if strings.TrimSpace(t) == "" {
			return errors.New("teams: allowed_tenants holds an empty tenant id")
		}
	}
	if c.TenantID != "" && len(c.AllowedTenants) > 0 && !slices.ContainsFunc(c.AllowedTenants, func(t string) bool {
		return strings.EqualFold(t, c.TenantID)
	}) {
		return errors.New("teams: tenant_id must be one of allowed_tenants")
	}
	if c.TenantID == "" && len(c.AllowedTenants) > 0 {
		c.TenantID = c.AllowedTenants[0]
	}
	if c.OpenIDURL == "" {
		c.OpenIDURL = DefaultOpenIDURL
	}
	if c.TokenURL == "" {
		c.TokenURL = DefaultTokenURL
		if c.TenantID != "" {
			c.TokenURL = "https://login.microsoftonline.com/" + url.PathEscape(c.TenantID) + "/oauth2/v2.0/token"
		}
	}
	if c.ServiceURL != "" && !validServiceURL(c.ServiceURL) {
		return errors.New("teams: service_url must be an https URL")
	}
	if c.GraphURL == "" {
		c.GraphURL = DefaultGraphURL
	}
	if c.GraphTeamID != "" && (c.TenantID == "" || c.ChannelID == "") {
		return errors.New("teams: graph_team_id needs tenant_id and channel_id")
	}
	if c.GraphTeamID != "" && !validServiceURL(c.GraphURL) {
		return errors.New("teams: graph_url must be an https URL")
	}
	return nil
}

// allows reports whether activities of tenant are served: any tenant when
// neither tenant_id nor allowed_tenants is set.
func (c *Config) allows(tenant string) bool {
	if len(c.AllowedTenants) == 0 {
		return c.TenantID == "" || strings.EqualFold(tenant, c.TenantID)
	}
	return tenant != "" && slices.ContainsFunc(c.AllowedTenants, func(t string) bool { return strings.EqualFold(t, tenant) })
}

// validServiceURL accepts https URLs, and http ones on loopback (tests and
// local emulators): the bot token is sent to this address.
func validServiceURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		return h == "localhost" || h == "127.0.0.1" || h == "::1"
	}
	return false
}

// Register installs POST /teams/messages on mux.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /teams/messages", a.serveMessages)
}

// OutboxStats are the depth and the drops of the adapter's outbox, for
// the metrics.
func (a *Adapter) OutboxStats() (depth int, dropped int64) { return a.out.Depth(), a.out.Dropped() }

// Close refuses new requests, waits for those in flight and the replies
// already queued, and drops idle outbound connections. The Service may be closed after it returns.
func (a *Adapter) Close() {
	a.running.Close()
	a.out.Close()
	a.once.Close()
	a.conn.client.CloseIdleConnections()
}

// reference returns where proactive messages go: the configured values,
// else the ones learned when the bot was added to a team.
func (a *Adapter) reference() convRef {
	ref := a.learned(a.cfg.TenantID)
	if a.cfg.ServiceURL != "" {
		ref.ServiceURL = a.cfg.ServiceURL
	}
	if a.cfg.ChannelID != "" {
		ref.ChannelID = a.cfg.ChannelID
	}
	if a.cfg.TenantID != "" {
		ref.TenantID = a.cfg.TenantID
	}
	return ref
}

// community returns the community channel, configured or learned in the
// home tenant.
func (a *Adapter) community() (convRef, error) {
	ref := a.reference()
	if ref.ServiceURL == "" || ref.ChannelID == "" {
		return ref, errors.New("teams: no community channel: set service_url and channel_id in [teams], or set allowed_tenants (or tenant_id) and add the bot to the team")
	}
	return ref, nil
}
