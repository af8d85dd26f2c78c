package email

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"

	"copbot/handlers"
	"copbot/storage"
)

// Votes by email. A poll's email gives each recipient one link per option:
// /email/vote/SECRET?option=ID, where SECRET is made for that member and
// poll (storage.NewEmailVoteToken). Opening a link (GET) shows the poll
// and a button and writes nothing, so that mail scanners and link previews
// vote for nobody; the button (POST) records the vote through the same
// rules as a click in a chat (storage.EmailVote), and the page says
// "recorded" only once it has committed. Multiple-choice polls get a
// checkbox form. Every page is in English, then French.

// VotePage is a page of the vote links, for the app to write as HTML.
type VotePage struct {
	Status int        // the HTTP status
	Parts  []PagePart // English, then French
	Form   *VoteForm  // nil: nothing to send
}

// PagePart is a page's text in one language.
type PagePart struct {
	Lang  string
	Title string
	Lines []string
}

// VoteForm is the form that votes: a POST of the chosen options' ids,
// each as an "option" field.
type VoteForm struct {
	Multi   bool // checkboxes; else one option (a button) or a choice of one
	Options []FormOption
	Submit  string // the button's label, in both languages
}

// FormOption is one option of the form.
type FormOption struct {
	ID      int64
	Label   string // "2. Accessibility" (both languages when the label has them)
	Checked bool
}

// voteLinkSecret makes the secret of r's vote links in p, or "" when
// copbot has no https address to link to.
func (f *Feature) voteLinkSecret(ctx context.Context, p *storage.Poll, r recipient) (string, error) {
	if f.publicURL() == nil {
		return "", nil
	}
	return f.store.NewEmailVoteToken(ctx, p.ID, r.m.ID)
}

// voteURL is the link that votes for option with secret vote.
func (f *Feature) voteURL(vote string, option int64) string {
	u := f.publicURL().JoinPath("email", "vote", vote)
	u.RawQuery = "option=" + strconv.FormatInt(option, 10)
	return u.String()
}

// ballot is what a vote page shows: the poll now, and the member's choices.
type ballot struct {
	poll   *storage.Poll
	chosen []int64 // the member's choices (not for anonymous polls)
	voted  bool
}

// VoteLinkPage is the page a vote link opens (GET): the poll, and a form
// with option (0: none) chosen. It writes nothing.
func (f *Feature) VoteLinkPage(ctx context.Context, token string, option int64) VotePage {
	v, err := f.store.EmailVoterOf(ctx, token)
	if err != nil {
		return f.refusal(err, nil)
	}
	b, err := f.ballotOf(ctx, v)
	if err != nil {
		return f.refusal(err, b)
	}
	p := b.poll
	switch {
	case !p.Open() || (!p.ClosesAt.IsZero() && !f.now().Before(p.ClosesAt)):
		return f.refusal(storage.Errorf(storage.ECONFLICT, "poll_error_closed", map[string]any{"ID": p.ID}, "closed"), b)
	case p.Anonymous && b.voted:
		return f.refusal(storage.Errorf(storage.ECONFLICT, "poll_error_anonymous_final", map[string]any{"ID": p.ID}, "voted"), b)
	}
	if _, ok := p.Option(option); option != 0 && !ok {
		return f.refusal(storage.Errorf(storage.ECONFLICT, "email_vote_error_options_changed", map[string]any{"ID": p.ID}, "changed"), b)
	}
	return f.page(http.StatusOK, b, option, func(c *handlers.Call) []string {
		return f.voteHow(c, b, option)
	})
}

// VoteLinkKnown checks token by a read, before a vote takes anything
// scarce: when it is no vote link's, it returns the page that says so.
func (f *Feature) VoteLinkKnown(ctx context.Context, token string) (VotePage, bool) {
	if _, err := f.store.EmailVoterOf(ctx, token); err != nil {
		return f.refusal(err, nil), false
	}
	return VotePage{}, true
}

