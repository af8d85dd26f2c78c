package directory

import (
	"context"
	"errors"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// cmdCoordinator is "coordinators [list]", open to everyone (members are
// told to ask a coordinator, so they must be able to find one), and the
// coordinator-only "coordinators add|remove <platform:id>" and
// "coordinators link <email|member> <platform:id>" (link.go).
func (s *Feature) cmdCoordinator(ctx context.Context, c *call) handlers.Reply {
	if len(c.Args) == 0 {
		return s.listCoordinators(ctx, c)
	}
	switch handlers.Fold(c.Args[0]) {
	case "list", "liste", "lister", "ls":
		return s.listCoordinators(ctx, c)
	}
	if !c.Coordinator {
		return c.CoordinatorOnly()
	}
	switch handlers.Fold(c.Args[0]) {
	case "add", "ajouter", "ajout":
		return s.changeCoordinator(ctx, c, true)
	case "remove", "rm", "delete", "retirer", "supprimer", "enlever":
		return s.changeCoordinator(ctx, c, false)
	case "link", "lier", "associer", "relier":
		return s.linkAccount(ctx, c)
	}
	return c.ErrorReply("coordinator_usage", c.SlashData())
}

// parseIdentity reads "platform:id" (e.g. "slack:U012AB3CD") or a Slack
// mention ("<@U012AB3CD|marie>").
func parseIdentity(text string) (storage.Identity, bool) {
	if rest, ok := strings.CutPrefix(text, "<@"); ok {
		id, _, _ := strings.Cut(strings.TrimSuffix(rest, ">"), "|")
		return storage.Identity{Platform: storage.PlatformSlack, ID: id}, id != ""
	}
	p, id, ok := strings.Cut(text, ":")
	if !ok || id == "" {
		return storage.Identity{}, false
	}
	switch plat := storage.Platform(strings.ToLower(p)); plat {
	case storage.PlatformSlack, storage.PlatformTeams, storage.PlatformConsole:
		return storage.Identity{Platform: plat, ID: id}, true
	}
	return storage.Identity{}, false
}

func (s *Feature) changeCoordinator(ctx context.Context, c *call, add bool) handlers.Reply {
	if len(c.Args) != 2 {
		return c.ErrorReply("coordinator_usage", c.SlashData())
	}
	id, ok := parseIdentity(c.Args[1])
	if !ok {
		return c.ErrorReply("error_identity_invalid", map[string]any{"Value": c.Args[1]})
	}
	data := map[string]any{"Identity": id.String()}
	if add {
		if already, err := s.isCoordinator(ctx, id); err != nil || already {
			if err != nil {
				return c.Fail(err)
			}
			return c.Reply("coordinator", handlers.Ephemeral, handlers.Section{Text: c.T("coordinator_already", data)})
		}
		if err := s.store.AddCoordinator(ctx, id, c.Req.Identity); err != nil {
			return c.Fail(err)
		}
		return c.Reply("coordinator", handlers.Ephemeral, handlers.Section{Text: c.T("coordinator_added", data)})
	}
	if s.svc.CoordinatorInConfig(id) {
		return c.ErrorReply("coordinator_in_config", data)
	}
	if err := s.store.RemoveCoordinator(ctx, id); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return c.ErrorReply("coordinator_not_found", data)
		}
		return c.Fail(err)
	}
	return c.Reply("coordinator", handlers.Ephemeral, handlers.Section{Text: c.T("coordinator_removed", data)})
}

// isCoordinator reports whether id already is a coordinator, from the
// config or added at run time.
func (s *Feature) isCoordinator(ctx context.Context, id storage.Identity) (bool, error) {
	if s.svc.CoordinatorInConfig(id) {
		return true, nil
	}
	return s.store.IsCoordinator(ctx, id)
}

// listCoordinators names the coordinators from the config, then those added
// at run time, each with the member's name when known.
func (s *Feature) listCoordinators(ctx context.Context, c *call) handlers.Reply {
	added, err := s.store.ListCoordinators(ctx)
	if err != nil {
		return c.Fail(err)
	}
	var lines []string
	for _, id := range s.opts.Coordinators {
		lines = append(lines, "• "+s.identityLabel(ctx, id)+" "+c.T("coordinator_from_config", nil))
	}
	for _, id := range added {
		if !s.svc.CoordinatorInConfig(id) {
			lines = append(lines, "• "+s.identityLabel(ctx, id))
		}
	}
	head := c.Count("coordinator_list_title", len(lines), nil)
	return c.Reply("coordinators", handlers.Ephemeral, handlers.Section{Text: strings.Join(append([]string{head}, lines...), "\n")})
}

// identityLabel is "Marie Tremblay (slack:U1)" for members, else the id.
func (s *Feature) identityLabel(ctx context.Context, id storage.Identity) string {
	if m, err := s.store.MemberByIdentity(ctx, id); err == nil {
		return handlers.User(m.Name) + " (" + id.String() + ")"
	}
	return id.String()
}

func (s *Feature) actCoordinatorList(ctx context.Context, c *call, _ string) handlers.Reply {
	if !c.Coordinator {
		return c.CoordinatorOnly()
	}
	return s.listCoordinators(ctx, c)
}
