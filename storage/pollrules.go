package storage

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// This file holds the poll rules that need no I/O. They live in storage,
// not handlers, because Vote and CreatePoll apply them inside their
// transactions and storage imports nothing of copbot's; handlers call them
// too, to show errors before anything is written.

// Poll limits.
const (
	PollMinOptions     = 2
	PollMaxOptions     = 10
	PollMaxQuestionLen = 300 // characters
	// PollMaxOptionLen keeps an option within a Slack button (75 characters).
	PollMaxOptionLen = 75
)

// VoteAction says what a vote or an unvote did to a member's choices.
type VoteAction string

// Vote actions.
const (
	VoteAdded     VoteAction = "added"     // the option was added to the member's choices
	VoteKept      VoteAction = "kept"      // the option was already chosen: nothing changed
	VoteRetracted VoteAction = "retracted" // an unvote took the option (or every choice) back
	VoteNone      VoteAction = "none"      // an unvote of an option not chosen: nothing changed
	VoteChanged   VoteAction = "changed"   // single-choice poll: the choice moved to the option
	VoteCast      VoteAction = "cast"      // a whole ballot was cast (anonymous polls, vote N M …)
)

// ApplyVote returns the member's choices after voting for option, given
// their current choices and the poll's limit of max choices. A vote always
// means "for": an option already chosen stays chosen (VoteKept), so a click
// sent twice, or delivered again after a restart, never takes a vote back;
// taking back is ApplyUnvote's. Another option is added while under the
// limit; at the limit a single-choice vote moves, and a multiple-choice
// vote is refused (the member must first take one back), because guessing
// which choice to drop would silently change a vote. current is not
// modified.
func ApplyVote(current []int64, option int64, max int) ([]int64, VoteAction, error) {
	switch {
	case slices.Contains(current, option):
		return slices.Clone(current), VoteKept, nil
	case len(current) < max:
		return append(slices.Clone(current), option), VoteAdded, nil
	case max == 1:
		return []int64{option}, VoteChanged, nil
	}
	return nil, "", Errorf(ECONFLICT, "poll_error_vote_limit", map[string]any{"Max": max},
		"member already has %d choices", max)
}

// ApplyUnvote returns the member's choices after taking back option, or
// every choice when option is 0. Taking back what is not chosen changes
// nothing (VoteNone), so an unvote repeated never turns into a vote.
// current is not modified.
func ApplyUnvote(current []int64, option int64) ([]int64, VoteAction) {
	switch i := slices.Index(current, option); {
	case option == 0 && len(current) > 0:
		return []int64{}, VoteRetracted
	case i >= 0:
		return slices.Delete(slices.Clone(current), i, i+1), VoteRetracted
	}
	return slices.Clone(current), VoteNone
}

// ValidateBallot checks a whole ballot: between 1 and max distinct options.
func ValidateBallot(options []int64, max int) error {
	if len(options) == 0 {
		return Errorf(EINVALID, "poll_error_ballot_empty", nil, "empty ballot")
	}
	if len(options) > max {
		return Errorf(EINVALID, "poll_error_vote_limit", map[string]any{"Max": max},
			"%d choices for a limit of %d", len(options), max)
	}
	seen := map[int64]bool{}
	for _, o := range options {
		if seen[o] {
			return Errorf(EINVALID, "poll_error_ballot_duplicate", nil, "option %d chosen twice", o)
		}
		seen[o] = true
	}
	return nil
}

// ValidatePoll checks a new poll without I/O and returns it normalized
// (spaces trimmed, MaxVotes defaulted to 1, Language to "en"). Deadlines
// are checked by CreatePoll, which knows the time.
func ValidatePoll(in PollInput) (PollInput, error) {
	if err := checkText("question", in.Question, textBreaks); err != nil {
		return in, err
	}
	in.Question = cleanBlock(in.Question)
	if in.Question == "" {
		return in, Errorf(EINVALID, "poll_error_question_required", nil, "empty question")
	}
	if n := utf8.RuneCountInString(in.Question); n > PollMaxQuestionLen {
		return in, pollTooLong("question", PollMaxQuestionLen)
	}
	opts, err := ValidatePollOptions(in.Options)
	if err != nil {
		return in, err
	}
	in.Options = opts
	if in.MaxVotes == 0 {
		in.MaxVotes = 1
	}
	if in.MaxVotes < 1 || in.MaxVotes > len(opts) {
		return in, Errorf(EINVALID, "poll_error_max_votes", map[string]any{"Max": len(opts), "Value": in.MaxVotes},
			"max votes %d not in 1..%d", in.MaxVotes, len(opts))
	}
	if in.Language != "fr" {
		in.Language = "en"
	}
	if in.RemindBefore < 0 || (in.RemindBefore > 0 && in.ClosesAt.IsZero()) {
		return in, Errorf(EINVALID, "poll_error_remind_needs_close", nil, "reminder without deadline")
	}
	return in, nil
}

// ValidatePollOptions trims the option labels and checks their number,
// that none is empty or too long, and that no two are equal once case,
// accents and spacing are folded away.
func ValidatePollOptions(labels []string) ([]string, error) {
	if len(labels) < PollMinOptions || len(labels) > PollMaxOptions {
		return nil, Errorf(EINVALID, "poll_error_option_count",
			map[string]any{"Min": PollMinOptions, "Max": PollMaxOptions, "Count": len(labels)},
			"%d options", len(labels))
	}
	out := make([]string, len(labels))
	seen := map[string]int{}
	for i, l := range labels {
		l, err := ValidatePollOption(l, i+1)
		if err != nil {
			return nil, err
		}
		if j, dup := seen[PollFold(l)]; dup {
			return nil, Errorf(EINVALID, "poll_error_option_duplicate",
				map[string]any{"Label": l, "Number": i + 1, "Other": j},
				"option %d repeats option %d", i+1, j)
		}
		seen[PollFold(l)] = i + 1
		out[i] = l
	}
	return out, nil
}

// ValidatePollOption trims one label and checks it; number (1-based) is
// only used in the error.
func ValidatePollOption(label string, number int) (string, error) {
	if err := checkText("option", label, textLine); err != nil {
		return "", err
	}
	label = cleanLine(label)
	if label == "" {
		return "", Errorf(EINVALID, "poll_error_option_empty", map[string]any{"Number": number},
			"option %d is empty", number)
	}
	if utf8.RuneCountInString(label) > PollMaxOptionLen {
		return "", pollTooLong("option", PollMaxOptionLen)
	}
	return label, nil
}

func pollTooLong(field string, max int) *Error {
	return Errorf(EINVALID, "poll_error_too_long", map[string]any{"Field": field, "Max": max},
		"%s longer than %d characters", field, max)
}

// PollFold is the key under which two option labels count as the same:
// lower case, no accents, runs of spaces and punctuation as one space.
func PollFold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	f := strings.FieldsFunc(strings.ToLower(out), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	})
	return strings.Join(f, " ")
}
