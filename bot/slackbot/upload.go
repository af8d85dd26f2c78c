package slackbot

import (
	"bytes"
	"context"

	"github.com/slack-go/slack"

	"copbot/handlers"
)

// sendFile uploads r.File, if any, to the channel the command came from
// (or the user's direct messages when it came from none), with Slack's
// external upload: files.getUploadURLExternal, the bytes to the URL it
// gives, files.completeUploadExternal. A failure is told to the user
// through the command's response_url and logged.
func (a *Adapter) sendFile(ctx context.Context, t target, r handlers.Reply) {
	if r.File == nil {
		return
	}
	channel := t.channel
	if channel == "" {
		channel = t.user
	}
	_, err := a.api.UploadFileContext(ctx, slack.UploadFileParameters{Reader: bytes.NewReader(r.File.Data),
		FileSize: len(r.File.Data), Filename: r.File.Name, Title: r.File.Name, Channel: channel})
	if err == nil {
		return
	}
	a.log.Error("slack file upload", "file", r.File.Name, "channel", channel, "err", err)
	note := handlers.Reply{Kind: "error", Lang: r.Lang, Text: a.t(r.Lang, "slack_upload_failed")}
	if rerr := a.respond(ctx, t, note); rerr != nil {
		a.log.Error("slack reply lost", "user", t.user, "kind", note.Kind, "err", rerr)
	}
}
