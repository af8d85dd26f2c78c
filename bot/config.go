package bot

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"copbot/bot/emailbot"
	"copbot/handlers/meetings"
	"copbot/handlers/privacy"
	"copbot/storage"
)

// Config is copbot's configuration, read from TOML. Every key is documented
// in config.example.toml; the zero value of each section is a working
// default for the console.
type Config struct {
	Storage   StorageConfig   `toml:"storage"`
	Community CommunityConfig `toml:"community"`
	HTTP      HTTPConfig      `toml:"http"`
	Slack     SlackConfig     `toml:"slack"`
	Teams     TeamsConfig     `toml:"teams"`
	Meetings  MeetingsConfig  `toml:"meetings"`
	Privacy   PrivacyConfig   `toml:"privacy"`
	Email     EmailConfig     `toml:"email"`
	Log       LogConfig       `toml:"log"`
}

// PrivacyConfig sets how long personal data is kept.
type PrivacyConfig struct {
	// RetentionMonths: a former member's profile is erased this many
	// months after they left (daily job).
	RetentionMonths int `toml:"retention_months"`
}

// EmailConfig enables email (meeting invitations, reminders, poll
// invitations) when SMTP is set. The password comes from the environment
// (COPBOT_EMAIL_PASSWORD) only, never from the file.
type EmailConfig struct {
	SMTP     string `toml:"smtp"` // host:port
	TLS      string `toml:"tls"`  // starttls (default), tls, or none for a local relay
	Username string `toml:"username"`
	Password string `toml:"password"`
	From     string `toml:"from"`
}

// StorageConfig locates the SQLite database.
type StorageConfig struct {
	Path string `toml:"path"`
}

// CommunityConfig describes the Community of Practice itself.
type CommunityConfig struct {
	Coordinators    []string `toml:"coordinators"`
	DefaultLanguage string   `toml:"default_language"`
	Timezone        string   `toml:"timezone"`
	ShowEmails      bool     `toml:"show_emails"`
}

// HTTPConfig is the server for platform callbacks and the calendar feed.
type HTTPConfig struct {
	Listen string `toml:"listen"`
	// CalendarToken, when set, must be given as ?token= to read
	// /calendar.ics, which carries meeting links and agendas.
	CalendarToken string `toml:"calendar_token"`
	// ReportToken, when set, opens /report (the report to the Council)
	// as "Authorization: Bearer …" or ?token=. It must differ from the
	// calendar token, which members are given.
	ReportToken string `toml:"report_token"`
	// PublicURL is where people reach copbot serve ("https://host"), the
	// start of the signed report links of "report link".
	PublicURL string `toml:"public_url"`
	// StopTimeout bounds a graceful stop (SIGTERM): requests in flight and
	// the deliveries queued after acknowledgements (a Go duration).
	StopTimeout string `toml:"stop_timeout"`
	// MetricsListen, when set, serves Prometheus metrics on their own
	// address, which must be loopback unless MetricsAllowRemote.
	MetricsListen      string `toml:"metrics_listen"`
	MetricsAllowRemote bool   `toml:"metrics_allow_remote"`
}

// SlackConfig enables the Slack adapter when BotToken is set.
type SlackConfig struct {
	BotToken      string `toml:"bot_token"`
	SigningSecret string `toml:"signing_secret"`
	AppToken      string `toml:"app_token"`
	APIURL        string `toml:"api_url"`
	Channel       string `toml:"channel"`
	Command       string `toml:"command"`
	// AllowedTeams are the other Slack workspaces (T…) and Enterprise
	// Grid organizations (E…) whose people take full part, in channels
	// shared with them (Slack Connect). The workspace of the bot token
	// always does; people of any other workspace are told their
	// organization is not part of the Community, and nothing changes.
	AllowedTeams []string `toml:"allowed_teams"`
	// ClientID enables installs in other workspaces through OAuth
	// (/slack/install); the client secret and the key that seals their bot
	// tokens come from the environment only.
	ClientID     string `toml:"client_id"`
	ClientSecret string `toml:"-"` // COPBOT_SLACK_CLIENT_SECRET
	TokenKey     string `toml:"-"` // COPBOT_SLACK_TOKEN_KEY: 32 bytes in base64
}

