package teamsbot

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// activity is the part of a Bot Framework activity copbot reads. Unknown
// fields are ignored.
type activity struct {
	Type         string          `json:"type"`
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	ChannelID    string          `json:"channelId"`
	ServiceURL   string          `json:"serviceUrl"`
	Text         string          `json:"text"`
	Locale       string          `json:"locale"`
	ReplyToID    string          `json:"replyToId"`
	From         account         `json:"from"`
	Recipient    account         `json:"recipient"`
	Conversation conversation    `json:"conversation"`
	ChannelData  channelData     `json:"channelData"`
	Entities     []entity        `json:"entities"`
	MembersAdded []account       `json:"membersAdded"`
	Value        json.RawMessage `json:"value"`
}

type account struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	AADObjectID string `json:"aadObjectId,omitempty"`
}

type conversation struct {
	ID               string `json:"id"`
	IsGroup          bool   `json:"isGroup,omitempty"`
	ConversationType string `json:"conversationType,omitempty"`
	TenantID         string `json:"tenantId,omitempty"`
}

type idOnly struct {
	ID string `json:"id"`
}

type channelData struct {
	EventType string  `json:"eventType"`
	Channel   *idOnly `json:"channel"`
	Team      *idOnly `json:"team"`
	Tenant    *idOnly `json:"tenant"`
}

type entity struct {
	Type      string   `json:"type"`
	Text      string   `json:"text"`
	Locale    string   `json:"locale"`
	Mentioned *account `json:"mentioned"`
}

// personal reports whether the activity comes from a one-to-one chat, where
// everything the bot says is private.
func (a *activity) personal() bool {
	t := a.Conversation.ConversationType
	return t == "personal" || (t == "" && !a.Conversation.IsGroup)
}

// tenant returns the Microsoft Entra tenant the activity comes from.
func (a *activity) tenant() string {
	if a.ChannelData.Tenant != nil && a.ChannelData.Tenant.ID != "" {
		return a.ChannelData.Tenant.ID
	}
	return a.Conversation.TenantID
}

// locale returns the user's locale: the activity's, else the client's.
func (a *activity) locale() string {
	if a.Locale != "" {
		return a.Locale
	}
	for _, e := range a.Entities {
		if e.Type == "clientInfo" && e.Locale != "" {
			return e.Locale
		}
	}
	return ""
}

// request turns the activity into a neutral request with text.
func (a *activity) request(text string) handlers.Request {
	id := a.From.AADObjectID
	if id == "" {
		id = a.From.ID
	}
	ch := a.Conversation.ID
	if a.ChannelData.Channel != nil && a.ChannelData.Channel.ID != "" {
		ch = a.ChannelData.Channel.ID
	}
	return handlers.Request{
		// The tenant is the identity's workspace: a guest's account in a
		// partner's tenant is another identity, and direct messages to it
		// are created there (storage identities, Adapter.Direct).
		Identity:  storage.Identity{Platform: storage.PlatformTeams, ID: id, Workspace: a.tenant()},
		UserName:  a.From.Name,
		Locale:    a.locale(),
		ChannelID: ch,
		Text:      text,
	}
}

var atTag = regexp.MustCompile(`(?s)<at[^>]*>(.*?)</at>`)

// commandText returns the message text without the bot's own mention.
// Mentions of other people keep the name, without the <at> markup, so that
// "who <at>Jane</at>" still reads as a question about Jane.
func (a *activity) commandText() string {
	t := a.Text
	for _, e := range a.Entities {
		if e.Type == "mention" && e.Mentioned != nil && e.Mentioned.ID == a.Recipient.ID && e.Text != "" {
			t = strings.ReplaceAll(t, e.Text, " ")
		}
	}
	t = atTag.ReplaceAllString(t, "$1")
	t = strings.ReplaceAll(t, "\u00a0", " ") // Teams pads mentions with no-break spaces
	return strings.Join(strings.Fields(t), " ")
}

// submission is what a card button or form sends back, from an invoke's
// value.action or a message's value.
type submission struct {
	Action string // button action id, when not a form
	Value  string
	Form   string // form id, when a form was submitted
	State  string
	Inputs map[string]string // form field id → value
}

// Keys of the data copbot puts on its card actions. Inputs are named
// inputPrefix+field id so that no field can shadow them.
const (
	dataAction  = "action"
	dataValue   = "value"
	dataForm    = "form"
	dataState   = "state"
	inputPrefix = "in_"
)

// invokeValue parses an adaptiveCard/action invoke's value.
func invokeValue(raw json.RawMessage) (submission, error) {
	var v struct {
		Action struct {
			Verb string         `json:"verb"`
			Data map[string]any `json:"data"`
		} `json:"action"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return submission{}, fmt.Errorf("invoke value: %w", err)
	}
	s := parseData(v.Action.Data)
	if s.Form == "" && s.Action == "" {
		s.Action = v.Action.Verb
	}
	return s, nil
}

// messageValue parses the value of a message sent by Action.Submit.
func messageValue(raw json.RawMessage) (submission, error) {
	var data map[string]any
	if err := json.Unmarshal(raw, &data); err != nil {
		return submission{}, fmt.Errorf("message value: %w", err)
	}
	return parseData(data), nil
}

func parseData(data map[string]any) submission {
	s := submission{
		Action: scalar(data[dataAction]),
		Value:  scalar(data[dataValue]),
		Form:   scalar(data[dataForm]),
		State:  scalar(data[dataState]),
	}
	if s.Form == "" {
		return s
	}
	s.Action = ""
	s.Inputs = map[string]string{}
	for k, v := range data {
		if id, ok := strings.CutPrefix(k, inputPrefix); ok {
			s.Inputs[id] = scalar(v)
		}
	}
	return s
}

// scalar renders a JSON scalar as the string an input would have sent.
func scalar(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64, bool:
		return fmt.Sprint(v)
	default:
		return ""
	}
}
