package bot

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"

	"copbot/storage"
)

// BuildInfo says which copbot this is: what `copbot version` prints and
// the metrics' build_info carries.
type BuildInfo struct {
	Version   string // module version: a tag, a pseudo-version, or "(devel)"
	Revision  string // VCS commit, "" when built without VCS stamping
	Time      string // commit time (RFC 3339)
	Modified  bool   // built from a work tree with uncommitted changes
	GoVersion string // the toolchain that built it
	Platform  string // GOOS/GOARCH
	SQLite    string // the embedded SQLite library (modernc.org/sqlite)
	Driver    string // modernc.org/sqlite's module version
	Schema    string // the newest migration this binary carries
}

// ReadBuildInfo reads the running binary's build information.
func ReadBuildInfo(ctx context.Context) BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	info := buildInfoFrom(bi)
	if v, err := storage.SQLiteVersion(ctx); err == nil {
		info.SQLite = v
	}
	return info
}

// buildInfoFrom extracts what copbot reports from bi (nil: nothing is
// known but the running toolchain).
func buildInfoFrom(bi *debug.BuildInfo) (info BuildInfo) {
	info = BuildInfo{Version: "(unknown)", GoVersion: runtime.Version()}
	goos, goarch := runtime.GOOS, runtime.GOARCH
	// Stamped settings win: they say what the binary was built for.
	defer func() { info.Platform = goos + "/" + goarch }()
	if ms := storage.Migrations(); len(ms) > 0 {
		info.Schema = strings.TrimSuffix(ms[len(ms)-1], ".sql")
	}
	if bi == nil {
		return info
	}
	if bi.Main.Version != "" {
		info.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Revision = s.Value
		case "vcs.time":
			info.Time = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		case "GOOS":
			goos = s.Value
		case "GOARCH":
			goarch = s.Value
		}
	}
	for _, d := range bi.Deps {
		if d.Path == "modernc.org/sqlite" {
			info.Driver = d.Version
		}
	}
	return info
}

// Write prints the build information, one "name: value" line each.
func (b BuildInfo) Write(w io.Writer) error {
	rev := b.Revision
	switch {
	case rev == "":
		rev = "unknown (built without VCS information / compilé sans information de version)"
	case b.Modified:
		rev += " (modified / modifié)"
	}
	sqlite := b.SQLite
	if b.Driver != "" {
		sqlite += " (modernc.org/sqlite " + b.Driver + ")"
	}
	lines := [][2]string{
		{"copbot", b.Version},
		{"revision", rev},
		{"commit time", b.Time},
		{"go", b.GoVersion + " " + b.Platform},
		{"sqlite", sqlite},
		{"schema", b.Schema},
	}
	var sb strings.Builder
	for _, l := range lines {
		if l[1] == "" {
			continue
		}
		fmt.Fprintf(&sb, "%-12s %s\n", l[0]+":", l[1])
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func cmdVersion(ctx context.Context, args []string, env Env) error {
	fs := newFlags("version", env)
	if _, err := parseInterleaved(fs, args); err != nil {
		return err
	}
	return ReadBuildInfo(ctx).Write(env.Stdout)
}
