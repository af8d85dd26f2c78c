package polls

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"copbot/handlers"
	"copbot/handlers/handlerstest"
	"copbot/storage"
)

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

// pollTestCall is a call in lang on a Service without a database, in the
// Toronto zone, for the pure phrasing functions.
func pollTestCall(t *testing.T, lang string) *call {
	t.Helper()
	s, err := handlers.New(nil, handlerstest.Options(t), time.Now, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return Install(s, Deps{}).langCall(lang)
}

func TestPollTurnout(t *testing.T) {
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
		{"en", 1234, 100000, "1,234 of 100,000 members voted"},
		{"fr", 12, 81, "12 membres sur 81 ont voté"},
		{"fr", 1, 81, "1 membre sur 81 a voté"},
		{"fr", 2, 2, "2 membres sur 2 ont voté"},
		{"fr", 0, 81, "Aucun vote pour l’instant (81 membres actifs)"},
		{"fr", 0, 1, "Aucun vote pour l’instant (1 membre actif)"},
		{"fr", 1234, 100000, "1" + nbsp + "234 membres sur 100" + nbsp + "000 ont voté"},
		{"fr", 0, 100000, "Aucun vote pour l’instant (100" + nbsp + "000 membres actifs)"},
	}
	calls := map[string]*call{"en": pollTestCall(t, "en"), "fr": pollTestCall(t, "fr")}
	for _, tt := range tests {
		got := calls[tt.lang].pollTurnout(pollView{Voters: tt.voters, Members: tt.members, ok: true})
		if got != tt.want {
			t.Errorf("pollTurnout(%s, %d, %d) = %q, want %q", tt.lang, tt.voters, tt.members, got, tt.want)
		}
	}
	if got := calls["en"].pollTurnout(pollView{}); got != "" {
		t.Errorf("turnout that could not be read = %q, want nothing", got)
	}
}

func TestPollResult(t *testing.T) {
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
		{"en", poll(20000, 15000, 5000), "Result: “Accessibility technology” wins with 15,000 votes (75% of voters)."},
		{"fr", poll(12, 9, 3), "Résultat" + nbsp + ": «" + nbsp + "Accessibility technology" + nbsp + "» l’emporte avec 9 voix (75" + nbsp + "% des votants)."},
		{"fr", poll(20000, 15000, 5000), "Résultat" + nbsp + ": «" + nbsp + "Accessibility technology" + nbsp + "» l’emporte avec 15" + nbsp + "000 voix (75" + nbsp + "% des votants)."},
		{"en", poll(10, 5, 5), "Tie: “Accessibility technology” and “Vulnerable communities” have 5 votes each."},
		{"en", poll(3, 1, 1, 1), "Tie: “Accessibility technology”, “Vulnerable communities” and “Wellness” have 1 vote each."},
		{"fr", poll(10, 5, 5), "Égalité" + nbsp + ": «" + nbsp + "Accessibility technology" + nbsp + "» et «" + nbsp +
			"Vulnerable communities" + nbsp + "» obtiennent chacun 5 voix."},
	}
	calls := map[string]*call{"en": pollTestCall(t, "en"), "fr": pollTestCall(t, "fr")}
	for _, tt := range tests {
		if got := handlers.Unmark(calls[tt.lang].pollResult(tt.p)); got != tt.want {
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

func TestPollOptionLine(t *testing.T) {
	tests := []struct {
		lang  string
		votes int
		want  string
	}{
		{"en", 1, "2. Wellness\n█████░░░░░ 50% · 1 vote"},
		{"en", 100000, "2. Wellness\n█████░░░░░ 50% · 100,000 votes"},
		{"fr", 3, "2. Wellness\n█████░░░░░ 50" + nbsp + "% · 3 voix"},
		{"fr", 100000, "2. Wellness\n█████░░░░░ 50" + nbsp + "% · 100" + nbsp + "000 voix"},
	}
	for _, tt := range tests {
		l := pollLine{Position: 2, Label: "Wellness", Votes: tt.votes, Percent: 50, Bar: "█████░░░░░"}
		if got := handlers.Unmark(pollTestCall(t, tt.lang).pollOptionLine(l)); got != tt.want {
			t.Errorf("%s line of %d votes = %q, want %q", tt.lang, tt.votes, got, tt.want)
		}
	}
}

// Deadlines read as each language writes a date, with the zone's name in
// that language: French says HAE/HNE, not EDT/EST.
func TestPollWhen(t *testing.T) {
	tests := []struct {
		lang string
		at   time.Time
		want string
	}{
		{"en", time.Date(2027, 2, 20, 22, 0, 0, 0, time.UTC), "Saturday, February 20, 2027 at 5:00 p.m. EST"},
		{"fr", time.Date(2027, 2, 20, 22, 0, 0, 0, time.UTC), "samedi 20 février 2027 à 17\u00a0h HNE"},
		{"en", time.Date(2027, 3, 17, 17, 0, 0, 0, time.UTC), "Wednesday, March 17, 2027 at 1:00 p.m. EDT"},
		{"fr", time.Date(2027, 3, 17, 17, 0, 0, 0, time.UTC), "mercredi 17 mars 2027 à 13\u00a0h HAE"},
	}
	for _, tt := range tests {
		if got := pollTestCall(t, tt.lang).pollWhen(tt.at); got != tt.want {
			t.Errorf("pollWhen(%s, %s) = %q, want %q", tt.lang, tt.at, got, tt.want)
		}
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
		// Clocks change on these days (23- and 25-hour days): the end of
		// day is still 23:59 on the wall clock.
		{"end of the day clocks spring forward", `"Q?" "A" "B" --closes 2027-03-14`, func(a pollArgs) bool {
			return a.ClosesAt.Equal(time.Date(2027, 3, 15, 3, 59, 0, 0, time.UTC)) // 23:59 EDT
		}, ""},
		{"end of the day clocks fall back", `"Q?" "A" "B" --closes 2027-11-07`, func(a pollArgs) bool {
			return a.ClosesAt.Equal(time.Date(2027, 11, 8, 4, 59, 0, 0, time.UTC)) // 23:59 EST
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
			a, err := parsePollArgs(handlers.Fields(tt.line), now, toronto)
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

// The export guards its cells with the roster's guardCell.
func TestPollExportGuardCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=SUM(A1)", "'=SUM(A1)"}, {"+1", "'+1"}, {"-2", "'-2"}, {"@cmd", "'@cmd"}, {"\tx", "'\tx"},
		{"\rx", "'\rx"}, {"Plain", "Plain"}, {"", ""}, {"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := handlers.GuardCell(tt.in); got != tt.want {
			t.Errorf("guardCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
