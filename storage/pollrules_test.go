package storage

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestApplyVote(t *testing.T) {
	tests := []struct {
		name    string
		current []int64
		option  int64
		max     int
		want    []int64
		action  VoteAction
		errKey  string
	}{
		{"first vote", nil, 1, 1, []int64{1}, VoteAdded, ""},
		{"same option again keeps it", []int64{1}, 1, 1, []int64{1}, VoteKept, ""},
		{"single choice moves", []int64{1}, 2, 1, []int64{2}, VoteChanged, ""},
		{"multi adds under limit", []int64{1}, 3, 2, []int64{1, 3}, VoteAdded, ""},
		{"multi chosen again keeps both", []int64{1, 3}, 1, 2, []int64{1, 3}, VoteKept, ""},
		{"multi at limit refused", []int64{1, 3}, 2, 2, nil, "", "poll_error_vote_limit"},
		{"multi at limit, a chosen one again", []int64{1, 3}, 3, 2, []int64{1, 3}, VoteKept, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.current)
			got, action, err := ApplyVote(tt.current, tt.option, tt.max)
			if key := pollErrKey(err); key != tt.errKey {
				t.Fatalf("error key = %q (%v), want %q", key, err, tt.errKey)
			}
			if !slices.Equal(got, tt.want) || action != tt.action {
				t.Errorf("got %v %q, want %v %q", got, action, tt.want, tt.action)
			}
			if !slices.Equal(tt.current, before) {
				t.Errorf("current modified: %v, was %v", tt.current, before)
			}
		})
	}
}

// TestApplyUnvote: taking back is explicit and idempotent; it never
// adds a vote.
func TestApplyUnvote(t *testing.T) {
	tests := []struct {
		name    string
		current []int64
		option  int64
		want    []int64
		action  VoteAction
	}{
		{"chosen", []int64{1}, 1, []int64{}, VoteRetracted},
		{"one of two", []int64{1, 3}, 1, []int64{3}, VoteRetracted},
		{"not chosen", []int64{3}, 1, []int64{3}, VoteNone},
		{"nothing chosen", nil, 1, []int64{}, VoteNone},
		{"all", []int64{1, 3}, 0, []int64{}, VoteRetracted},
		{"all of nothing", nil, 0, []int64{}, VoteNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.current)
			got, action := ApplyUnvote(tt.current, tt.option)
			if !slices.Equal(got, tt.want) || action != tt.action {
				t.Errorf("got %v %q, want %v %q", got, action, tt.want, tt.action)
			}
			if !slices.Equal(tt.current, before) {
				t.Errorf("current modified: %v, was %v", tt.current, before)
			}
		})
	}
}

func TestValidateBallot(t *testing.T) {
	tests := []struct {
		options []int64
		max     int
		errKey  string
	}{
		{[]int64{4}, 1, ""},
		{[]int64{4, 5}, 2, ""},
		{nil, 2, "poll_error_ballot_empty"},
		{[]int64{4, 5, 6}, 2, "poll_error_vote_limit"},
		{[]int64{4, 4}, 2, "poll_error_ballot_duplicate"},
	}
	for _, tt := range tests {
		if got := pollErrKey(ValidateBallot(tt.options, tt.max)); got != tt.errKey {
			t.Errorf("ValidateBallot(%v, %d) = %q, want %q", tt.options, tt.max, got, tt.errKey)
		}
	}
}

func TestValidatePoll(t *testing.T) {
	base := func() PollInput {
		return PollInput{Question: " Theme for March? ", Options: []string{" Accessibility technology", "Serving vulnerable communities "}}
	}
	long := strings.Repeat("é", PollMaxOptionLen+1)
	tests := []struct {
		name   string
		edit   func(*PollInput)
		errKey string
	}{
		{"valid", func(*PollInput) {}, ""},
		{"empty question", func(p *PollInput) { p.Question = "  " }, "poll_error_question_required"},
		{"long question", func(p *PollInput) { p.Question = strings.Repeat("q", PollMaxQuestionLen+1) }, "poll_error_too_long"},
		{"one option", func(p *PollInput) { p.Options = p.Options[:1] }, "poll_error_option_count"},
		{"eleven options", func(p *PollInput) { p.Options = pollLabels(11) }, "poll_error_option_count"},
		{"ten options", func(p *PollInput) { p.Options = pollLabels(10) }, ""},
		{"empty option", func(p *PollInput) { p.Options[1] = " " }, "poll_error_option_empty"},
		{"long option", func(p *PollInput) { p.Options[1] = long }, "poll_error_too_long"},
		{"75 accented runes fit", func(p *PollInput) { p.Options[1] = long[2:] }, ""},
		{"duplicate folded", func(p *PollInput) { p.Options[1] = "ACCESSIBILITY  technology!" }, "poll_error_option_duplicate"},
		{"duplicate accents", func(p *PollInput) { p.Options = []string{"Québec", "quebec"} }, "poll_error_option_duplicate"},
		{"votes above options", func(p *PollInput) { p.MaxVotes = 3 }, "poll_error_max_votes"},
		{"negative votes", func(p *PollInput) { p.MaxVotes = -1 }, "poll_error_max_votes"},
		{"remind without deadline", func(p *PollInput) { p.RemindBefore = time.Hour }, "poll_error_remind_needs_close"},
		{"remind with deadline", func(p *PollInput) { p.RemindBefore, p.ClosesAt = time.Hour, time.Now() }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.edit(&in)
			got, err := ValidatePoll(in)
			if key := pollErrKey(err); key != tt.errKey {
				t.Fatalf("error key = %q (%v), want %q", key, err, tt.errKey)
			}
			if err == nil && (got.MaxVotes < 1 || got.Language != "en" || strings.TrimSpace(got.Question) != got.Question) {
				t.Errorf("not normalized: %+v", got)
			}
		})
	}
}

func TestPollFold(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Accessibility technology", "accessibility   TECHNOLOGY"},
		{"Île-du-Prince-Édouard", "ile du prince edouard"},
		{"Serving vulnerable communities.", "serving vulnerable communities"},
	}
	for _, tt := range tests {
		if PollFold(tt.a) != PollFold(tt.b) {
			t.Errorf("PollFold(%q) = %q, PollFold(%q) = %q; want equal", tt.a, PollFold(tt.a), tt.b, PollFold(tt.b))
		}
	}
	if PollFold("Option 1") == PollFold("Option 2") {
		t.Error("distinct options fold together")
	}
}

func pollLabels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "Option " + string(rune('A'+i))
	}
	return out
}

func pollErrKey(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Key
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}
