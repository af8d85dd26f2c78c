package polls

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// actVote handles a click on an option button: Value is "pollID:optionID".
// A click always means "vote for": the same click again, or delivered
// again by the platform, changes nothing (taking back is the unvote
// command, which the confirmation names: a text answer, so that Teams can
// show it in a channel's invoke response).
func (f *Feature) actVote(ctx context.Context, c *call, value string) handlers.Reply {
	pollID, optionID, ok := parseVoteValue(value)
	if !ok {
		return c.ErrorReply("error_unknown_action", nil)
	}
	return f.vote(ctx, c, pollID, func(member int64) (*storage.VoteResult, error) {
		return f.store.Vote(ctx, pollID, member, optionID)
	})
}

// parseVoteValue reads a vote button's "pollID:optionID".
func parseVoteValue(v string) (pollID, optionID int64, ok bool) {
	a, b, _ := strings.Cut(v, ":")
	pollID, err1 := strconv.ParseInt(a, 10, 64)
	optionID, err2 := strconv.ParseInt(b, 10, 64)
	return pollID, optionID, err1 == nil && err2 == nil
}

// cmdUnvote answers `unvote POLL [N]`: takes back the vote for option N,
// or every vote of the asker in the poll.
func (f *Feature) cmdUnvote(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) < 1 || len(c.Args) > 2 {
		return c.ErrorReply("poll_error_unvote_usage", c.With(nil))
	}
	poll, r, ok := f.load(ctx, c, c.Args[0])
	if !ok {
		return r
	}
	var option int64
	if len(c.Args) == 2 {
		w := c.Args[1]
		n, err := strconv.Atoi(strings.TrimSpace(w))
		o, ok := poll.OptionAt(n)
		if err != nil || !ok {
			return c.ErrorReply("poll_error_option_number", c.With(map[string]any{"Value": w,
				"Max": len(poll.Options), "ID": poll.ID}))
		}
		option = o.ID
	}
	return f.vote(ctx, c, poll.ID, func(member int64) (*storage.VoteResult, error) {
		return f.store.Unvote(ctx, poll.ID, member, option)
	})
}

// cmdVote answers `vote POLL N [M …] [--final]`: one number votes for that
// option (the same number again changes nothing), several cast a whole
// ballot. An anonymous ballot is final, so one with fewer choices than the
// poll allows needs --final: a member who meant to send the rest in a
// second command would otherwise lose them.
func (f *Feature) cmdVote(ctx context.Context, c *call) handlers.Reply {
	words, final := pollVoteFinal(c.Args)
	if len(words) < 2 {
		return c.ErrorReply("poll_error_vote_usage", c.With(nil))
	}
	poll, r, ok := f.load(ctx, c, words[0])
	if !ok {
		return r
	}
	var ids []int64
	var nums []int
	for _, w := range words[1:] {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(w), ","))
		o, ok := poll.OptionAt(n)
		if err != nil || !ok {
			return c.ErrorReply("poll_error_option_number", c.With(map[string]any{"Value": w,
				"Max": len(poll.Options), "ID": poll.ID}))
		}
		ids, nums = append(ids, o.ID), append(nums, n)
	}
	if len(ids) < poll.MaxVotes && !final && f.ballotPending(ctx, c, poll) {
		return c.pollPartialBallot(poll, nums)
	}
	return f.vote(ctx, c, poll.ID, func(member int64) (*storage.VoteResult, error) {
		if len(ids) == 1 && !(poll.Anonymous && poll.MaxVotes > 1) {
			return f.store.Vote(ctx, poll.ID, member, ids[0])
		}
		return f.store.CastBallot(ctx, poll.ID, member, ids)
	})
}

// pollVoteFinal removes the --final flag (--definitif, —final…) from a
// vote command's words and reports whether it was there.
func pollVoteFinal(args []string) (words []string, final bool) {
	for _, w := range args {
		if name, _, _, ok := handlers.SplitFlag(w); ok {
			switch handlers.Fold(name) {
			case "final", "definitif", "definitive":
				final = true
				continue
			}
		}
		words = append(words, w)
	}
	return words, final
}

// ballotPending reports whether the asker can still cast a ballot in an
// open anonymous multiple-choice poll. Other cases go on to vote, which
// explains them (not a member, closed, already voted).
func (f *Feature) ballotPending(ctx context.Context, c *call, poll *storage.Poll) bool {
	if !poll.Anonymous || poll.MaxVotes < 2 || c.Member == nil || !poll.Open() {
		return false
	}
	_, voted, err := f.store.MemberChoices(ctx, poll.ID, c.Member.ID)
	return err == nil && !voted
}

// pollPartialBallot refuses an anonymous ballot with fewer choices than
// allowed, showing how to send them all at once or confirm with --final.
func (c *call) pollPartialBallot(poll *storage.Poll, nums []int) handlers.Reply {
	chosen := map[int]bool{}
	var mine, full []string
	for _, n := range nums {
		chosen[n] = true
		mine = append(mine, strconv.Itoa(n))
	}
	full = append(full, mine...)
	for n := 1; n <= len(poll.Options) && len(full) < poll.MaxVotes; n++ {
		if !chosen[n] {
			full = append(full, strconv.Itoa(n))
		}
	}
	return c.ErrorReply("poll_error_partial_ballot", c.With(map[string]any{"ID": poll.ID, "Used": len(nums),
		"Max": poll.MaxVotes, "Mine": strings.Join(mine, " "), "Full": strings.Join(full, " ")}))
}

