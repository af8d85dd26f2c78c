package bot

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"copbot/storage"
)

func noEnv(string) string { return "" }

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "copbot.toml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfigExample(t *testing.T) {
	cfg, err := LoadConfig("../config.example.toml", noEnv)
	if err != nil {
		t.Fatalf("config.example.toml: %v", err)
	}
	if got, want := cfg.Slack.Command, "/cop"; got != want {
		t.Errorf("command = %q, want %q", got, want)
	}
	ids, _ := cfg.CoordinatorIdentities()
	want := []storage.Identity{{Platform: storage.PlatformConsole, ID: "coordinator"}, {Platform: storage.PlatformSlack, ID: "U0123ABCD"}}
	if len(ids) != 2 || ids[0] != want[0] || ids[1] != want[1] {
		t.Errorf("coordinators = %v, want %v", ids, want)
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	cfg, err := LoadConfig("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Path != "copbot.db" || cfg.HasPlatforms() {
		t.Errorf("defaults: path %q platforms %v", cfg.Storage.Path, cfg.HasPlatforms())
	}
	offs, _ := cfg.ReminderOffsets()
	if len(offs) != 3 || offs[0] != 336*time.Hour || offs[2] != time.Hour {
		t.Errorf("reminders = %v", offs)
	}
	months, _ := cfg.MeetingMonths()
	if len(months) != 4 || months[0] != time.March || months[3] != time.December {
		t.Errorf("months = %v", months)
	}
}

func TestLoadConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, body, wantKey string
	}{
		{"unknown key", "[storage]\npath = \"x.db\"\npaht = \"y\"\n", "storage.paht"},
		{"unknown section", "[slak]\nbot_token = \"x\"\n", "slak"},
		{"bad language", "[community]\ndefault_language = \"de\"\n", "community.default_language"},
		{"bad zone", "[community]\ntimezone = \"Mars/Olympus\"\n", "community.timezone"},
		{"bad coordinator", "[community]\ncoordinators = [\"irc:bob\"]\n", "community.coordinators"},
		{"bad reminder", "[meetings]\nreminders = [\"2 weeks\"]\n", "meetings.reminders"},
		{"bad month", "[meetings]\nmonths = [\"smarch\"]\n", "meetings.months"},
		{"bad duration", "[meetings]\nduration = \"-5m\"\n", "meetings.duration"},
		{"duration out of range", "[meetings]\nduration = \"30s\"\n", "meetings.duration"},
		{"bad rule", "[meetings]\nrule = \"every blue moon\"\n", "meetings.rule"},
		{"offset too far", "[meetings]\nreminders = [\"2400h\"]\n", "meetings.reminders"},
		{"slack without secret", "[slack]\nbot_token = \"xoxb-1\"\n", "slack.signing_secret"},
		{"bad app token", "[slack]\nbot_token = \"xoxb-1\"\napp_token = \"xoxb-2\"\n", "slack.app_token"},
		{"bad command", "[slack]\ncommand = \"cop\"\n", "slack.command"},
		{"teams without password", "[teams]\napp_id = \"abc\"\n", "teams.app_password"},
		{"bad log level", "[log]\nlevel = \"loud\"\n", "log.level"},
		{"wrong type", "[http]\nlisten = 8080\n", "listen"},
		{"retention zero", "[privacy]\nretention_months = 0\n", "privacy.retention_months"},
		{"retention too long", "[privacy]\nretention_months = 121\n", "privacy.retention_months"},
		{"bad public url", "[http]\npublic_url = \"copbot.example.gc.ca\"\n", "http.public_url"},
		{"short report token", "[http]\nreport_token = \"abc\"\n", "http.report_token"},
		{"report token is the calendar's", "[http]\ncalendar_token = \"0123456789abcdefgh\"\nreport_token = \"0123456789abcdefgh\"\n", "http.report_token"},
		{"report token with a space", "[http]\nreport_token = \"0123456789 abcdefgh\"\n", "http.report_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tt.body), noEnv)
			if err == nil {
				t.Fatalf("no error, want one naming %s", tt.wantKey)
			}
			if !strings.Contains(err.Error(), tt.wantKey) {
				t.Errorf("error %q does not name %s", err, tt.wantKey)
			}
		})
	}
}

func TestEmptyRemindersMeansNone(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, "[meetings]\nreminders = []\n"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := cfg.ReminderOffsets()
	if got == nil || len(got) != 0 {
		t.Errorf("reminders = []: offsets %#v, want empty non-nil (nil would mean the defaults)", got)
	}
}

