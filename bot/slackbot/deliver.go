package slackbot

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"copbot/handlers"
	"copbot/storage"
)

// target is where the answer to an interaction goes.
type target struct {
	user        string
	team        string // the user's own workspace (their identity's)
	channel     string
	responseURL string // answer in place (slash commands, message buttons)
	triggerID   string // lets a Form open as a modal
	home        bool   // the interaction came from the App Home
}

// empty reports whether r has nothing to show.
func empty(r handlers.Reply) bool {
	return r.Text == "" && len(r.Blocks) == 0 && r.Form == nil
}

// message renders r as one message; a reply too long for one names the
// file that holds it whole, in r's language.
func (a *Adapter) message(r handlers.Reply) rendered {
	return render(r, messageSurface, func(file string) string {
		return a.svc.Translator().T(r.Lang, "slack_overflow", map[string]any{"File": file})
	})
}

// messagePayload is a reply as a slash-command or response_url message,
// with the files that follow it (see rendered.files).
func (a *Adapter) messagePayload(r handlers.Reply) (*slack.WebhookMessage, []*handlers.File) {
	out := a.message(r)
	m := &slack.WebhookMessage{Text: out.text, ResponseType: slack.ResponseTypeEphemeral,
		ReplaceOriginal: r.Replace}
	if r.Visibility == handlers.InChannel {
		m.ResponseType = slack.ResponseTypeInChannel
	}
	if len(out.blocks) > 0 {
		m.Blocks = &slack.Blocks{BlockSet: out.blocks}
	}
	return m, out.files(r)
}

// deliver sends a reply produced after the acknowledgement: a Form opens as
// a modal (while the trigger is valid), a Replace in the App Home
// republishes it, anything else answers through response_url or, failing
// that, by direct message. Failures are logged: nobody is waiting.
func (a *Adapter) deliver(ctx context.Context, t target, r handlers.Reply) {
	if empty(r) {
		return
	}
	if r.Form != nil && t.triggerID != "" {
		if err := a.openForm(ctx, t, r); err == nil {
			return
		}
		r = formUnavailable(a, r)
	}
	r.Form = nil
	if r.Replace && t.home {
		a.publishHome(ctx, t.user, t.team)
		return
	}
	if err := a.respond(ctx, t, r); err != nil {
		a.log.Error("slack reply lost", "user", t.user, "kind", r.Kind, "err", err)
	}
}

// respond answers through response_url when there is a usable one, else by
// direct message (App Home buttons and modals have no response_url). The
// reply's files follow it (see sendFiles).
func (a *Adapter) respond(ctx context.Context, t target, r handlers.Reply) error {
	if t.responseURL != "" {
		m, files := a.messagePayload(r)
		err := a.postWebhook(ctx, t.responseURL, m)
		if err == nil {
			a.sendFiles(ctx, t, r, files)
			return nil
		}
		a.log.Warn("response_url failed, sending a DM", "user", t.user, "err", err)
	}
	if t.user == "" {
		return errors.New("no response_url and no user to message")
	}
	_, _, err := a.postMessage(ctx, t.user, "", r)
	return err
}

// formUnavailable is the reply to show when a modal cannot open: the
// service's Text explains the one-line command, after a note saying why.
func formUnavailable(a *Adapter, r handlers.Reply) handlers.Reply {
	note := a.t(r.Lang, "slack_form_unavailable")
	out := r
	out.Form = nil
	out.Text = note + "\n\n" + r.Text
	out.Blocks = append([]handlers.Block{handlers.Context{Text: note}}, r.Blocks...)
	if len(r.Blocks) == 0 {
		out.Blocks = append(out.Blocks, handlers.Section{Text: r.Text})
	}
	return out
}

// openForm opens r.Form as a modal with views.open.
func (a *Adapter) openForm(ctx context.Context, t target, r handlers.Reply) error {
	meta := formMeta{Form: r.Form.ID, State: r.Form.State, ResponseURL: t.responseURL,
		Channel: t.channel, Home: t.home}
	v, ok := a.modal(r.Form, meta, r.Lang)
	if !ok {
		return fmt.Errorf("form %s: state too long for private_metadata", r.Form.ID)
	}
	ctx, cancel := context.WithTimeout(ctx, a.tune.callTimeout)
	defer cancel()
	if _, err := a.client(ctx).OpenViewContext(ctx, t.triggerID, v); err != nil {
		a.log.Warn("views.open failed", "form", r.Form.ID, "user", t.user, "err", err)
		return err
	}
	return nil
}

func (a *Adapter) modal(f *handlers.Form, meta formMeta, lang string) (slack.ModalViewRequest, bool) {
	return modal(f, meta, a.t(lang, "slack_modal_close"), a.t(lang, "slack_select_placeholder"))
}

// postWebhook posts a message to an interaction's response_url.
func (a *Adapter) postWebhook(ctx context.Context, url string, m *slack.WebhookMessage) error {
	if !validResponseURL(url) {
		return errBadResponseURL
	}
	ctx, cancel := context.WithTimeout(ctx, a.tune.callTimeout)
	defer cancel()
	return slack.PostWebhookCustomHTTPContext(ctx, url, a.hooks, m)
}