// TeamsConfig enables the Microsoft Teams adapter when AppID is set.
type TeamsConfig struct {
	AppID       string `toml:"app_id"`
	AppPassword string `toml:"app_password"`
	TenantID    string `toml:"tenant_id"`
	// AllowedTenants replaces TenantID: the tenants served, the first
	// being the bot's home tenant. TenantID alone is a one-element list.
	AllowedTenants []string `toml:"allowed_tenants"`
	ServiceURL     string   `toml:"service_url"`
	ChannelID      string   `toml:"channel_id"`
	OpenIDURL      string   `toml:"openid_url"`
	TokenURL       string   `toml:"token_url"`
	GraphTeamID    string   `toml:"graph_team_id"`
	GraphURL       string   `toml:"graph_url"`
}

// MeetingsConfig sets the quarterly rule and the reminder offsets.
type MeetingsConfig struct {
	Rule      string   `toml:"rule"`
	Months    []string `toml:"months"`
	Duration  string   `toml:"duration"`
	Reminders []string `toml:"reminders"`
}

// LogConfig sets logging.
type LogConfig struct {
	Level  string `toml:"level"`
	Format string `toml:"format"`
}

// Environment variables that override secrets (and the database path), so
// that tokens need not be written in a file.
var envOverrides = []struct {
	name string
	set  func(*Config, string)
}{
	{"COPBOT_DB", func(c *Config, v string) { c.Storage.Path = v }},
	{"COPBOT_SLACK_BOT_TOKEN", func(c *Config, v string) { c.Slack.BotToken = v }},
	{"COPBOT_SLACK_SIGNING_SECRET", func(c *Config, v string) { c.Slack.SigningSecret = v }},
	{"COPBOT_SLACK_APP_TOKEN", func(c *Config, v string) { c.Slack.AppToken = v }},
	{"COPBOT_SLACK_CLIENT_SECRET", func(c *Config, v string) { c.Slack.ClientSecret = v }},
	{"COPBOT_SLACK_TOKEN_KEY", func(c *Config, v string) { c.Slack.TokenKey = v }},
	{"COPBOT_TEAMS_APP_ID", func(c *Config, v string) { c.Teams.AppID = v }},
	{"COPBOT_TEAMS_APP_PASSWORD", func(c *Config, v string) { c.Teams.AppPassword = v }},
	{"COPBOT_CALENDAR_TOKEN", func(c *Config, v string) { c.HTTP.CalendarToken = v }},
	{"COPBOT_REPORT_TOKEN", func(c *Config, v string) { c.HTTP.ReportToken = v }},
	{"COPBOT_LISTEN", func(c *Config, v string) { c.HTTP.Listen = v }},
	{"COPBOT_SLACK_CHANNEL", func(c *Config, v string) { c.Slack.Channel = v }},
	{"COPBOT_TEAMS_TENANT_ID", func(c *Config, v string) { c.Teams.TenantID = v }},
	{"COPBOT_COORDINATORS", func(c *Config, v string) { c.Community.Coordinators = strings.Split(v, ",") }},
	{"COPBOT_LOG_FORMAT", func(c *Config, v string) { c.Log.Format = v }},
	{"COPBOT_METRICS_LISTEN", func(c *Config, v string) { c.HTTP.MetricsListen = v }},
	{"COPBOT_EMAIL_PASSWORD", func(c *Config, v string) { c.Email.Password = v }},
	{"COPBOT_METRICS_ALLOW_REMOTE", func(c *Config, v string) { c.HTTP.MetricsAllowRemote = v == "true" || v == "1" }},
}

