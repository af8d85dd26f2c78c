package polls

import (
	"strings"
	"time"

	"copbot/storage"
)

// This file is the pure part of polls: tallies, ties, turnout, bars and
// the sentences that phrase them. No I/O; the translator only reads the
// embedded catalogs. Option validation and vote application are pure too
// but live in storage (ValidatePoll, ApplyVote), which applies them inside
// its transactions.

// pollBarWidth is the number of character cells of a full bar.
const pollBarWidth = 10

// pollEighths are the partial blocks, from one eighth to seven eighths.
var pollEighths = [...]string{"▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// pollLine is one option as shown: its count, share and bar.
type pollLine struct {
	Position int
	Label    string
	Votes    int
	Percent  int // of the members who voted
	Bar      string
	Winner   bool // among the most chosen, with at least one vote
}

// pollLines shows each option's share of the voters (not of the choices:
// in a multiple-choice poll "60 %" means 60 % of those who voted picked it,
// so shares may add up to more than 100).
func pollLines(p *storage.Poll) []pollLine {
	win := map[int64]bool{}
	for _, o := range pollWinners(p.Options) {
		win[o.ID] = true
	}
	out := make([]pollLine, len(p.Options))
	for i, o := range p.Options {
		out[i] = pollLine{Position: o.Position, Label: o.Label, Votes: o.Votes,
			Percent: pollPercent(o.Votes, p.Voters), Bar: pollBar(o.Votes, p.Voters, pollBarWidth), Winner: win[o.ID]}
	}
	return out
}

// pollWinners returns the options with the most votes, in position order:
// one is a winner, several are a tie, none means nobody voted.
func pollWinners(opts []storage.PollOption) []storage.PollOption {
	best := 0
	for _, o := range opts {
		best = max(best, o.Votes)
	}
	var out []storage.PollOption
	for _, o := range opts {
		if best > 0 && o.Votes == best {
			out = append(out, o)
		}
	}
	return out
}

// pollPercent is votes/total as a whole percentage, halves rounded up;
// 0 when nobody voted.
func pollPercent(votes, total int) int {
	if total <= 0 {
		return 0
	}
	return (200*votes + total) / (2 * total)
}

// pollBar draws votes/total as width cells of full blocks, one partial
// block for the remaining eighths, and light shade for the rest, so bars
// of equal length line up in monospace and proportional fonts alike.
func pollBar(votes, total, width int) string {
	eighths := 0
	if total > 0 {
		eighths = min((8*width*votes+total/2)/total, 8*width)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("█", eighths/8))
	cells := eighths / 8
	if r := eighths % 8; r > 0 {
		b.WriteString(pollEighths[r-1])
		cells++
	}
	b.WriteString(strings.Repeat("░", width-cells))
	return b.String()
}

// pollTurnout phrases how many of the active members voted, with the
// numbers written the language's way ("100,000", « 100 000 »). When the
// counts could not be read it says nothing rather than something false.
func (c *call) pollTurnout(v pollView) string {
	if !v.ok {
		return ""
	}
	data := map[string]any{"Voters": c.Num(v.Voters), "Members": c.Num(v.Members)}
	if v.Voters == 0 {
		return c.N("poll_turnout_none", v.Members, data)
	}
	return c.N("poll_turnout", pollTurnoutPluralCount(c.Lang, v.Voters, v.Members), data)
}

// pollTurnoutPluralCount is the count the turnout sentence agrees with.
// English inflects the noun after the total ("1 of 1 member", "1 of 81
// members"); French makes the noun and the verb agree with the voters
// ("1 membre sur 81 a voté", "12 membres sur 81 ont voté"). This is
// grammar, like plural rules, so it is decided here and not by a string
// in a catalog.
func pollTurnoutPluralCount(lang string, voters, members int) int {
	if lang == "fr" {
		return voters
	}
	return members
}

// pollQuote puts user text in the language's quotation marks: the
// call's language's part of a bilingual text.
func (c *call) pollQuote(text string) string {
	return c.T("poll_quote", map[string]any{"Text": c.Own(text)})
}

// pollResult phrases the outcome: no votes, a winner with its count and
// share, or a tie between all the most chosen options.
func (c *call) pollResult(p *storage.Poll) string {
	win := pollWinners(p.Options)
	switch len(win) {
	case 0:
		return c.T("poll_result_none", nil)
	case 1:
		return c.Count("poll_result_winner", win[0].Votes, map[string]any{
			"Option": c.pollQuote(win[0].Label), "Percent": pollPercent(win[0].Votes, p.Voters)})
	}
	labels := make([]string, len(win))
	for i, o := range win {
		labels[i] = c.pollQuote(o.Label)
	}
	return c.Count("poll_result_tie", win[0].Votes, map[string]any{
		"Options": c.AndList(labels), "Ties": len(win)})
}

// pollWhen writes an instant in the community zone as meetings do:
// "Sunday, March 14, 2027 at 11:59 p.m. EDT", « dimanche 14 mars 2027 à
// 23 h 59 HAE ».
func (c *call) pollWhen(t time.Time) string {
	return c.When(t, c.s.opts.Location)
}

// pollOptionLine is one option shown to one reader: number, label (their
// language's part), bar, share and count; for a reader who asked for plain
// replies, the same in words, without the bar.
func (c *call) pollOptionLine(l pollLine) string {
	key := "poll_option_line"
	if c.Plain {
		key = "poll_option_plain"
	}
	return c.Count(key, l.Votes, map[string]any{"Position": l.Position, "Label": c.Own(l.Label),
		"Bar": l.Bar, "Percent": l.Percent})
}

// pollCount is an option's count and share, short, in the call's language:
// "3 votes, 60%", « 3 voix, 60 % ».
func (c *call) pollCount(l pollLine) string {
	return c.Count("poll_count", l.Votes, map[string]any{"Percent": l.Percent})
}