// postMessage posts r with chat.postMessage, paced per channel, with any
// extra options (metadata), then its files in the same conversation.
// channel may be a user id, which posts in the bot's DM with that person.
func (a *Adapter) postMessage(ctx context.Context, channel, thread string, r handlers.Reply, extra ...slack.MsgOption) (string, string, error) {
	if err := a.pace.wait(ctx, channel); err != nil {
		return "", "", err
	}
	m := a.message(r)
	cctx, cancel := context.WithTimeout(ctx, a.tune.callTimeout)
	defer cancel()
	ch, ts, err := a.client(ctx).PostMessageContext(cctx, channel, append(msgOptions(m, thread), extra...)...)
	if err == nil {
		a.upload(ctx, ch, m.files(r), r.Lang, target{channel: ch})
	}
	return ch, ts, err
}

// postEphemeral shows r to one person in a channel; its files go to that
// person's direct messages.
func (a *Adapter) postEphemeral(ctx context.Context, channel, user, thread string, r handlers.Reply) error {
	m := a.message(r)
	cctx, cancel := context.WithTimeout(ctx, a.tune.callTimeout)
	defer cancel()
	_, err := a.client(ctx).PostEphemeralContext(cctx, channel, user, msgOptions(m, thread)...)
	if err == nil {
		a.upload(ctx, user, m.files(r), r.Lang, target{user: user})
	}
	return err
}

func msgOptions(m rendered, thread string) []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(m.text, false), slack.MsgOptionBlocks(m.blocks...)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	return opts
}

// publishHome renders the person's App Home with views.publish. A view
// has no total limit but its 100 blocks; a Home with more ends with a note
// that sends the person to the commands (no file: the Home is published
// every time it is opened).
func (a *Adapter) publishHome(ctx context.Context, user, team string) {
	var r handlers.Reply
	if a.allows(ctx, team, "") {
		r = a.svc.Home(ctx, a.request(ctx, user, team, "", "", ""))
	} else {
		r = a.teamRefusal()
	}
	slash := cmp.Or(a.cfg.Command, "/cop")
	blocks := render(r, viewSurface, func(string) string {
		return a.svc.Translator().T(r.Lang, "slack_home_overflow", map[string]any{"Slash": slash})
	}).blocks
	ctx, cancel := context.WithTimeout(ctx, a.tune.callTimeout)
	defer cancel()
	_, err := a.client(ctx).PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user,
		View: slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}})
	if err != nil {
		a.log.Error("views.publish failed", "user", user, "err", err)
	}
}

// Post publishes r in the community channel (handlers.Poster).
func (a *Adapter) Post(ctx context.Context, r handlers.Reply) ([]handlers.MessageRef, error) {
	if a.perWorkspace() {
		return a.postEverywhere(ctx, r) // wsposts.go
	}
	if a.cfg.Channel == "" {
		return nil, errors.New("slack: no community channel configured ([slack] channel)")
	}
	ch, ts, err := a.postMessage(ctx, a.cfg.Channel, "", r)
	if err != nil {
		return nil, fmt.Errorf("slack chat.postMessage: %w", err)
	}
	return []handlers.MessageRef{{Platform: storage.PlatformSlack, Channel: ch, ID: ts}}, nil
}

// Direct writes r to one person, in their direct messages with the bot
// (handlers.DirectMessenger): chat.postMessage to a user id opens that
// conversation. Like every post it is not sent again once it may have
// reached Slack: a reminder may go missing, never arrive twice. A person
// of an installed workspace (the identity's) is written to with that
// workspace's token: the home workspace's cannot open a DM there.
func (a *Adapter) Direct(ctx context.Context, to storage.Identity, r handlers.Reply) error {
	if to.Platform != storage.PlatformSlack || to.ID == "" {
		return fmt.Errorf("slack: cannot write directly to %q", to.String())
	}
	if _, _, err := a.postMessage(withTeam(ctx, to.Workspace), to.ID, "", r); err != nil {
		return fmt.Errorf("slack chat.postMessage to %s: %w", to.ID, err)
	}
	return nil
}

var _ handlers.DirectMessenger = (*Adapter)(nil)

// Update replaces a message posted earlier by Post (handlers.Poster).
func (a *Adapter) Update(ctx context.Context, ref handlers.MessageRef, r handlers.Reply) error {
	if ref.Platform != storage.PlatformSlack {
		return fmt.Errorf("slack: cannot update a %s message", ref.Platform)
	}
	if a.perWorkspace() {
		return a.updateCopies(ctx, ref, r) // wsposts.go
	}
	return a.updateOne(ctx, ref.Channel, ref.ID, r)
}

// updateOne replaces the message ts in channel with ctx's workspace's
// client.
func (a *Adapter) updateOne(ctx context.Context, channel, ts string, r handlers.Reply) error {
	m := a.message(r)
	cctx, cancel := context.WithTimeout(ctx, a.tune.callTimeout)
	defer cancel()
	_, _, _, err := a.client(ctx).UpdateMessageContext(cctx, channel, ts, msgOptions(m, "")...)
	if err != nil {
		return fmt.Errorf("slack chat.update: %w", err)
	}
	if m.overflow != nil { // the reply's own file went with the first post
		a.upload(ctx, channel, []*handlers.File{m.overflow}, r.Lang, target{channel: channel})
	}
	return nil
}
