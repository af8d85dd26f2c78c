package bot

import (
	"copbot/handlers/meetings"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzConfig loads any text as copbot.toml: it is refused with an error,
// or everything the app derives from it (coordinators, months, reminder
// offsets, time zone, the service's options) is valid, and the loaded
// configuration written back as TOML loads to the same.
func FuzzConfig(f *testing.F) {
	example, err := os.ReadFile(testRoot(f) + "/config.example.toml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(example))
	f.Add("")
	f.Add("[community]\ncoordinators = [\"slack:U1\", \"teams:29:x\"]\ntimezone = \"America/Halifax\"\n")
	f.Add("[meetings]\nrule = \"third wednesday 13:00\"\nmonths = [\"mar\", \"juin\"]\nreminders = []\nduration = \"90m\"\n")
	f.Add("[slack]\nbot_token = \"xoxb-1\"\napp_token = \"xapp-1\"\ncommand = \"/cop\"\n[teams]\napp_id = \"a\"\napp_password = \"p\"\n")
	f.Add("[storage]\npath = \"\"\n[log]\nlevel = \"DEBUG\"\nformat = \"json\"\n")
	noenv := func(string) string { return "" }
	f.Fuzz(func(t *testing.T, text string) {
		cfg, err := parseConfig(text, noenv)
		if err != nil {
			return
		}
		opts, fopts, err := (&App{cfg: cfg}).serviceOptions()
		if err != nil {
			t.Fatalf("valid config, bad coordinators: %v\n%s", err, text)
		}
		if err := meetings.ValidateOptions(fopts.Meetings); err != nil {
			t.Fatalf("valid config, bad meeting options: %v\n%s", err, text)
		}
		if opts.Location == nil || (fopts.Meetings.Duration <= 0) {
			t.Fatalf("valid config, options %+v\n%s", opts, text)
		}
		var b strings.Builder
		if err := toml.NewEncoder(&b).Encode(cfg); err != nil {
			t.Fatalf("encode: %v", err)
		}
		again, err := parseConfig(b.String(), noenv)
		if err != nil || !reflect.DeepEqual(again, cfg) {
			t.Fatalf("written back and loaded: %v\n%+v\nwant %+v\n%s", err, again, cfg, b.String())
		}
	})
}
