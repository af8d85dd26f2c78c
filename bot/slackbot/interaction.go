package slackbot

import (
	"encoding/json"
	"errors"
	"net/url"

	"github.com/slack-go/slack"
)

// clicks is what a block_actions interaction needs, decoded from the
// payload alone: slack-go's InteractionCallback decodes every field Slack
// may send (the whole message, its blocks, the view), which cost a vote
// more than its transaction. Other interactions (view submissions) are
// rare and decoded whole.
type clicks struct {
	Type string `json:"type"`
	User struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		TeamID string `json:"team_id"`
	} `json:"user"`
	Team struct {
		ID string `json:"id"`
	} `json:"team"`
	Enterprise *struct {
		ID string `json:"id"`
	} `json:"enterprise"`
	ResponseURL string `json:"response_url"`
	TriggerID   string `json:"trigger_id"`
	Channel     struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		ChannelID string `json:"channel_id"`
	} `json:"container"`
	View struct {
		Type slack.ViewType `json:"type"`
	} `json:"view"`
	Actions []*slack.BlockAction `json:"actions"`
}

// org is the Enterprise Grid organization of the person who clicked, when
// the payload's is theirs (their team is the payload's).
func (c *clicks) org() string {
	if c.Enterprise == nil || (c.User.TeamID != "" && c.User.TeamID != c.Team.ID) {
		return ""
	}
	return c.Enterprise.ID
}

var errNoPayload = errors.New("no interaction payload")

// decodeInteraction reads a verified interactions body: block_actions into
// clicks (cb nil), anything else whole into cb.
func decodeInteraction(body []byte) (c *clicks, cb *slack.InteractionCallback, err error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, nil, err
	}
	payload := form.Get("payload")
	if payload == "" {
		return nil, nil, errNoPayload
	}
	c = &clicks{}
	if err := json.Unmarshal([]byte(payload), c); err != nil {
		return nil, nil, err
	}
	if c.Type == string(slack.InteractionTypeBlockActions) {
		return c, nil, nil
	}
	cb = &slack.InteractionCallback{}
	if err := json.Unmarshal([]byte(payload), cb); err != nil {
		return nil, nil, err
	}
	return nil, cb, nil
}

// clicksOf is the clicks of a callback decoded whole (Socket Mode's).
func clicksOf(cb *slack.InteractionCallback) *clicks {
	c := &clicks{Type: string(cb.Type), ResponseURL: cb.ResponseURL, TriggerID: cb.TriggerID,
		Actions: cb.ActionCallback.BlockActions}
	c.User.ID, c.User.Name, c.User.TeamID, c.Team.ID = cb.User.ID, cb.User.Name, cb.User.TeamID, cb.Team.ID
	if cb.Enterprise.ID != "" {
		c.Enterprise = &struct {
			ID string `json:"id"`
		}{cb.Enterprise.ID}
	}
	c.Channel.ID, c.Container.ChannelID, c.View.Type = cb.Channel.ID, cb.Container.ChannelID, cb.View.Type
	return c
}