// DefaultConfig is what copbot runs with when no file is found.
func DefaultConfig() Config {
	return Config{
		Storage: StorageConfig{Path: "copbot.db"},
		Community: CommunityConfig{DefaultLanguage: "en", Timezone: "America/Toronto",
			// So that a newcomer trying the console can play a coordinator
			// with ":as coordinator".
			Coordinators: []string{"console:coordinator"}},
		HTTP:     HTTPConfig{Listen: ":8080", StopTimeout: "20s"},
		Slack:    SlackConfig{Command: "/cop"},
		Meetings: meetingsDefaults(meetings.DefaultOptions()),
		Privacy:  PrivacyConfig{RetentionMonths: privacy.DefaultRetentionMonths},
		Email:    EmailConfig{TLS: emailbot.TLSStartTLS},
		Log:      LogConfig{Level: "info", Format: "text"},
	}
}

// meetingsDefaults writes the handlers' meeting defaults as config
// values, so each setting has one default.
func meetingsDefaults(o meetings.Options) MeetingsConfig {
	m := MeetingsConfig{Rule: o.Rule, Duration: o.Duration.String()}
	for _, mo := range o.Months {
		m.Months = append(m.Months, strings.ToLower(mo.String()))
	}
	for _, r := range o.Reminders {
		m.Reminders = append(m.Reminders, r.String())
	}
	return m
}

// FindConfig returns the config file to read: flagPath, else $COPBOT_CONFIG,
// else ./copbot.toml if it exists, else "" (built-in defaults).
func FindConfig(flagPath string, getenv func(string) string) string {
	if flagPath != "" {
		return flagPath
	}
	if p := getenv("COPBOT_CONFIG"); p != "" {
		return p
	}
	if _, err := os.Stat("copbot.toml"); err == nil {
		return "copbot.toml"
	}
	return ""
}

// LoadConfig reads path (none: defaults), applies environment overrides and
// validates. An unknown key or a bad value is an error naming the key.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	text := ""
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return DefaultConfig(), fmt.Errorf("config %s: %w", path, err)
		}
		text = string(data)
	}
	cfg, err := parseConfig(text, getenv)
	if err != nil && path != "" {
		err = fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, err
}

// parseConfig is LoadConfig on the file's text.
func parseConfig(text string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	if err := decodeConfig(text, &cfg); err != nil {
		return cfg, err
	}
	if cfg.Email.Password != "" {
		return cfg, errors.New("email.password: must not be written in the file; set COPBOT_EMAIL_PASSWORD instead / " +
			"ne doit pas figurer dans le fichier ; utilisez plutôt COPBOT_EMAIL_PASSWORD")
	}
	for _, o := range envOverrides {
		if v := getenv(o.name); v != "" {
			o.set(&cfg, v)
		}
	}
	return cfg, cfg.validate()
}

// decodeConfig reads TOML text over cfg. A key copbot does not know is an
// error, so that a typo is not silently ignored.
func decodeConfig(text string, cfg *Config) error {
	md, err := toml.Decode(text, cfg)
	if err != nil {
		return err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown key %s", strings.Join(keys, ", "))
	}
	return nil
}

