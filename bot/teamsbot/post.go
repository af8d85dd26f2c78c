package teamsbot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"unicode/utf8"

	"copbot/bot/internal/replytext"
	"copbot/handlers"
	"copbot/storage"
)

// outActivity is a message activity copbot sends to the connector.
type outActivity struct {
	Type         string        `json:"type"`
	ID           string        `json:"id,omitempty"`
	Text         string        `json:"text,omitempty"`
	Summary      string        `json:"summary,omitempty"`
	ReplyToID    string        `json:"replyToId,omitempty"`
	From         *account      `json:"from,omitempty"`
	Recipient    *account      `json:"recipient,omitempty"`
	Conversation *conversation `json:"conversation,omitempty"`
	Attachments  []attachment  `json:"attachments,omitempty"`
}

type attachment struct {
	ContentType string `json:"contentType"`
	Content     any    `json:"content,omitempty"` // a *card, a consent card, a file info card
	ContentURL  string `json:"contentUrl,omitempty"`
	Name        string `json:"name,omitempty"`
}

// message wraps a card in a message activity. The card's own fallback text
// carries the text; summary is the notification preview. Files never ride
// in the activity (see sendFiles).
func message(r handlers.Reply, c *card) outActivity {
	first, _, _ := strings.Cut(handlers.Unmark(r.Text), "\n")
	return outActivity{Type: "message", Summary: truncate(first, 200),
		Attachments: []attachment{{ContentType: cardContentType, Content: c}}}
}

// conversationParams is the body of POST /v3/conversations.
type conversationParams struct {
	IsGroup     bool            `json:"isGroup"`
	Bot         *account        `json:"bot,omitempty"`
	Members     []account       `json:"members,omitempty"`
	Activity    *outActivity    `json:"activity,omitempty"`
	ChannelData *outChannelData `json:"channelData,omitempty"`
	TenantID    string          `json:"tenantId,omitempty"`
}

type outChannelData struct {
	Channel *idOnly `json:"channel,omitempty"`
	Tenant  *idOnly `json:"tenant,omitempty"`
}

// resourceResponse is the connector's answer to a create.
type resourceResponse struct {
	ID         string `json:"id"`
	ActivityID string `json:"activityId"`
}

func isEmpty(r handlers.Reply) bool {
	return r.Text == "" && len(r.Blocks) == 0 && r.Form == nil
}

// deliver posts r in answer to act.
func (a *Adapter) deliver(ctx context.Context, act *activity, r handlers.Reply) error {
	if isEmpty(r) {
		a.log.Warn("empty reply not posted", "text_len", len(act.Text)) // the text may hold emails
		return nil
	}
	return a.deliverCard(ctx, act, r, a.rd.card(r))
}

// deliverCard posts c where r belongs, then r's files. Teams has no
// ephemeral messages, so a personal reply asked for in a channel or group
// chat goes to the user's one-to-one chat. Only a typed command gets a
// pointer to it in the thread (the person is looking there, and nothing
// else would tell them); a card click is answered privately by the
// caller (see answerPrivately). Errors reveal nothing and stay where the
// user is looking.
func (a *Adapter) deliverCard(ctx context.Context, act *activity, r handlers.Reply, c *card) error {
	if r.Visibility == handlers.InChannel || r.Kind == "error" || act.personal() {
		if err := a.send(ctx, act, message(r, c)); err != nil {
			return err
		}
		return a.sendFiles(ctx, act, r, files(r, c))
	}
	err := a.sendPrivately(ctx, act, message(r, c))
	if err == nil {
		err = a.sendFiles(ctx, act, r, files(r, c))
	}
	if act.Type != "message" || hasValue(act.Value) {
		return err
	}
	key := "teams_sent_privately"
	if err != nil {
		a.log.Warn("private reply failed; telling the user in the thread", "err", err)
		key = "teams_private_failed"
	}
	l := lang(r)
	text := a.tr.T(l, key, map[string]any{"Name": act.From.Name})
	n := handlers.Reply{Kind: "notice", Lang: l, Text: text, Blocks: []handlers.Block{handlers.Section{Text: text}}}
	if err2 := a.send(ctx, act, message(n, a.rd.card(n))); err2 != nil {
		return errors.Join(err, err2)
	}
	return nil
}

// maxInvokeText is the longest answer shown in a card action's invoke
// response; a longer one goes to the person's one-to-one chat.
const maxInvokeText = 1000

