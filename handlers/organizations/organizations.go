// Package organizations is the coordinators' side of the organizations
// registry (storage/organizations.go): "organizations" lists the entries
// with their members, pending ones first, and "organization confirm|merge|
// alias|rename" keeps it, each action audited by storage in its own
// transaction. Bad input gets a bilingual message and changes nothing.
//
// Install adds it to a handlers core.
package organizations

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// Feature is the registry commands of one Service.
type Feature struct {
	store *storage.DB
	log   *slog.Logger
}

// Install adds the registry commands to svc.
func Install(svc *handlers.Service) *Feature {
	s := &Feature{store: svc.Store(), log: svc.Log()}
	svc.Install(handlers.Parts{
		Commands: []*handlers.Command{{
			Names: []string{"organizations", "organization", "orgs", "org", "organisations", "organisation",
				"organismes", "organisme"},
			Coordinator: true, HelpKey: "help_organizations", Run: s.cmdOrganizations,
		}},
		Words: map[string][]string{"en": {"organizations", "organization"}, "fr": {"organismes", "organisme"},
			"": {"organisations", "organisation"}},
	})
	return s
}

var renameFlags = handlers.FlagSpec{
	Names: map[string]string{
		"en": "name", "name": "name", "nom": "name", "fr": "name_fr", "nom-fr": "name_fr", "name-fr": "name_fr",
		"acronym": "acronym", "acronyme": "acronym", "sigle": "acronym", "acronym-en": "acronym",
		"acronym-fr": "acronym_fr", "acronyme-fr": "acronym_fr", "sigle-fr": "acronym_fr",
	},
	Help:       "--en, --fr, --acronym, --acronym-fr",
	UnknownKey: "org_error_flag", ValueKey: "org_error_flag_value",
}

// cmdOrganizations: organizations [all] | organization confirm|merge|alias|rename|parent ….
func (s *Feature) cmdOrganizations(ctx context.Context, c *handlers.Call) handlers.Reply {
	if len(c.Args) == 0 {
		return s.list(ctx, c, false)
	}
	sub, rest := handlers.Fold(c.Args[0]), c.Args[1:]
	switch sub {
	case "all", "tous", "toutes", "list", "liste":
		return s.list(ctx, c, sub == "all" || sub == "tous" || sub == "toutes")
	case "confirm", "confirmer", "ok", "accept", "accepter":
		return s.confirm(ctx, c, rest)
	case "merge", "fusionner", "fusion":
		return s.merge(ctx, c, rest)
	case "alias", "aka":
		return s.alias(ctx, c, rest)
	case "rename", "renommer", "name", "nommer":
		return s.rename(ctx, c, rest)
	case "parent", "part-of", "rattacher", "mere":
		return s.parent(ctx, c, rest)
	}
	return c.ErrorReply("org_usage", c.SlashData())
}

// find reads the entry a word names ("12", "#12", a name, an acronym).
func (s *Feature) find(ctx context.Context, text string) (*storage.Organization, error) {
	return s.store.FindOrganization(ctx, text)
}

func (s *Feature) confirm(ctx context.Context, c *handlers.Call, args []string) handlers.Reply {
	if len(args) != 1 {
		return c.ErrorReply("org_usage", c.SlashData())
	}
	o, err := s.find(ctx, args[0])
	if err != nil {
		return c.Fail(err)
	}
	o, changed, err := s.store.ConfirmOrganization(ctx, o.ID)
	if err != nil {
		return c.Fail(err)
	}
	key := "org_confirmed"
	if !changed {
		key = "org_confirmed_already"
	}
	s.log.Info("organization confirmed", "organization", o.ID, "by", c.Req.Identity.String(), "changed", changed)
	return c.Reply("organization", handlers.Ephemeral, handlers.Section{Text: c.T(key, entryData(c, o))}, entryBlock(c, o))
}

// merge: organization merge FROM [into] INTO.
func (s *Feature) merge(ctx context.Context, c *handlers.Call, args []string) handlers.Reply {
	if len(args) == 3 {
		switch handlers.Fold(args[1]) {
		case "into", "in", "to", "dans", "vers", "avec", "with", "en":
			args = []string{args[0], args[2]}
		}
	}
	if len(args) != 2 {
		return c.ErrorReply("org_usage", c.SlashData())
	}
	from, err := s.find(ctx, args[0])
	if err != nil {
		return c.Fail(err)
	}
	into, err := s.find(ctx, args[1])
	if err != nil {
		return c.Fail(err)
	}
	o, moved, err := s.store.MergeOrganization(ctx, from.ID, into.ID)
	if err != nil {
		return c.Fail(named(c, err, map[string]*storage.Organization{"From": from, "Into": into}))
	}
	s.log.Info("organization merged", "from", from.ID, "into", o.ID, "members", moved, "by", c.Req.Identity.String())
	d := entryData(c, o)
	d["From"] = handlers.User(from.Label(c.Lang))
	return c.Reply("organization", handlers.Ephemeral, handlers.Section{Text: c.Count("org_merged", moved, d)}, entryBlock(c, o))
}