// CastVote records the options chosen on a vote page (POST) for the
// member of token, and says what was recorded, or why nothing was.
func (f *Feature) CastVote(ctx context.Context, token string, options []int64) VotePage {
	res, v, err := f.store.EmailVote(ctx, token, options)
	if err != nil {
		var b *ballot
		if v.PollID != 0 {
			b, _ = f.ballotOf(context.WithoutCancel(ctx), v)
		}
		return f.refusal(err, b)
	}
	if f.deps.Polls != nil {
		f.deps.Polls.VotesChanged(v.PollID)
	}
	b := &ballot{poll: res.Poll, chosen: res.Choices, voted: true}
	return f.page(http.StatusOK, b, 0, func(c *handlers.Call) []string {
		out := []string{f.recorded(c, res)}
		if !res.Poll.Anonymous && res.Action != storage.VoteRetracted && res.Action != storage.VoteNone {
			out = append(out, c.T("email_vote_change", nil))
		}
		return out
	}).withoutForm()
}

// ballotOf reads v's poll and v's choices in it; a member who left is
// refused.
func (f *Feature) ballotOf(ctx context.Context, v storage.EmailVoter) (*ballot, error) {
	p, err := f.store.PollByID(ctx, v.PollID)
	if err != nil {
		return nil, err
	}
	ms, _, err := f.store.FindMembers(ctx, storage.MemberFilter{ID: new(v.MemberID), IncludeLeft: true})
	if err != nil {
		return nil, err
	}
	b := &ballot{poll: p}
	if len(ms) != 1 || !ms[0].Active() {
		return b, storage.Errorf(storage.EFORBIDDEN, "email_vote_error_left", map[string]any{"ID": p.ID}, "left")
	}
	b.chosen, b.voted, err = f.store.MemberChoices(ctx, p.ID, v.MemberID)
	return b, err
}

// refusalText is the page text of an error, and whether the form is shown
// again (the member may choose again).
type refusalText struct {
	key   string
	again bool
}

// refusals are the page texts of the errors a vote link may meet, by the
// error's key.
var refusals = map[string]refusalText{
	"error_not_found":                  {"email_vote_unknown", false},
	"poll_error_not_found":             {"email_vote_unknown", false},
	"poll_error_closed":                {"email_vote_closed", false},
	"poll_error_anonymous_final":       {"email_vote_anonymous_final", false},
	"email_vote_error_left":            {"email_vote_error_left", false},
	"email_vote_error_options_changed": {"email_vote_error_options_changed", true},
	"poll_error_option_not_found":      {"email_vote_error_options_changed", true},
	"poll_error_vote_limit":            {"email_vote_too_many", true},
	"poll_error_ballot_empty":          {"email_vote_none_chosen", true},
	"poll_error_ballot_duplicate":      {"email_vote_invalid", true},
	"poll_error_use_ballot":            {"email_vote_invalid", true},
}

// refusal is the page of err: nothing was recorded, and why. b, when
// known, adds the poll's title and, where choosing again may work, the
// form.
func (f *Feature) refusal(err error, b *ballot) VotePage {
	var se *storage.Error
	var r refusalText
	known := false
	if errors.As(err, &se) {
		r, known = refusals[se.Key]
	}
	status := http.StatusServiceUnavailable
	key := "email_vote_busy"
	if known {
		key = r.key
		switch se.Code {
		case storage.ENOTFOUND:
			status = http.StatusNotFound
		case storage.EFORBIDDEN:
			status = http.StatusForbidden
		case storage.EINVALID:
			status = http.StatusUnprocessableEntity
		default:
			status = http.StatusConflict
		}
	} else {
		f.log.Warn("email vote not recorded", "err", err)
	}
	if b == nil || b.poll == nil {
		return VotePage{Status: status, Parts: f.parts(nil, func(c *handlers.Call) []string {
			return []string{c.T(key, nil)}
		})}
	}
	page := f.page(status, b, 0, func(c *handlers.Call) []string {
		return []string{c.T(key, map[string]any{"ID": b.poll.ID, "Max": b.poll.MaxVotes})}
	})
	if !r.again {
		return page.withoutForm()
	}
	return page
}

func (p VotePage) withoutForm() VotePage {
	p.Form = nil
	return p
}