func (c *Config) validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, a...)))
	}
	if c.Storage.Path == "" {
		bad("storage.path", "must not be empty")
	}
	if _, err := c.CoordinatorIdentities(); err != nil {
		bad("community.coordinators", "%v", err)
	}
	if l := c.Community.DefaultLanguage; l != "en" && l != "fr" {
		bad("community.default_language", "%q is not \"en\" or \"fr\"", l)
	}
	if _, err := time.LoadLocation(c.Community.Timezone); err != nil || c.Community.Timezone == "" {
		bad("community.timezone", "%q is not an IANA time zone such as \"America/Toronto\"", c.Community.Timezone)
	}
	if a := c.HTTP.MetricsListen; a != "" && !c.HTTP.MetricsAllowRemote {
		if err := loopbackOnly(a); err != nil {
			bad("http.metrics_listen", "%v", err)
		}
	}
	if d, err := time.ParseDuration(c.HTTP.StopTimeout); err != nil || d <= 0 {
		bad("http.stop_timeout", "%q is not a positive Go duration such as \"20s\"", c.HTTP.StopTimeout)
	}
	if c.Slack.BotToken != "" && c.Slack.SigningSecret == "" && c.Slack.AppToken == "" {
		bad("slack.signing_secret", "is required with slack.bot_token unless slack.app_token (Socket Mode) is set")
	}
	if c.Slack.AppToken != "" && !strings.HasPrefix(c.Slack.AppToken, "xapp-") {
		bad("slack.app_token", "must start with \"xapp-\"")
	}
	if c.Slack.Command == "" || !strings.HasPrefix(c.Slack.Command, "/") {
		bad("slack.command", "%q must start with \"/\"", c.Slack.Command)
	}
	for _, id := range c.Slack.AllowedTeams {
		if !slackTeamID.MatchString(id) {
			bad("slack.allowed_teams", "%q is not a Slack workspace id (T…) or Enterprise Grid id (E…), such as \"T0123ABCD\" / "+
				"%q n'est pas un identifiant d'espace de travail Slack (T…) ou d'organisation Enterprise Grid (E…), comme « T0123ABCD »", id, id)
		}
	}
	errs = append(errs, c.validateHTTP()...)
	errs = append(errs, c.validateSlackInstalls()...)
	if c.Teams.AppID != "" && c.Teams.AppPassword == "" {
		bad("teams.app_password", "is required with teams.app_id")
	}
	errs = append(errs, c.validateTenants()...)
	errs = append(errs, c.validateMeetings()...)
	errs = append(errs, c.validateEmail()...)
	if c.Privacy.RetentionMonths == 0 {
		bad("privacy.retention_months", "must be at least 1 (months)")
	} else if err := privacy.ValidateOptions(privacy.Options{RetentionMonths: c.Privacy.RetentionMonths}); err != nil {
		errs = append(errs, err)
	}
	if l := strings.ToLower(c.Log.Level); l != "debug" && l != "info" && l != "warn" && l != "error" {
		bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	if f := c.Log.Format; f != "text" && f != "json" {
		bad("log.format", "%q is not text or json", f)
	}
	return errors.Join(errs...)
}

// validateEmail checks [email] when any of it is set: smtp is then
// required, and the adapter checks the rest (bilingual errors).
func (c *Config) validateEmail() []error {
	e := c.Email
	if e.SMTP == "" {
		if e.Username != "" || e.Password != "" || e.From != "" {
			return []error{errors.New("email.smtp: required to send email (host:port, such as \"smtp.example.gc.ca:587\") / " +
				"requis pour envoyer des courriels (hôte:port, par exemple « smtp.example.gc.ca:587 »)")}
		}
		if e.TLS != "" && e.TLS != emailbot.TLSStartTLS {
			return []error{errors.New("email.tls: set only with email.smtp / à préciser seulement avec email.smtp")}
		}
		return nil
	}
	if err := emailbot.Validate(c.EmailSettings()); err != nil {
		return []error{err}
	}
	return nil
}

// slackTeamID is a workspace (T…) or Enterprise Grid organization (E…) id.
var slackTeamID = regexp.MustCompile(`^[TE][A-Z0-9]{2,30}$`)

// validateTenants checks [teams] tenant_id and allowed_tenants: tenant_id
// alone still works, but a config setting both differently is ambiguous
// about who is served.
func (c *Config) validateTenants() []error {
	t := c.Teams
	for _, id := range t.AllowedTenants {
		if strings.TrimSpace(id) == "" || strings.TrimSpace(id) != id {
			return []error{fmt.Errorf("teams.allowed_tenants: %q is not a tenant id; list Entra tenant ids such as "+
				"\"72f988bf-86f1-41af-91ab-2d7cd011db47\" / %q n'est pas un identifiant de locataire; indiquez des "+
				"identifiants de locataire Entra comme « 72f988bf-86f1-41af-91ab-2d7cd011db47 »", id, id)}
		}
	}
	if t.TenantID == "" || len(t.AllowedTenants) == 0 {
		return nil
	}
	if len(t.AllowedTenants) != 1 || !strings.EqualFold(t.AllowedTenants[0], t.TenantID) {
		return []error{fmt.Errorf("teams.tenant_id: %q and teams.allowed_tenants %q disagree; remove tenant_id and "+
			"list every tenant, your own first, in allowed_tenants / teams.tenant_id (%q) et teams.allowed_tenants "+
			"(%q) ne concordent pas; supprimez tenant_id et indiquez tous les locataires, le vôtre en premier, "+
			"dans allowed_tenants", t.TenantID, t.AllowedTenants, t.TenantID, t.AllowedTenants)}
	}
	return nil
}