// answerPrivately answers a card click in a channel or group chat (a vote,
// anonymous or not) with something only the person who clicked sees: a
// short text-only answer in the invoke response, anything else in their
// one-to-one chat with a pointer to it in the invoke response. Nothing is
// posted in the channel.
func (a *Adapter) answerPrivately(ctx context.Context, act *activity, r handlers.Reply) invokeResponse {
	l := lang(r)
	text := replytext.Text(r)
	if r.File == nil && !hasActions(r) && utf8.RuneCountInString(text) <= maxInvokeText {
		return invokeResponse{StatusCode: 200, Type: invokeMessage, Value: text}
	}
	c := a.rd.card(r)
	err := a.sendPrivately(ctx, act, message(r, c))
	if err == nil {
		err = a.sendFiles(ctx, act, r, files(r, c))
	}
	if err != nil {
		a.log.Error("private answer to a card action failed", "conversation", act.Conversation.ID, "err", err)
		return invokeResponse{StatusCode: 200, Type: invokeMessage, Value: a.tr.T(l, "teams_private_chat_failed", nil)}
	}
	return invokeResponse{StatusCode: 200, Type: invokeMessage, Value: a.tr.T(l, "teams_sent_to_chat", nil)}
}

// hasActions reports whether r has buttons, which a text answer would lose.
func hasActions(r handlers.Reply) bool {
	for _, b := range r.Blocks {
		if _, ok := b.(handlers.Actions); ok {
			return true
		}
	}
	return false
}

// send posts m into act's conversation: as a threaded reply to a message,
// as a new message for a card action (whose id is not a message's).
func (a *Adapter) send(ctx context.Context, act *activity, m outActivity) error {
	m.From, m.Recipient, m.Conversation = &act.Recipient, &act.From, &act.Conversation
	u := conversationsURL(act.ServiceURL, act.Conversation.ID, "activities")
	if act.Type == "message" && act.ID != "" {
		m.ReplyToID = act.ID
		u = conversationsURL(act.ServiceURL, act.Conversation.ID, "activities", act.ID)
	}
	return a.conn.call(ctx, http.MethodPost, u, m, nil, creates)
}

// sendPrivately opens (or reopens: the connector returns the same id) the
// one-to-one chat with act's sender and posts m there.
func (a *Adapter) sendPrivately(ctx context.Context, act *activity, m outActivity) error {
	return a.sendOneToOne(ctx, act.ServiceURL, act.tenant(), &act.Recipient, act.From.ID, m)
}

// sendOneToOne opens the bot's one-to-one chat with user (a 29: id or the
// Entra object id) and posts m there. Opening is asked without the message,
// so that it returns the same chat every time and may be retried; the post
// itself is not repeated once it may have arrived.
func (a *Adapter) sendOneToOne(ctx context.Context, serviceURL, tenant string, bot *account, user string, m outActivity) error {
	p := conversationParams{Bot: bot, Members: []account{{ID: user}},
		ChannelData: &outChannelData{Tenant: &idOnly{ID: tenant}}, TenantID: tenant}
	var res resourceResponse
	if err := a.conn.call(ctx, http.MethodPost, conversationsURL(serviceURL), p, &res, sameAgain); err != nil {
		return err
	}
	if res.ID == "" {
		return errors.New("create conversation: no id in answer")
	}
	return a.conn.call(ctx, http.MethodPost, conversationsURL(serviceURL, res.ID, "activities"), m, nil, creates)
}

// update replaces activity id in a conversation with card c.
func (a *Adapter) update(ctx context.Context, serviceURL, convID, id string, r handlers.Reply, c *card) error {
	m := message(r, c)
	m.ID = id
	return a.conn.call(ctx, http.MethodPut, conversationsURL(serviceURL, convID, "activities", id), m, nil, sameAgain)
}

// Post starts a new thread in the community channel with r and returns
// where it went. It implements handlers.Poster.
func (a *Adapter) Post(ctx context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	return a.postCard(ctx, r, a.rd.channelCard(r))
}

// postCard is Post with the card already rendered.
func (a *Adapter) postCard(ctx context.Context, r handlers.Reply, c *card) ([]handlers.MessageRef, error) {
	ref, err := a.community()
	if err != nil {
		return nil, err
	}
	return a.postCardTo(ctx, ref, r, c)
}