func TestLoadConfigEnvOverridesSecrets(t *testing.T) {
	env := map[string]string{
		"COPBOT_SLACK_BOT_TOKEN":      "xoxb-env",
		"COPBOT_SLACK_SIGNING_SECRET": "sekrit",
		"COPBOT_DB":                   "/tmp/env.db",
		"COPBOT_REPORT_TOKEN":         "report-env-0123456789",
	}
	cfg, err := LoadConfig(writeConfig(t, "[slack]\nchannel = \"C1\"\n"), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Slack.BotToken != "xoxb-env" || cfg.Slack.SigningSecret != "sekrit" || cfg.Storage.Path != "/tmp/env.db" {
		t.Errorf("env not applied: %+v %+v", cfg.Slack, cfg.Storage)
	}
	if cfg.HTTP.ReportToken != "report-env-0123456789" {
		t.Errorf("COPBOT_REPORT_TOKEN not applied: %+v", cfg.HTTP)
	}
	if !cfg.HasPlatforms() {
		t.Error("HasPlatforms = false with a bot token")
	}
}

func TestFindConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == "COPBOT_CONFIG" {
				return v
			}
			return ""
		}
	}
	if got := FindConfig("", env("")); got != "" {
		t.Errorf("nothing present: got %q, want built-in defaults", got)
	}
	if err := os.WriteFile("copbot.toml", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ flag, env, want string }{
		{"", "", "copbot.toml"},
		{"", "from-env.toml", "from-env.toml"},
		{"from-flag.toml", "from-env.toml", "from-flag.toml"},
	}
	for _, tt := range tests {
		if got := FindConfig(tt.flag, env(tt.env)); got != tt.want {
			t.Errorf("FindConfig(%q, env %q) = %q, want %q", tt.flag, tt.env, got, tt.want)
		}
	}
}

func TestEmailConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	ok := "[email]\nsmtp = \"smtp.example.gc.ca:587\"\nusername = \"copbot\"\nfrom = \"CoP <cop@example.gc.ca>\"\n"
	cfg, err := parseConfig(ok, env(map[string]string{"COPBOT_EMAIL_PASSWORD": "s3cret"}))
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.EmailSettings(); s.Password != "s3cret" || s.TLS != "starttls" || s.SMTP != "smtp.example.gc.ca:587" {
		t.Errorf("settings %+v", s)
	}
	for _, tc := range []struct{ text, want string }{
		{ok + "password = \"x\"\n", "COPBOT_EMAIL_PASSWORD"},             // never in the file
		{ok, "email.username"},                                           // no password in the environment
		{"[email]\nfrom = \"cop@example.gc.ca\"\n", "email.smtp"},        // nothing to send with
		{"[email]\nsmtp = \"smtp\"\nfrom = \"cop@x.ca\"\n", "hôte:port"}, // both languages
		{"[email]\nsmtp = \"h:25\"\ntls = \"ssl\"\nfrom = \"cop@x.ca\"\n", "email.tls"},
	} {
		_, err := parseConfig(tc.text, env(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), " / ") {
			t.Errorf("%q: %v, want a bilingual error naming %q", tc.text, err, tc.want)
		}
	}
}

func TestTeamsTenantsConfig(t *testing.T) {
	const base = "[teams]\napp_id = \"a\"\napp_password = \"p\"\n"
	for _, tc := range []struct {
		text string
		want []string
	}{
		{base, nil},
		{base + "tenant_id = \"t-1\"\n", []string{"t-1"}},
		{base + "allowed_tenants = [\"t-1\", \"T-2\"]\n", []string{"t-1", "T-2"}},
		{base + "tenant_id = \"T-1\"\nallowed_tenants = [\"t-1\"]\n", []string{"t-1"}}, // the same, case aside
	} {
		cfg, err := parseConfig(tc.text, noEnv)
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if got := cfg.TeamsTenants(); !slices.Equal(got, tc.want) {
			t.Errorf("%q: tenants %q, want %q", tc.text, got, tc.want)
		}
	}
	for _, tc := range []struct{ text, want string }{
		{base + "tenant_id = \"t-3\"\nallowed_tenants = [\"t-1\", \"t-2\"]\n", "teams.tenant_id"},
		{base + "tenant_id = \"t-1\"\nallowed_tenants = [\"t-1\", \"t-2\"]\n", "supprimez tenant_id"},
		{base + "allowed_tenants = [\"t-1\", \"\"]\n", "teams.allowed_tenants"},
		{base + "allowed_tenants = [\" t-1\"]\n", "identifiant de locataire"},
	} {
		_, err := parseConfig(tc.text, noEnv)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), " / ") {
			t.Errorf("%q: %v, want a bilingual error naming %q", tc.text, err, tc.want)
		}
	}
}

func TestSlackAllowedTeamsConfig(t *testing.T) {
	const base = "[slack]\nbot_token = \"xoxb-1\"\nsigning_secret = \"s\"\n"
	cfg, err := parseConfig(base+"allowed_teams = [\"T0PARTNER1\", \"E0GRID\"]\n", noEnv)
	if err != nil || !slices.Equal(cfg.Slack.AllowedTeams, []string{"T0PARTNER1", "E0GRID"}) {
		t.Fatalf("allowed_teams: %+v, %v", cfg.Slack.AllowedTeams, err)
	}
	for _, bad := range []string{`"t0partner"`, `"U0USER"`, `""`, `" T0PARTNER"`, `"C0CHANNEL"`} {
		text := base + "allowed_teams = [" + bad + "]\n"
		_, err := parseConfig(text, noEnv)
		if err == nil || !strings.Contains(err.Error(), "slack.allowed_teams") || !strings.Contains(err.Error(), " / ") {
			t.Errorf("%q: %v, want a bilingual slack.allowed_teams error", text, err)
		}
	}
}