// validateSlackInstalls checks what OAuth installs in other workspaces
// need once slack.client_id is set.
func (c *Config) validateSlackInstalls() []error {
	s := c.Slack
	if s.ClientID == "" {
		return nil
	}
	var errs []error
	bad := func(key, format string, a ...any) { errs = append(errs, fmt.Errorf(key+": "+format, a...)) }
	if s.BotToken == "" {
		bad("slack.bot_token", "is required with slack.client_id: it is the home workspace's install")
	}
	if s.ClientSecret == "" {
		bad("slack.client_id", "needs the app's client secret in the environment variable COPBOT_SLACK_CLIENT_SECRET")
	}
	if _, err := storage.ParseTokenKey(s.TokenKey); err != nil {
		bad("slack.client_id", "needs COPBOT_SLACK_TOKEN_KEY in the environment: %v", err)
	}
	if !strings.HasPrefix(c.HTTP.PublicURL, "https://") {
		bad("http.public_url", "must be copbot's public https address with slack.client_id: Slack sends installers back to its /slack/oauth_redirect")
	}
	return errs
}

// SlackRedirectURL is where Slack sends an installer back: public_url's
// /slack/oauth_redirect.
func (c *Config) SlackRedirectURL() string {
	return strings.TrimRight(c.HTTP.PublicURL, "/") + "/slack/oauth_redirect"
}

// TeamsTenants are the tenants served, the bot's home tenant first:
// allowed_tenants, else tenant_id alone, else none (any tenant).
func (c *Config) TeamsTenants() []string {
	if len(c.Teams.AllowedTenants) > 0 {
		return c.Teams.AllowedTenants
	}
	if c.Teams.TenantID != "" {
		return []string{c.Teams.TenantID}
	}
	return nil
}

// EmailSettings is the email adapter's configuration from [email].
func (c *Config) EmailSettings() emailbot.Config {
	e := c.Email
	return emailbot.Config{SMTP: e.SMTP, TLS: e.TLS, Username: e.Username, Password: e.Password, From: e.From}
}

// minReportToken is the shortest report token accepted: it guards
// personal data (outreach contacts), so it must not be guessable.
const minReportToken = 16

func (c *Config) validateHTTP() []error {
	var errs []error
	if t := c.HTTP.ReportToken; t != "" {
		if utf8.RuneCountInString(t) < minReportToken {
			errs = append(errs, fmt.Errorf("http.report_token: must be at least %d characters (try: openssl rand -hex 24)", minReportToken))
		}
		if t == c.HTTP.CalendarToken {
			errs = append(errs, errors.New("http.report_token: must differ from http.calendar_token, which members are given"))
		}
		if strings.ContainsAny(t, " \t\r\n") {
			errs = append(errs, errors.New("http.report_token: must not contain spaces"))
		}
	}
	if u := c.HTTP.PublicURL; u != "" {
		pu, err := url.Parse(u)
		if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" || pu.RawQuery != "" || pu.Fragment != "" {
			errs = append(errs, fmt.Errorf("http.public_url: %q is not an address such as \"https://copbot.example.gc.ca\"", u))
		}
	}
	return errs
}

