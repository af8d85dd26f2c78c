package bot

import (
	"context"
	"fmt"
	"time"

	"copbot/bot/slackbot"
	"copbot/bot/teamsbot"
	"copbot/handlers"
	"copbot/storage"
)

// openPlatforms builds the adapters the config enables and makes each one a
// destination of community posts.
func (a *App) openPlatforms() error {
	if c := a.cfg.Slack; c.BotToken != "" {
		sc := slackbot.Config{BotToken: c.BotToken, SigningSecret: c.SigningSecret,
			AppToken: c.AppToken, APIURL: c.APIURL, Channel: c.Channel, Command: c.Command,
			AllowedTeams: c.AllowedTeams, Transport: a.client.Transport, Requests: a.Store, Observe: a.socketObserver(storage.PlatformSlack)}
		if c.ClientID != "" {
			k, err := storage.ParseTokenKey(c.TokenKey)
			if err != nil {
				return fmt.Errorf("slack: COPBOT_SLACK_TOKEN_KEY: %w", err)
			}
			sc.ClientID, sc.ClientSecret, sc.RedirectURL = c.ClientID, c.ClientSecret, a.cfg.SlackRedirectURL()
			sc.TokenKey, sc.Installs = k, a.Store
		}
		s, err := slackbot.New(sc, a.Service, a.log.With("platform", "slack"), a.now)
		if err != nil {
			return fmt.Errorf("slack: %w", err)
		}
		a.slack = s
		a.addPlatform(storage.PlatformSlack, s)
	}
	if c := a.cfg.Teams; c.AppID != "" {
		t, err := teamsbot.New(teamsbot.Config{AppID: c.AppID, AppPassword: c.AppPassword,
			AllowedTenants: a.cfg.TeamsTenants(), OpenIDURL: c.OpenIDURL, TokenURL: c.TokenURL,
			ServiceURL: c.ServiceURL, ChannelID: c.ChannelID, GraphTeamID: c.GraphTeamID, GraphURL: c.GraphURL,
			Requests: a.Store, Communities: a.Store, Identities: a.Store},
			a.Service, a.log.With("platform", "teams"), a.now, a.client)
		if err != nil {
			return fmt.Errorf("teams: %w", err)
		}
		a.addPlatform(storage.PlatformTeams, t)
	}
	return nil
}

func (a *App) addPlatform(p storage.Platform, pl platform) {
	a.plat = append(a.plat, pl)
	a.posters.add(p, pl)
}

// runBackground starts platform loops that are not HTTP: Slack Socket Mode
// when an app token is set. Its failure ends Serve through errc.
func (a *App) runBackground(ctx context.Context, errc chan<- error) {
	if a.slack == nil || a.cfg.Slack.AppToken == "" {
		return
	}
	go func() {
		if err := a.slack.RunSocketMode(ctx); err != nil && ctx.Err() == nil {
			errc <- fmt.Errorf("slack socket mode: %w", err)
		}
	}()
}

var _ platform = (*slackbot.Adapter)(nil)
var _ platform = (*teamsbot.Adapter)(nil)

// KeyedChannels lists every platform's community channel for posts that
// must go out exactly once (handlers.KeyedPoster), in posting order. An
// adapter that cannot carry a key (the console) posts without one and
// cannot look its posts up.
func (f *fanout) KeyedChannels() []handlers.KeyedChannel {
	out := make([]handlers.KeyedChannel, 0, len(f.order))
	for _, p := range f.order {
		if kp, ok := f.by[p].(handlers.KeyedPoster); ok {
			out = append(out, kp.KeyedChannels()...)
			continue
		}
		out = append(out, unkeyed{p: p, poster: f.by[p]})
	}
	return out
}

// unkeyed is a Poster seen as a KeyedChannel that drops the key.
type unkeyed struct {
	p      storage.Platform
	poster handlers.Poster
}

func (u unkeyed) Platform() storage.Platform { return u.p }

func (u unkeyed) PostKeyed(ctx context.Context, _ string, r handlers.Reply) (handlers.MessageRef, error) {
	refs, err := u.poster.Post(ctx, r)
	if err != nil {
		return handlers.MessageRef{}, err
	}
	if len(refs) == 0 {
		return handlers.MessageRef{}, fmt.Errorf("%s: posted nowhere", u.p)
	}
	return refs[0], nil
}

func (u unkeyed) FindKeyed(context.Context, string, time.Time) (handlers.MessageRef, bool, error) {
	return handlers.MessageRef{}, false, handlers.ErrNoLookup
}

var _ handlers.KeyedPoster = (*fanout)(nil)