// alias: organization alias ENTRY "spelling".
func (s *Feature) alias(ctx context.Context, c *handlers.Call, args []string) handlers.Reply {
	if len(args) < 2 {
		return c.ErrorReply("org_usage", c.SlashData())
	}
	o, err := s.find(ctx, args[0])
	if err != nil {
		return c.Fail(err)
	}
	spelling := strings.Join(args[1:], " ")
	o, changed, err := s.store.AddOrganizationAlias(ctx, o.ID, spelling)
	if err != nil {
		return c.Fail(err)
	}
	key := "org_alias_added"
	if !changed {
		key = "org_alias_already"
	}
	s.log.Info("organization alias", "organization", o.ID, "by", c.Req.Identity.String(), "changed", changed)
	d := entryData(c, o)
	d["Alias"] = handlers.User(spelling)
	return c.Reply("organization", handlers.Ephemeral, handlers.Section{Text: c.T(key, d)}, entryBlock(c, o))
}

// rename: organization rename ENTRY ["English name"] [--fr "…"] [--acronym …] [--acronym-fr …].
func (s *Feature) rename(ctx context.Context, c *handlers.Call, args []string) handlers.Reply {
	if len(args) < 2 {
		return c.ErrorReply("org_usage", c.SlashData())
	}
	pos, opts, err := renameFlags.Parse(args[1:])
	if err != nil {
		return c.FailUsage(err, "org_usage")
	}
	var n storage.OrgNames
	if len(pos) > 0 {
		name := strings.Join(pos, " ")
		n.Name = &name
	}
	for _, o := range opts {
		v := o.Value
		if v == "-" {
			v = ""
		}
		switch o.Field {
		case "name":
			n.Name = &v
		case "name_fr":
			n.NameFR = &v
		case "acronym":
			n.Acronym = &v
		case "acronym_fr":
			n.AcronymFR = &v
		}
	}
	if n == (storage.OrgNames{}) {
		return c.ErrorReply("org_usage", c.SlashData())
	}
	o, err := s.find(ctx, args[0])
	if err != nil {
		return c.Fail(err)
	}
	before := o.Label(c.Lang)
	if o, err = s.store.RenameOrganization(ctx, o.ID, n); err != nil {
		return c.Fail(err)
	}
	s.log.Info("organization renamed", "organization", o.ID, "by", c.Req.Identity.String())
	d := entryData(c, o)
	d["Before"] = handlers.User(before)
	return c.Reply("organization", handlers.Ephemeral, handlers.Section{Text: c.T("org_renamed", d)}, entryBlock(c, o))
}

// parent: organization parent CHILD PARENT|none. The child then counts as
// its parent, once.
func (s *Feature) parent(ctx context.Context, c *handlers.Call, args []string) handlers.Reply {
	if len(args) != 2 {
		return c.ErrorReply("org_usage", c.SlashData())
	}
	child, err := s.find(ctx, args[0])
	if err != nil {
		return c.Fail(err)
	}
	var parent *storage.Organization
	switch handlers.Fold(args[1]) {
	case "none", "-", "aucun", "aucune":
	default:
		if parent, err = s.find(ctx, args[1]); err != nil {
			return c.Fail(err)
		}
	}
	var id int64
	if parent != nil {
		id = parent.ID
	}
	o, err := s.store.SetOrganizationParent(ctx, child.ID, id)
	if err != nil {
		return c.Fail(named(c, err, map[string]*storage.Organization{"Child": child, "Parent": parent,
			"From": child, "Into": parent}))
	}
	s.log.Info("organization parent", "organization", o.ID, "parent", id, "by", c.Req.Identity.String())
	d, key := entryData(c, o), "org_parent_cleared"
	if parent != nil {
		d["Parent"], key = handlers.User(parent.Label(c.Lang)), "org_parent_set"
	}
	return c.Reply("organization", handlers.Ephemeral, handlers.Section{Text: c.T(key, d)}, entryBlock(c, o))
}

// named returns err with the entries its message names (storage gives
// their English names) named in the reader's language.
func named(c *handlers.Call, err error, entries map[string]*storage.Organization) error {
	var e *storage.Error
	if !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Args = maps.Clone(e.Args)
	for k, o := range entries {
		if _, ok := out.Args[k]; ok && o != nil {
			out.Args[k] = handlers.User(o.Label(c.Lang))
		}
	}
	return &out
}