func (c *Config) validateMeetings() []error {
	var errs []error
	if _, err := c.MeetingMonths(); err != nil {
		errs = append(errs, fmt.Errorf("meetings.months: %w", err))
	}
	if d, err := time.ParseDuration(c.Meetings.Duration); err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("meetings.duration: %q is not a positive Go duration such as \"90m\"", c.Meetings.Duration))
	}
	reminders, err := c.ReminderOffsets()
	if err != nil {
		errs = append(errs, fmt.Errorf("meetings.reminders: %w", err))
	}
	if len(errs) > 0 {
		return errs
	}
	// The rule and the limits storage puts on lengths and offsets.
	months, _ := c.MeetingMonths()
	d, _ := time.ParseDuration(c.Meetings.Duration)
	if err := meetings.ValidateOptions(meetings.Options{Rule: c.Meetings.Rule,
		Months: months, Duration: d, Reminders: reminders}); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// HasPlatforms reports whether Slack or Teams is configured, i.e. whether
// plain `copbot` should serve rather than open the console.
func (c *Config) HasPlatforms() bool {
	return c.Slack.BotToken != "" || c.Teams.AppID != ""
}

// loopbackOnly accepts an address only this machine can reach: metrics
// tell how busy copbot is and how fresh its backups are, which is nobody
// else's business.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("%q is not a loopback address (use 127.0.0.1:9090, [::1]:9090 or localhost:9090), "+
		"or set http.metrics_allow_remote = true to serve metrics to the network on purpose", addr)
}

// StopTimeout is the bound of a graceful stop (validated by LoadConfig).
func (c *Config) StopTimeout() time.Duration {
	d, err := time.ParseDuration(c.HTTP.StopTimeout)
	if err != nil || d <= 0 {
		return 20 * time.Second
	}
	return d
}

// Location returns the community time zone (validated by LoadConfig).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Community.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// CoordinatorIdentities parses "platform:id" entries; a bare id is a
// console user name.
func (c *Config) CoordinatorIdentities() ([]storage.Identity, error) {
	var ids []storage.Identity
	for _, s := range c.Community.Coordinators {
		p, id, ok := strings.Cut(s, ":")
		if !ok {
			p, id = string(storage.PlatformConsole), s
		}
		switch storage.Platform(p) {
		case storage.PlatformConsole, storage.PlatformSlack, storage.PlatformTeams:
		default:
			return nil, fmt.Errorf("%q: platform must be console, slack or teams", s)
		}
		if strings.TrimSpace(id) == "" {
			return nil, fmt.Errorf("%q: empty id", s)
		}
		ids = append(ids, storage.Identity{Platform: storage.Platform(p), ID: strings.TrimSpace(id)})
	}
	return ids, nil
}

// MeetingMonths parses month names (English or French) or numbers.
func (c *Config) MeetingMonths() ([]time.Month, error) {
	var ms []time.Month
	for _, s := range c.Meetings.Months {
		m, ok := parseMonth(s)
		if !ok {
			return nil, fmt.Errorf("%q is not a month", s)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

var frenchMonths = []string{"janvier", "fevrier", "mars", "avril", "mai", "juin",
	"juillet", "aout", "septembre", "octobre", "novembre", "decembre"}

func parseMonth(s string) (time.Month, bool) {
	f := strings.NewReplacer("é", "e", "û", "u").Replace(strings.ToLower(strings.TrimSpace(s)))
	for i := 1; i <= 12; i++ {
		en := strings.ToLower(time.Month(i).String())
		if f == en || f == en[:3] || f == frenchMonths[i-1] || f == fmt.Sprint(i) {
			return time.Month(i), true
		}
	}
	return 0, false
}

// ReminderOffsets parses the reminder offsets (Go durations before start).
// An empty list gives an empty, non-nil slice: no reminders.
func (c *Config) ReminderOffsets() ([]time.Duration, error) {
	ds := make([]time.Duration, 0, len(c.Meetings.Reminders))
	for _, s := range c.Meetings.Reminders {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%q is not a positive Go duration such as \"24h\"", s)
		}
		ds = append(ds, d)
	}
	return ds, nil
}