// postCardTo starts a new thread in the channel ref with c.
func (a *Adapter) postCardTo(ctx context.Context, ref convRef, r handlers.Reply, c *card) ([]handlers.MessageRef, error) {
	if fs := files(r, c); len(fs) > 0 {
		a.log.Warn("files not sent with a channel post: Teams takes a bot's files only in a personal chat",
			"kind", r.Kind, "files", len(fs))
	}
	m := message(r, c)
	p := conversationParams{IsGroup: true, Activity: &m,
		ChannelData: &outChannelData{Channel: &idOnly{ID: ref.ChannelID}}, TenantID: ref.TenantID}
	var res resourceResponse
	if err := a.conn.call(ctx, http.MethodPost, conversationsURL(ref.ServiceURL), p, &res, creates); err != nil {
		return nil, fmt.Errorf("teams post: %w", err)
	}
	id := res.ActivityID
	if id == "" {
		_, id, _ = strings.Cut(res.ID, ";messageid=")
	}
	if res.ID == "" || id == "" {
		return nil, errors.New("teams post: connector returned no ids")
	}
	return []handlers.MessageRef{{Platform: storage.PlatformTeams, Channel: res.ID, ID: id}}, nil
}

// Update replaces a message Post returned. It implements handlers.Poster.
func (a *Adapter) Update(ctx context.Context, ref handlers.MessageRef, r handlers.Reply) error {
	if ref.Platform != storage.PlatformTeams || ref.Channel == "" || ref.ID == "" {
		return fmt.Errorf("teams update: not a Teams message: %+v", ref)
	}
	com, err := a.community()
	if err != nil {
		return err
	}
	c := a.rd.channelCard(r)
	if err := a.update(ctx, com.ServiceURL, ref.Channel, ref.ID, r, c); err != nil {
		return fmt.Errorf("teams update: %w", err)
	}
	return a.updateOtherTenants(ctx, ref, r, c) // tenantposts.go
}

// Direct writes r to one person in their one-to-one chat with the bot
// (handlers.DirectMessenger), through the community's connector and
// tenant. to is a Teams identity: the Entra object id copbot stores, or a
// 29: id; the connector accepts either as a member id.
func (a *Adapter) Direct(ctx context.Context, to storage.Identity, r handlers.Reply) error {
	if to.Platform != storage.PlatformTeams || to.ID == "" {
		return fmt.Errorf("teams: cannot write directly to %q", to.String())
	}
	ref := a.directRef(ctx, to)
	if ref.ServiceURL == "" || ref.TenantID == "" {
		return errors.New("teams: no service_url and tenant_id for direct messages: set both in [teams] (with tenant_id set, adding the bot to the team also provides service_url)")
	}
	bot := &account{ID: "28:" + a.cfg.AppID}
	c := a.rd.card(r)
	if err := a.sendOneToOne(ctx, ref.ServiceURL, ref.TenantID, bot, to.ID, message(r, c)); err != nil {
		return fmt.Errorf("teams direct message: %w", err)
	}
	for _, f := range files(r, c) {
		m := a.consentMessage(f, lang(r), to.ID)
		if err := a.sendOneToOne(ctx, ref.ServiceURL, ref.TenantID, bot, to.ID, m); err != nil {
			return fmt.Errorf("teams direct message, file %s: %w", f.Name, err)
		}
	}
	return nil
}

var _ handlers.DirectMessenger = (*Adapter)(nil)

// IdentityStore tells where a person's identity lives (storage
// identities): its Teams tenant, "" when not known yet.
type IdentityStore interface {
	IdentityWorkspace(ctx context.Context, id storage.Identity) (string, bool, error)
}

// directRef is where a direct message to the person goes: the tenant of
// their identity (to's Workspace, else the one stored with it), so that a
// member who uses Teams as a guest of another organization gets the chat
// in that tenant, through the service URL learned there; the home tenant
// when it is not known.
func (a *Adapter) directRef(ctx context.Context, to storage.Identity) convRef {
	ref := a.reference()
	tenant := to.Workspace
	if tenant == "" && a.cfg.Identities != nil {
		ws, _, err := a.cfg.Identities.IdentityWorkspace(ctx, to)
		if err != nil {
			a.log.Warn("teams direct message: identity's tenant unknown, using the home tenant", "err", err)
		}
		tenant = ws
	}
	if tenant == "" || strings.EqualFold(tenant, ref.TenantID) {
		return ref
	}
	if learned := a.learned(tenant); learned.ServiceURL != "" {
		ref.ServiceURL = learned.ServiceURL
	}
	ref.TenantID = tenant
	return ref
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
