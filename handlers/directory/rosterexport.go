package directory

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"copbot/handlers"
	"copbot/storage"
)

// ExportRoster writes the active members as a roster CSV that ImportRoster
// reads back: UTF-8 with a byte-order mark (so Excel shows accents), comma
// separated, CRLF line ends, English header names. Cells a spreadsheet
// would run as formulas get a leading quote. The slack_id and teams_id
// cells list every account of the member on that platform, the first one
// (the members column) first, separated by spaces (rosterids.go), so that
// importing the file elsewhere keeps every account. The export hands
// personal data out of copbot, so storage records it in the audit log
// first.
func (s *Feature) ExportRoster(ctx context.Context, w io.Writer) error {
	ms, more, err := s.store.ExportRoster(ctx, storage.MemberFilter{})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(rosterColumns[:]); err != nil {
		return err
	}
	for _, m := range ms {
		rec := []string{m.Name, m.Email, m.Organization, memberOrder(m), m.Jurisdiction, m.Title, m.Language,
			accountCell(m.SlackID, more[m.ID], storage.PlatformSlack), accountCell(m.TeamsID, more[m.ID], storage.PlatformTeams)}
		for i := range rec {
			// Text stored before storage refused invalid UTF-8 is
			// written repaired (U+FFFD), so that the file imports back.
			rec[i] = handlers.GuardCell(strings.ToValidUTF8(rec[i], "\uFFFD"))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export roster: %w", err)
	}
	return nil
}

// cmdRoster answers `roster export` (`liste exporter`), for coordinators:
// the roster as the CSV file ImportRoster reads back, handed over to the
// person who asked only (a Slack upload to their direct messages, a Teams
// file card in their personal chat, a file the console writes). It holds
// e-mail addresses: it never goes into a channel or a message's text.
func (s *Feature) cmdRoster(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) != 1 || !slices.Contains([]string{"export", "exporter"}, handlers.Fold(c.Args[0])) {
		return c.ErrorReply("roster_usage", c.SlashData())
	}
	var b bytes.Buffer
	if err := s.ExportRoster(ctx, &b); err != nil {
		return c.Fail(err)
	}
	rows := bytes.Count(b.Bytes(), []byte("\n")) - 1 // the header is not a member
	name := "copbot-roster-" + s.now().In(s.opts.Location).Format(time.DateOnly) + ".csv"
	s.log.Info("roster exported", "by", c.Req.Identity.String(), "members", rows)
	r := c.Reply("roster_export", handlers.Ephemeral,
		handlers.Section{Text: c.Count("roster_export_file", rows, map[string]any{"File": name})},
		handlers.Context{Text: c.T("roster_export_note", nil)})
	r.File = &handlers.File{Name: name, MIME: "text/csv; charset=utf-8", Data: b.Bytes()}
	return r
}
