package email

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"copbot/handlers"
	"copbot/scheduler"
	"copbot/storage"
)

// Options are the email feature's settings.
type Options struct {
	// Sender sends the messages; nil means email is not configured: the
	// preference is still kept, and nothing is sent.
	Sender Sender
	// From is the sender: the organizer of invitations, and where a
	// mailto unsubscribe goes.
	From Address
	// PublicURL is where people reach copbot serve ("https://host"): the
	// start of the one-click unsubscribe links. Without an https one,
	// messages carry the mailto alone.
	PublicURL string
}

// Meetings is what email reads of the meetings feature.
type Meetings interface {
	Title(c *handlers.Call, m *storage.Meeting) string
	Details(c *handlers.Call, m *storage.Meeting) []handlers.Block
	Reminder(c *handlers.Call, m *storage.Meeting) handlers.Reply
}

// Polls is what email tells the polls feature: a vote recorded through a
// vote link changed poll id's tally, so that its posted cards show it.
type Polls interface {
	VotesChanged(id int64)
}

// Deps are the other features email uses; a nil Polls leaves the posted
// cards to show an email vote at their next update.
type Deps struct {
	Meetings Meetings
	Polls    Polls
}

// Feature is the installed email feature.
type Feature struct {
	svc   *handlers.Service
	store *storage.DB
	log   *slog.Logger
	now   func() time.Time
	o     Options
	deps  Deps
}

// Install adds the email preference (`preferences email on|off`,
// `préférences courriel oui|non`) and, when o.Sender is set, the jobs that
// send invitations, reminders and poll invitations.
func Install(svc *handlers.Service, d Deps, o Options) *Feature {
	f := &Feature{svc: svc, store: svc.Store(), log: svc.Log(), now: svc.Now, o: o, deps: d}
	p := handlers.Parts{Settings: []handlers.Setting{{Names: []string{"email", "courriel", "mail", "e-mail"},
		Show: f.showSetting, Set: f.setSetting}}}
	if o.Sender != nil {
		p.Jobs = []scheduler.Source{scheduler.SourceFunc(f.jobs)}
		// A newcomer's invitations are sent at once, not at the next scan.
		p.MembershipChanged = func(*storage.Member) { svc.Replan() }
	}
	svc.Install(p)
	return f
}

// Enabled reports whether a sender is configured.
func (f *Feature) Enabled() bool { return f.o.Sender != nil }

// wants reports whether m gets email: their own choice, else the default:
// members with an address and no chat identity.
func wants(m *storage.Member, p storage.EmailPref) bool {
	if m.Email == "" || !m.Active() {
		return false
	}
	if p.Set {
		return p.On
	}
	return m.SlackID == "" && m.TeamsID == "" && m.ConsoleID == ""
}

// recipient is a member who gets email, with their unsubscribe secret.
type recipient struct {
	m     *storage.Member
	token string
}

// recipients lists the active members who get email now.
func (f *Feature) recipients(ctx context.Context) ([]recipient, error) {
	ms, _, err := f.store.FindMembers(ctx, storage.MemberFilter{})
	if err != nil {
		return nil, err
	}
	prefs, err := f.store.EmailPrefs(ctx)
	if err != nil {
		return nil, err
	}
	var out []recipient
	for _, m := range ms {
		if p := prefs[m.ID]; wants(m, p) {
			out = append(out, recipient{m: m, token: p.Token})
		}
	}
	return out, nil
}

func (f *Feature) showSetting(ctx context.Context, c *handlers.Call) string {
	prefs, err := f.store.EmailPrefs(ctx)
	if err != nil {
		f.log.Error("reading email preferences", "err", err)
		return ""
	}
	p := prefs[c.Member.ID]
	key := "email_state_off"
	switch on := wants(c.Member, p); {
	case !p.Set && on:
		key = "email_state_default_on"
	case !p.Set:
		key = "email_state_default_off"
	case p.On && c.Member.Email == "":
		key = "email_state_on_no_address"
	case p.On:
		key = "email_state_on"
	}
	return c.T("email_setting_show", c.With(map[string]any{"State": c.T(key, c.SlashData())}))
}

func (f *Feature) setSetting(ctx context.Context, c *handlers.Call, on bool) handlers.Reply {
	if _, err := f.store.SetEmailWanted(ctx, c.Member.ID, on); err != nil {
		return c.Fail(err)
	}
	if !on {
		return c.Reply("preferences", handlers.Ephemeral, handlers.Section{Text: c.T("email_set_off", c.SlashData())})
	}
	blocks := []handlers.Block{handlers.Section{Text: c.T("email_set_on", map[string]any{"Email": c.Member.Email})}}
	if c.Member.Email == "" {
		blocks = []handlers.Block{handlers.Section{Text: c.T("email_set_on_no_address", c.SlashData())}}
	}
	if !f.Enabled() {
		blocks = append(blocks, handlers.Context{Text: c.T("email_not_configured", nil)})
	}
	f.svc.Replan()
	return c.Reply("preferences", handlers.Ephemeral, blocks...)
}

// Unsubscribe turns email off for the member whose link carries token
// (the one-click List-Unsubscribe POST). An unknown token is
// storage.ErrNotFound and changes nothing.
func (f *Feature) Unsubscribe(ctx context.Context, token string) error {
	id, err := f.store.UnsubscribeEmail(ctx, token)
	if err == nil {
		f.log.Info("email turned off by its unsubscribe link", "member", id)
	}
	return err
}

// unsubscribe is the List-Unsubscribe of a message to r.
func (f *Feature) unsubscribe(r recipient) Unsubscribe {
	var u Unsubscribe
	if f.o.From.Addr != "" {
		u.Mailto = "mailto:" + f.o.From.Addr + "?subject=unsubscribe"
	}
	if base := f.publicURL(); base != nil && r.token != "" {
		u.URL = base.JoinPath("email", "unsubscribe", r.token).String()
	}
	return u
}

// publicURL is where people reach copbot serve, nil unless it is https:
// the links of a message carry secrets.
func (f *Feature) publicURL() *url.URL {
	if base, err := url.Parse(f.o.PublicURL); err == nil && base.Scheme == "https" && base.Host != "" {
		return base
	}
	return nil
}

// Text is a catalog text of the email feature in lang, for the pages the
// app serves (the unsubscribe page).
func (f *Feature) Text(lang, key string) string {
	c := f.svc.LangCall(lang)
	return c.T(key, c.SlashData())
}