// vote runs do for the asking member, marks the poll's messages for
// update and confirms privately. Non-members are invited to join.
func (f *Feature) vote(ctx context.Context, c *call, pollID int64, do func(member int64) (*storage.VoteResult, error)) handlers.Reply {
	if c.Member == nil {
		return c.pollJoinFirst()
	}
	res, err := do(c.Member.ID)
	if err != nil {
		return c.Fail(err)
	}
	f.upd.mark(pollID)
	return c.pollVoted(ctx, res)
}

// pollJoinFirst invites a non-member to join before voting.
func (c *call) pollJoinFirst() handlers.Reply {
	msg := c.T("poll_error_join_first", c.With(nil))
	return handlers.Reply{Kind: "error", Lang: c.Lang, Text: msg, Blocks: []handlers.Block{handlers.Section{Text: msg},
		handlers.Actions{Buttons: []handlers.Button{{ActionID: "signup_open", Label: c.T("poll_join_button", nil), Style: handlers.StylePrimary}}}}}
}

// pollVoted confirms a vote to the voter.
func (c *call) pollVoted(ctx context.Context, res *storage.VoteResult) handlers.Reply {
	poll := res.Poll
	var lines []string
	switch res.Action {
	case storage.VoteCast:
		key := "poll_voted_ballot"
		if poll.Anonymous {
			key = "poll_voted_anonymous"
		}
		lines = append(lines, c.T(key, map[string]any{"ID": poll.ID, "Options": c.pollLabels(poll, res.Choices)}))
	default:
		if o, ok := poll.Option(res.Option); ok {
			lines = append(lines, c.pollVoteLine(poll, res.Action, o))
		} else { // an unvote of every choice
			lines = append(lines, c.T("poll_voted_"+string(res.Action)+"_all", c.With(map[string]any{"ID": poll.ID})))
		}
		if poll.MaxVotes > 1 {
			lines = append(lines, c.pollChoicesLeft(poll, len(res.Choices)))
		}
	}
	blocks := []handlers.Block{handlers.Section{Text: strings.Join(lines, "\n")}}
	if t := c.pollTurnout(c.s.pollViewOf(ctx, poll, res.Turnout, true)); t != "" {
		blocks = append(blocks, handlers.Context{Text: t})
	}
	return c.Reply("poll_vote", handlers.Ephemeral, blocks...)
}

func (c *call) pollChoicesLeft(poll *storage.Poll, used int) string {
	if left := poll.MaxVotes - used; left > 0 {
		return c.N("poll_choices_left", left, map[string]any{"Used": used, "Max": poll.MaxVotes})
	}
	return c.N("poll_choices_full", poll.MaxVotes, c.With(map[string]any{"ID": poll.ID}))
}

// actBallot opens the ballot form of an anonymous multiple-choice poll.
func (f *Feature) actBallot(ctx context.Context, c *call, value string) handlers.Reply {
	poll, r, ok := f.load(ctx, c, value)
	if !ok {
		return r
	}
	if c.Member == nil {
		return c.pollJoinFirst()
	}
	if !poll.Open() {
		return c.ErrorReply("poll_error_closed", map[string]any{"ID": poll.ID})
	}
	opts := make([]handlers.Option, len(poll.Options))
	for i, o := range poll.Options {
		opts[i] = handlers.Option{Value: fmt.Sprint(o.Position), Label: handlers.Unmark(pollButtonLabel(o, c.Own))}
	}
	form := &handlers.Form{ID: "poll_ballot", Title: c.T("poll_ballot_title", map[string]any{"ID": poll.ID}),
		Submit: c.T("poll_ballot_submit", nil), State: fmt.Sprint(poll.ID)}
	for i := range poll.MaxVotes {
		form.Fields = append(form.Fields, handlers.FormField{ID: fmt.Sprintf("choice%d", i+1), Kind: handlers.FieldSelect, Options: opts,
			Label: c.T("poll_ballot_choice", map[string]any{"N": i + 1}), Optional: i > 0})
	}
	text := c.T("poll_ballot_text", c.With(map[string]any{"ID": poll.ID, "Max": poll.MaxVotes}))
	return handlers.Reply{Kind: "poll_ballot", Lang: c.Lang, Text: text, Blocks: []handlers.Block{handlers.Section{Text: text}}, Form: form}
}

// submitBallot casts the ballot form: the chosen options, blanks skipped.
func (f *Feature) submitBallot(ctx context.Context, c *call, state string, values map[string]string) (handlers.Reply, map[string]string) {
	poll, r, ok := f.load(ctx, c, state)
	if !ok {
		return r, nil
	}
	var ids []int64
	for i := range poll.MaxVotes {
		field := fmt.Sprintf("choice%d", i+1)
		v := strings.TrimSpace(values[field])
		if v == "" {
			continue
		}
		n, _ := strconv.Atoi(v)
		o, ok := poll.OptionAt(n)
		if !ok {
			return c.ErrorReply("error_unknown_action", nil), map[string]string{field: c.T("poll_error_ballot_choice", nil)}
		}
		ids = append(ids, o.ID)
	}
	r = f.vote(ctx, c, poll.ID, func(member int64) (*storage.VoteResult, error) {
		return f.store.CastBallot(ctx, poll.ID, member, ids)
	})
	if r.Kind == "error" {
		return r, map[string]string{"choice1": r.Text}
	}
	return r, nil
}