// page is a page about b's poll: its question, lines, the deadline, the
// member's choices, and the form with option chosen.
func (f *Feature) page(status int, b *ballot, option int64, lines func(c *handlers.Call) []string) VotePage {
	p := b.poll
	loc := f.svc.Options().Location
	parts := f.parts(p, func(c *handlers.Call) []string {
		out := lines(c)
		if !p.ClosesAt.IsZero() && p.Open() {
			out = append(out, c.T("email_poll_closes", map[string]any{"When": c.When(p.ClosesAt, loc)}))
		}
		return out
	})
	form := &VoteForm{Multi: p.MaxVotes > 1, Submit: f.inLang("", func(c *handlers.Call) string { return c.T("email_vote_submit", nil) })}
	for _, o := range p.Options {
		if !form.Multi && option != 0 && o.ID != option {
			continue // the link's option alone: one button
		}
		checked := o.ID == option || (!p.Anonymous && slices.Contains(b.chosen, o.ID))
		form.Options = append(form.Options, FormOption{ID: o.ID, Checked: checked,
			Label: strconv.Itoa(o.Position) + ". " + f.inLang("", func(c *handlers.Call) string { return c.Own(o.Label) })})
	}
	return VotePage{Status: status, Parts: parts, Form: form}
}

// parts writes the page's text in English then French: the poll's title
// (p may be nil) and lines.
func (f *Feature) parts(p *storage.Poll, lines func(c *handlers.Call) []string) []PagePart {
	var out []PagePart
	for _, lang := range []string{"en", "fr"} {
		c := f.svc.LangCall(lang)
		part := PagePart{Lang: lang, Title: c.T("email_vote_title", nil)}
		if p != nil {
			part.Title = c.T("email_poll_header", map[string]any{"ID": p.ID, "Question": c.Own(p.Question)})
		}
		for _, l := range lines(c) {
			part.Lines = append(part.Lines, handlers.Unmark(l))
		}
		part.Title = handlers.Unmark(part.Title)
		out = append(out, part)
	}
	return out
}

// voteHow says what the form does: the member's choices so far, and how
// to vote.
func (f *Feature) voteHow(c *handlers.Call, b *ballot, option int64) []string {
	p := b.poll
	var out []string
	if len(b.chosen) > 0 && !p.Anonymous {
		out = append(out, c.T("email_vote_current", map[string]any{"Options": f.labels(c, p, b.chosen)}))
	}
	switch o, ok := p.Option(option); {
	case p.MaxVotes > 1:
		out = append(out, c.T("email_vote_many", map[string]any{"Max": p.MaxVotes}))
	case ok:
		out = append(out, c.T("email_vote_one", map[string]any{"Option": quote(c, o)}))
	default:
		out = append(out, c.T("email_vote_pick", nil))
	}
	if p.Anonymous {
		out = append(out, c.T("email_vote_anonymous", nil))
	}
	return out
}

// recorded says what a vote did.
func (f *Feature) recorded(c *handlers.Call, res *storage.VoteResult) string {
	p := res.Poll
	o, _ := p.Option(res.Option)
	switch {
	case res.Action == storage.VoteCast && p.Anonymous:
		return c.T("email_vote_recorded_anonymous", nil)
	case res.Action == storage.VoteCast:
		return c.T("email_vote_recorded_ballot", map[string]any{"Options": f.labels(c, p, res.Choices)})
	case res.Action == storage.VoteKept:
		return c.T("email_vote_kept", map[string]any{"Option": quote(c, o)})
	case res.Action == storage.VoteRetracted:
		return c.T("email_vote_retracted", map[string]any{"ID": p.ID})
	case res.Action == storage.VoteNone:
		return c.T("email_vote_none", map[string]any{"ID": p.ID})
	}
	return c.T("email_vote_recorded", map[string]any{"Option": quote(c, o)})
}

// labels lists the options ids name, "“A” and “B”", in the poll's order.
func (f *Feature) labels(c *handlers.Call, p *storage.Poll, ids []int64) string {
	var out []string
	for _, o := range p.Options {
		if slices.Contains(ids, o.ID) {
			out = append(out, quote(c, o))
		}
	}
	return c.AndList(out)
}

// quote is option o as the page names it: its number and label, quoted.
func quote(c *handlers.Call, o storage.PollOption) string {
	return c.T("email_vote_option", map[string]any{"Number": o.Position, "Option": c.Own(o.Label)})
}
