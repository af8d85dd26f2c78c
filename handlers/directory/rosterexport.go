package directory

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// ExportRoster writes the active members as a roster CSV that ImportRoster
// reads back: UTF-8 with a byte-order mark (so Excel shows accents), comma
// separated, CRLF line ends, English header names. Cells a spreadsheet
// would run as formulas get a leading quote.
func (s *Feature) ExportRoster(ctx context.Context, w io.Writer) error {
	ms, _, err := s.store.FindMembers(ctx, storage.MemberFilter{})
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
		rec := []string{m.Name, m.Email, m.Organization, memberOrder(m), m.Jurisdiction, m.Title, m.Language, m.SlackID, m.TeamsID}
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
