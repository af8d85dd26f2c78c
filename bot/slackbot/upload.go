package slackbot

import (
	"bytes"
	"context"
	"strings"

	"github.com/slack-go/slack"

	"copbot/handlers"
)

// sendFiles hands over the files that follow a reply (a report, an
// export, a reply too long for one message): into the channel when the
// reply is for everyone there, else into the person's direct messages, so
// that a private answer's file stays private.
func (a *Adapter) sendFiles(ctx context.Context, t target, r handlers.Reply, files []*handlers.File) {
	dest := t.user
	if r.Visibility == handlers.InChannel && t.channel != "" {
		dest = t.channel
	}
	a.upload(ctx, dest, files, r.Lang, t)
}

// upload shares each file in dest (a conversation id, or a user id for the
// bot's direct messages with that person) with Slack's external upload:
// files.getUploadURLExternal, the bytes to the URL it gives,
// files.completeUploadExternal. A failure is logged and told to the person
// through t, in lang.
func (a *Adapter) upload(ctx context.Context, dest string, files []*handlers.File, lang string, t target) {
	for _, f := range files {
		p := slack.UploadFileParameters{Reader: bytes.NewReader(f.Data), FileSize: len(f.Data),
			Filename: f.Name, Title: f.Name}
		if isUserID(dest) {
			p.Channels = []string{dest}
		} else {
			p.Channel = dest
		}
		cctx, cancel := context.WithTimeout(ctx, a.tune.callTimeout)
		_, err := a.client(ctx).UploadFileContext(cctx, p)
		cancel()
		if err == nil {
			continue
		}
		a.log.Error("slack file upload", "file", f.Name, "dest", dest, "err", err)
		if t.responseURL == "" && t.user == "" {
			continue
		}
		note := handlers.Reply{Kind: "error", Lang: lang, Text: a.t(lang, "slack_upload_failed")}
		if rerr := a.respond(ctx, t, note); rerr != nil {
			a.log.Error("slack reply lost", "user", t.user, "kind", note.Kind, "err", rerr)
		}
	}
}

// isUserID reports whether id names a person (U…, W…) rather than a
// conversation (C…, G…, D…).
func isUserID(id string) bool { return strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") }
