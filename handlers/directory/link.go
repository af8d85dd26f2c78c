package directory

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// linkAccount is "coordinator link EMAIL|MEMBER PLATFORM:ID": it attaches
// a chat account to a member already in the directory, typically a roster
// row, since a join from chat never claims an existing row by its email or
// name (storage.JoinMember).
func (s *Feature) linkAccount(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) != 3 {
		return c.ErrorReply("link_usage", c.SlashData())
	}
	id, ok := parseIdentity(c.Args[2])
	if !ok {
		return c.ErrorReply("error_identity_invalid", map[string]any{"Value": c.Args[2]})
	}
	m, err := s.linkTarget(ctx, c.Args[1])
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return c.ErrorReply("link_no_member", c.With(map[string]any{"Value": c.Args[1]}))
		}
		return c.Fail(err)
	}
	linked, res, err := s.store.LinkMember(ctx, m.ID, id)
	var e *storage.Error
	if errors.As(err, &e) && e.Key == "error_link_taken" {
		return c.ErrorReply(e.Key, c.With(map[string]any{"Identity": e.Args["Identity"], "Name": e.Args["Name"],
			"Number": c.T("member_number", map[string]any{"ID": e.Args["ID"]})}))
	}
	if err != nil {
		return c.Fail(err)
	}
	return c.Reply("linked", handlers.Ephemeral, handlers.Section{Text: c.linkText(linked, id, res)})
}

// linkTarget finds the member a coordinator names by email, or by the
// member number the directory shows them ("12", "#12", "nº 12" typed as
// one word), active or not.
func (s *Feature) linkTarget(ctx context.Context, ref string) (*storage.Member, error) {
	if strings.Contains(ref, "@") {
		ms, _, err := s.store.FindMembers(ctx, storage.MemberFilter{Email: &ref, IncludeLeft: true, Limit: 1})
		if err == nil && len(ms) == 0 {
			err = storage.ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		return ms[0], nil
	}
	num := strings.TrimPrefix(ref, "#")
	for _, p := range []string{"nº", "n°", "no", "No", "Nº", "N°"} {
		num = strings.TrimPrefix(num, p)
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return nil, storage.ErrNotFound
	}
	return s.store.MemberByID(ctx, id)
}

// linkText says what linking did: nothing (the member held id already), a
// first account on that platform, or one more beside theirs.
func (c *call) linkText(m *storage.Member, id storage.Identity, res storage.LinkResult) string {
	data := c.With(map[string]any{"Identity": id.String(), "Name": handlers.User(m.Name),
		"Number": c.T("member_number", map[string]any{"ID": m.ID})})
	switch res {
	case storage.LinkUnchanged:
		return c.T("link_unchanged", data)
	case storage.LinkAdded:
		return c.T("link_added", data)
	}
	return c.T("link_done", data)
}
