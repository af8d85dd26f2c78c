package handlers

import (
	"slices"
	"testing"
	"time"

	"copbot/storage"
)

func pollTestTranslator(t *testing.T) *Translator {
	t.Helper()
	tr, err := NewTranslator()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// nbsp is the no-break space French typography puts before : ; ? ! and
// inside « ».
const nbsp = "\u00a0"

func TestPollPercent(t *testing.T) {
	tests := []struct{ votes, total, want int }{
		{0, 0, 0}, {0, 5, 0}, {1, 3, 33}, {2, 3, 67}, {1, 8, 13}, {1, 200, 1}, {1, 201, 0}, {5, 5, 100},
	}
	for _, tt := range tests {
		if got := pollPercent(tt.votes, tt.total); got != tt.want {
			t.Errorf("pollPercent(%d, %d) = %d, want %d", tt.votes, tt.total, got, tt.want)
		}
	}
}

func TestPollBar(t *testing.T) {
	tests := []struct {
		votes, total int
		want         string
	}{
		{0, 0, "░░░░░░░░░░"},
		{0, 10, "░░░░░░░░░░"},
		{10, 10, "██████████"},
		{5, 10, "█████░░░░░"},
		{1, 3, "███▍░░░░░░"}, // 26.7 eighths → 27: 3 cells and 3/8
		{1, 80, "▏░░░░░░░░░"},
		{1, 1000, "░░░░░░░░░░"},
	}
	for _, tt := range tests {
		got := pollBar(tt.votes, tt.total, 10)
		if got != tt.want {
			t.Errorf("pollBar(%d, %d) = %q, want %q", tt.votes, tt.total, got, tt.want)
		}
		if n := len([]rune(got)); n != 10 {
			t.Errorf("pollBar(%d, %d) is %d cells wide", tt.votes, tt.total, n)
		}
	}
}

func pollOpts(votes ...int) []storage.PollOption {
	labels := []string{"Accessibility technology", "Vulnerable communities", "Wellness", "AI"}
	out := make([]storage.PollOption, len(votes))
	for i, v := range votes {
		out[i] = storage.PollOption{ID: int64(10 + i), Position: i + 1, Label: labels[i], Votes: v}
	}
	return out
}

func TestPollWinners(t *testing.T) {
	tests := []struct {
		votes []int
		want  []int // positions
	}{
		{[]int{0, 0, 0}, nil},
		{[]int{3, 1, 0}, []int{1}},
		{[]int{2, 5, 5}, []int{2, 3}},
		{[]int{4, 4, 4}, []int{1, 2, 3}},
	}
	for _, tt := range tests {
		var got []int
		for _, o := range pollWinners(pollOpts(tt.votes...)) {
			got = append(got, o.Position)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("pollWinners(%v) = %v, want %v", tt.votes, got, tt.want)
		}
	}
}

func TestPollTurnout(t *testing.T) {
	tr := pollTestTranslator(t)
	tests := []struct {
		lang            string
		voters, members int
		want            string
	}{
		{"en", 12, 81, "12 of 81 members voted"},
		{"en", 1, 81, "1 of 81 members voted"},
		{"en", 1, 1, "1 of 1 member voted"},
		{"en", 0, 81, "No votes yet (81 active members)"},
		{"en", 0, 1, "No votes yet (1 active member)"},
		{"fr", 12, 81, "12 membres sur 81 ont voté"},
		{"fr", 1, 81, "1 membre sur 81 a voté"},
		{"fr", 2, 2, "2 membres sur 2 ont voté"},
		{"fr", 0, 81, "Aucun vote pour l’instant (81 membres actifs)"},
		{"fr", 0, 1, "Aucun vote pour l’instant (1 membre actif)"},
	}
	for _, tt := range tests {
		if got := pollTurnout(tr, tt.lang, tt.voters, tt.members); got != tt.want {
			t.Errorf("pollTurnout(%s, %d, %d) = %q, want %q", tt.lang, tt.voters, tt.members, got, tt.want)
		}
	}
}

func TestPollResult(t *testing.T) {
	tr := pollTestTranslator(t)
	poll := func(voters int, votes ...int) *storage.Poll {
		return &storage.Poll{Voters: voters, Options: pollOpts(votes...)}
	}
	tests := []struct {
		lang string
		p    *storage.Poll
		want string
	}{
		{"en", poll(0, 0, 0), "No votes were cast."},
		{"fr", poll(0, 0, 0), "Aucun vote n’a été exprimé."},
		{"en", poll(12, 9, 3), "Result: “Accessibility technology” wins with 9 votes (75% of voters)."},
		{"en", poll(1, 1, 0), "Result: “Accessibility technology” wins with 1 vote (100% of voters)."},
		{"fr", poll(12, 9, 3), "Résultat" + nbsp + ": «" + nbsp + "Accessibility technology" + nbsp + "» l’emporte avec 9 voix (75" + nbsp + "% des votants)."},
		{"en", poll(10, 5, 5), "Tie: “Accessibility technology” and “Vulnerable communities” have 5 votes each."},
		{"en", poll(3, 1, 1, 1), "Tie: “Accessibility technology”, “Vulnerable communities” and “Wellness” have 1 vote each."},
		{"fr", poll(10, 5, 5), "Égalité" + nbsp + ": «" + nbsp + "Accessibility technology" + nbsp + "» et «" + nbsp +
			"Vulnerable communities" + nbsp + "» obtiennent chacun 5 voix."},
	}
	for _, tt := range tests {
		if got := pollResult(tr, tt.lang, tt.p); got != tt.want {
			t.Errorf("pollResult(%s, %v)\n got %q\nwant %q", tt.lang, pollVotesOf(tt.p), got, tt.want)
		}
	}
}

func pollVotesOf(p *storage.Poll) []int {
	var out []int
	for _, o := range p.Options {
		out = append(out, o.Votes)
	}
	return out
}

func TestPollOptionLineAndWhen(t *testing.T) {
	tr := pollTestTranslator(t)
	l := pollLine{Position: 2, Label: "Wellness", Votes: 1, Percent: 50, Bar: "█████░░░░░"}
	if got, want := pollOptionLine(tr, "en", l), "2. Wellness\n█████░░░░░ 50% · 1 vote"; got != want {
		t.Errorf("en line = %q, want %q", got, want)
	}
	l.Votes = 3
	if got, want := pollOptionLine(tr, "fr", l), "2. Wellness\n█████░░░░░ 50"+nbsp+"% · 3 voix"; got != want {
		t.Errorf("fr line = %q, want %q", got, want)
	}
	toronto, _ := time.LoadLocation("America/Toronto")
	at := time.Date(2027, 2, 20, 22, 0, 0, 0, time.UTC)
	if got, want := pollWhen(tr, "en", at, toronto), "2027-02-20 at 17:00 EST"; got != want {
		t.Errorf("en when = %q, want %q", got, want)
	}
	if got, want := pollWhen(tr, "fr", at, toronto), "2027-02-20 à 17"+nbsp+"h"+nbsp+"00 (EST)"; got != want {
		t.Errorf("fr when = %q, want %q", got, want)
	}
}

func TestParsePollArgs(t *testing.T) {
	toronto, _ := time.LoadLocation("America/Toronto")
	now := time.Date(2027, 2, 1, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		line   string
		check  func(pollArgs) bool
		errKey string
	}{
		{"question and options", `"Theme?" "A" "B"`, func(a pollArgs) bool {
			return a.Question == "Theme?" && len(a.Options) == 2 && a.MaxVotes == 0
		}, ""},
		{"all flags", `"Q?" "A" "B" --votes 2 --anonymous --closes 7d --remind 24h --open-options --meeting 3`, func(a pollArgs) bool {
			return a.MaxVotes == 2 && a.Anonymous && a.OpenOptions && a.MeetingID == 3 && a.Remind == 24*time.Hour &&
				a.ClosesAt.Equal(now.Add(7*24*time.Hour))
		}, ""},
		{"french flags", `"Q ?" "A" "B" --choix=2 --anonyme --fin 48h --rappel 2h --reunion 4`, func(a pollArgs) bool {
			return a.MaxVotes == 2 && a.Anonymous && a.MeetingID == 4 && a.ClosesAt.Equal(now.Add(48*time.Hour))
		}, ""},
		{"em dash from a phone", `"Q?" "A" "B" —votes 2 —anonymous`, func(a pollArgs) bool { return a.MaxVotes == 2 && a.Anonymous }, ""},
		{"date is end of day in the community zone", `"Q?" "A" "B" --closes 2027-02-20`, func(a pollArgs) bool {
			return a.ClosesAt.Equal(time.Date(2027, 2, 20, 23, 59, 0, 0, toronto))
		}, ""},
		{"date and time", `"Q?" "A" "B" --closes 2027-02-20 17:00`, func(a pollArgs) bool {
			return a.ClosesAt.Equal(time.Date(2027, 2, 20, 17, 0, 0, 0, toronto)) && len(a.Options) == 2
		}, ""},
		{"french days", `"Q?" "A" "B" --fin 7j`, func(a pollArgs) bool { return a.ClosesAt.Equal(now.Add(7 * 24 * time.Hour)) }, ""},
		{"seconds", `"Q?" "A" "B" --closes 2s`, func(a pollArgs) bool { return a.ClosesAt.Equal(now.Add(2 * time.Second)) }, ""},
		{"anonymous=no", `--anonymous=no`, func(a pollArgs) bool { return !a.Anonymous && a.set["anonymous"] }, ""},
		{"remove deadline", `--closes none`, func(a pollArgs) bool { return a.ClosesAt.IsZero() && a.set["closes"] }, ""},
		{"unknown flag", `"Q?" "A" "B" --colour red`, nil, "poll_error_unknown_flag"},
		{"missing value", `"Q?" "A" "B" --votes`, nil, "poll_error_flag_value"},
		{"bad votes", `"Q?" "A" "B" --votes many`, nil, "poll_error_votes_number"},
		{"past date", `"Q?" "A" "B" --closes 2027-01-01`, nil, "poll_error_closes_past"},
		{"too far", `"Q?" "A" "B" --closes 2029-01-01`, nil, "poll_error_closes_far"},
		{"garbage date", `"Q?" "A" "B" --closes tomorrow`, nil, "poll_error_closes_format"},
		{"remind without deadline", `"Q?" "A" "B" --remind 24h`, nil, "poll_error_remind_needs_close"},
		{"bad remind", `"Q?" "A" "B" --closes 7d --remind soon`, nil, "poll_error_remind_format"},
		{"bad meeting", `"Q?" "A" "B" --meeting next`, nil, "poll_error_meeting_id"},
		{"bad yes/no", `--anonymous=maybe`, nil, "poll_error_flag_yes_no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parsePollArgs(Fields(tt.line), now, toronto)
			gotKey := ""
			if err != nil {
				gotKey = err.Key
			}
			if gotKey != tt.errKey {
				t.Fatalf("error = %q (%v), want %q", gotKey, err, tt.errKey)
			}
			if tt.check != nil && !tt.check(a) {
				t.Errorf("parsed %+v", a)
			}
		})
	}
}

func TestParsePollDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * 24 * time.Hour, true}, {"48h", 48 * time.Hour, true}, {"90m", 90 * time.Minute, true},
		{"90min", 90 * time.Minute, true}, {"2w", 14 * 24 * time.Hour, true}, {"2sem", 14 * 24 * time.Hour, true},
		{"30s", 30 * time.Second, true}, {"0h", 0, false}, {"h", 0, false}, {"7", 0, false}, {"7y", 0, false},
		{"-1h", 0, false}, {"99999999999999d", 0, false},
	}
	for _, tt := range tests {
		got, ok := parsePollDuration(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parsePollDuration(%q) = %v %v, want %v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPollCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=SUM(A1)", "'=SUM(A1)"}, {"+1", "'+1"}, {"-2", "'-2"}, {"@cmd", "'@cmd"}, {"\tx", "'\tx"},
		{"\rx", "'\rx"}, {"Plain", "Plain"}, {"", ""}, {"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := pollCSVCell(tt.in); got != tt.want {
			t.Errorf("pollCSVCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
