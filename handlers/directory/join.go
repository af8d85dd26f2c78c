package directory

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"

	"copbot/handlers"
	"copbot/storage"
)

// A profile travels between the one-line commands, the sign-up form and
// storage as a map from form field id to raw text. These are the ids, in
// the order of the one-line grammar
//
//	join NAME | ORGANIZATION | ORDER | JURISDICTION | TITLE | EMAIL | LANGUAGE
var profileFields = [...]string{"name", "organization", "order", "jurisdiction", "title", "email", "language"}

// profileKey maps a folded key=value key, English or French, to its field.
func profileKey(k string) (string, bool) {
	switch k {
	case "name", "nom":
		return "name", true
	case "org", "organization", "organisation", "organisme", "department", "ministere", "ministry":
		return "organization", true
	case "order", "ordre", "level", "niveau":
		return "order", true
	case "where", "jurisdiction", "juridiction", "province", "territory", "territoire", "place", "lieu", "ou":
		return "jurisdiction", true
	case "title", "titre", "role", "poste", "fonction":
		return "title", true
	case "email", "courriel", "mail", "e-mail":
		return "email", true
	case "lang", "language", "langue":
		return "language", true
	}
	return "", false
}

// memberValues is the profile of m (nil: a newcomer) as form values, with
// the newcomer's platform name and language as defaults.
func memberValues(c *call, m *storage.Member) map[string]string {
	if m == nil {
		return map[string]string{"name": c.Req.UserName, "language": c.Lang}
	}
	return map[string]string{"name": m.Name, "organization": m.Organization, "order": string(m.Order),
		"jurisdiction": m.Jurisdiction, "title": m.Title, "email": m.Email, "language": m.Language}
}

// overlay returns base with every value of top set over it. The value "-"
// (or none/aucun) clears an optional field.
func overlay(base, top map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range top {
		switch handlers.Fold(v) {
		case "-", "none", "aucun", "aucune":
			v = ""
		}
		out[k] = v
	}
	return out
}

// profileInput turns form values into a member input for identity id. errs
// maps field ids to translated problems; when it is non-empty the input
// must not be saved. It reports every problem it can find at once.
func profileInput(c *call, vals map[string]string) (storage.MemberInput, map[string]string) {
	errs := map[string]string{}
	in := storage.MemberInput{Name: vals["name"], Organization: vals["organization"],
		Title: vals["title"], Email: vals["email"]}
	in.Order, in.Jurisdiction = profilePlace(c, vals, errs)
	in.Language = profileLanguage(c, vals["language"], errs)
	if strings.TrimSpace(in.Name) == "" {
		errs["name"] = c.T("error_name_required", nil)
	}
	if strings.TrimSpace(in.Organization) == "" {
		errs["organization"] = c.T("error_organization_required", nil)
	}
	if len(errs) == 0 {
		if err := storage.ValidateMember(in); err != nil {
			field, msg := c.fieldError(err)
			errs[field] = msg
		}
	}
	setIdentity(&in, c.Req.Identity)
	return in, errs
}

// profilePlace parses order and jurisdiction together: a jurisdiction of
// "federal"/"Canada" implies the federal order, and federal members need no
// jurisdiction.
func profilePlace(c *call, vals map[string]string, errs map[string]string) (storage.Order, string) {
	code := ""
	if raw := strings.TrimSpace(vals["jurisdiction"]); raw != "" {
		j, ok := MatchJurisdiction(raw)
		if !ok {
			errs["jurisdiction"] = c.unknownPlaceText(raw)
		}
		code = j.Code
	}
	raw := strings.TrimSpace(vals["order"])
	o, ok := MatchOrder(raw)
	switch {
	case raw == "" && code == storage.FederalCode:
		o = storage.OrderFederal
	case raw == "":
		errs["order"] = c.T("error_order_required", nil)
	case !ok:
		errs["order"] = c.T("error_order_invalid", map[string]any{"Value": raw})
	}
	return o, code
}

// profileLanguage accepts en/fr and the languages' names in either language.
func profileLanguage(c *call, raw string, errs map[string]string) string {
	switch handlers.Fold(strings.TrimSpace(raw)) {
	case "":
		return ""
	case "en", "english", "anglais", "eng", "ang":
		return "en"
	case "fr", "french", "francais", "fra", "fre":
		return "fr"
	}
	errs["language"] = c.T("error_language_invalid", map[string]any{"Value": raw})
	return ""
}

// setIdentity records the platform identity of the person joining, with
// its workspace (storage stamps it on the identity).
func setIdentity(in *storage.MemberInput, id storage.Identity) {
	in.Workspace = id.Workspace
	switch id.Platform {
	case storage.PlatformSlack:
		in.SlackID = id.ID
	case storage.PlatformTeams:
		in.TeamsID = id.ID
	case storage.PlatformConsole:
		in.ConsoleID = id.ID
	}
}

// fieldError places a storage validation error on its form field and
// translates it. Unknown keys land on "name", the first field.
func (c *call) fieldError(err error) (field, msg string) {
	var e *storage.Error
	if !errors.As(err, &e) || e.Code == storage.EINTERNAL {
		return "name", c.T("error_internal", nil)
	}
	msg = c.T(e.Key, c.With(e.Args))
	switch e.Key {
	case "error_claim_existing":
		if e.Args["Field"] == "email" {
			return "email", msg
		}
	case "error_organization_required":
		return "organization", msg
	case "error_order_invalid":
		return "order", msg
	case "error_jurisdiction_invalid", "error_federal_jurisdiction", "error_jurisdiction_required":
		return "jurisdiction", msg
	case "error_language_invalid":
		return "language", msg
	case "error_email_invalid", "error_identity_taken":
		return "email", msg
	case "error_too_long", "error_text_control", "error_text_utf8", "error_text_invisible":
		// Storage names the field: "update title …" is about the title.
		if f, ok := e.Args["Field"].(string); ok && slices.Contains(profileFields[:], f) {
			return f, msg
		}
	}
	return "name", msg
}

// problemsOf lists field errors in form order, each prefixed by its label.
func problemsOf(c *call, errs map[string]string) []string {
	var out []string
	for _, f := range profileFields {
		if msg, ok := errs[f]; ok {
			out = append(out, c.T("problem_line", map[string]any{"Field": c.T("field_"+f, nil), "Message": handlers.AfterColon(c.Lang, msg)}))
		}
	}
	return out
}

// cmdJoin signs the user up: with no text it opens the sign-up form (whose
// Text explains the one-line grammar), else it parses the one-liner.
// Joining again updates the profile.
func (s *Feature) cmdJoin(ctx context.Context, c *call) handlers.Reply {
	if c.Req.Identity.IsZero() {
		return c.ErrorReply("error_no_identity", nil)
	}
	if len(c.Args) == 0 && c.Member == nil && c.Former != nil {
		// Coming back: the kept profile is restored as it was.
		return s.saveProfile(ctx, c, memberValues(c, c.Former), keysOf(memberValues(c, c.Former)))
	}
	if len(c.Args) == 0 {
		return c.signupReply()
	}
	given, problems := parseProfileLine(c, c.RawArgs(), true)
	if len(problems) > 0 {
		return c.ErrorList(c.T("join_invalid", c.SlashData()), problems)
	}
	completePlace(given)
	return s.saveProfile(ctx, c, overlay(memberValues(c, s.profileBase(c)), given), keysOf(given))
}

// completePlace fills in the other half of a federal place, so that
// "update order federal" needs no "where" and "update where federal" no
// order: federal members have one possible jurisdiction.
func completePlace(given map[string]string) {
	_, hasOrder := given["order"]
	_, hasPlace := given["jurisdiction"]
	switch {
	case hasOrder && !hasPlace:
		if o, ok := MatchOrder(given["order"]); ok && o == storage.OrderFederal {
			given["jurisdiction"] = storage.FederalCode
		}
	case hasPlace && !hasOrder:
		if j, ok := MatchJurisdiction(given["jurisdiction"]); ok && j.Code == storage.FederalCode {
			given["order"] = string(storage.OrderFederal)
		}
	}
}

// keysOf is the set of fields given.
func keysOf(given map[string]string) map[string]bool {
	out := make(map[string]bool, len(given))
	for k := range given {
		out[k] = true
	}
	return out
}

// profileBase is the profile a join starts from: the caller's, or that of
// the member they were before leaving, so that coming back takes one word.
func (s *Feature) profileBase(c *call) *storage.Member {
	if c.Member != nil {
		return c.Member
	}
	return c.Former
}

// saveProfile validates vals and joins (or re-joins) the member; see
// joinWith for changed.
func (s *Feature) saveProfile(ctx context.Context, c *call, vals map[string]string, changed map[string]bool) handlers.Reply {
	r, errs := s.joinWith(ctx, c, vals, changed)
	if len(errs) > 0 {
		return c.ErrorList(c.T("join_invalid", c.SlashData()), problemsOf(c, errs))
	}
	return r
}

// joinWith is the one path from values to a saved member, shared by the
// one-liner and the form. vals is the whole profile, validated as a whole;
// changed names the fields the user gave or edited, the only ones written
// over an existing member's profile. Nothing is saved when errs is
// non-empty.
func (s *Feature) joinWith(ctx context.Context, c *call, vals map[string]string, changed map[string]bool) (handlers.Reply, map[string]string) {
	return s.joinWithOrg(ctx, c, vals, changed, false)
}

// joinWithOrg is joinWith; newOrg saves the organization as typed, as a
// new registry entry, even when it is close to an entry's spelling. When
// it is close and newOrg is false, nothing is saved: the reply asks
// whether the person meant that entry (orgpick.go).
func (s *Feature) joinWithOrg(ctx context.Context, c *call, vals map[string]string, changed map[string]bool, newOrg bool) (handlers.Reply, map[string]string) {
	in, errs := profileInput(c, vals)
	if len(errs) > 0 {
		return handlers.Reply{}, errs
	}
	in.NewOrganization = newOrg
	m, created, err := s.saveMember(ctx, c, in, changed)
	if o, ok := storage.OrgSuggestion(err); ok {
		return s.suggestOrg(c, vals, changed, in.Organization, o), nil
	}
	if err != nil {
		var e *storage.Error
		if errors.As(err, &e) && (e.Code == storage.EINVALID || e.Code == storage.ECONFLICT) {
			field, msg := c.fieldError(err)
			return handlers.Reply{}, map[string]string{field: msg}
		}
		return c.Fail(err), nil
	}
	key := "join_updated"
	switch {
	case created:
		key = "join_welcome"
	case c.Member == nil:
		key = "join_welcome_back"
	}
	if created || c.Member == nil {
		s.svc.MembershipChanged(m)
	}
	c.Member, c.Former, c.Lang = m, nil, m.Language
	r := c.profileReply(m)
	r.Kind = "joined"
	r.Blocks = append([]handlers.Block{handlers.Section{Text: c.T(key, c.With(map[string]any{"Name": handlers.User(m.Name)}))}}, r.Blocks...)
	if changed["organization"] {
		r.Blocks = append(r.Blocks, s.pendingNote(ctx, c, m)...)
	}
	r.Text = handlers.BlocksText(r.Lang, r.Blocks)
	return r, nil
}

// saveMember joins a newcomer, or writes the changed fields of the
// caller's profile (so that an emptied title or email is cleared, which
// joining, keeping stored optional values, would not do).
func (s *Feature) saveMember(ctx context.Context, c *call, in storage.MemberInput, changed map[string]bool) (*storage.Member, bool, error) {
	if c.Member == nil {
		return s.store.JoinMember(ctx, in)
	}
	m, err := s.store.UpdateMember(ctx, c.Member.ID, memberUpdate(in, changed))
	return m, false, err
}

// memberUpdate carries only the changed fields of in: writing back the
// others, read when the request (or the form) began, would undo a change
// made meanwhile. An emptied language is no change.
func memberUpdate(in storage.MemberInput, changed map[string]bool) storage.MemberUpdate {
	pick := func(field, v string) *string {
		if !changed[field] {
			return nil
		}
		return &v
	}
	u := storage.MemberUpdate{Name: pick("name", in.Name), Email: pick("email", in.Email),
		Organization: pick("organization", in.Organization), Jurisdiction: pick("jurisdiction", in.Jurisdiction),
		Title: pick("title", in.Title)}
	if in.Language != "" {
		u.Language = pick("language", in.Language)
	}
	if changed["order"] {
		u.Order = &in.Order
	}
	u.NewOrganization = in.NewOrganization
	return u
}

// signupForm is the sign-up form, prefilled from the member's profile.
func (c *call) signupForm() *handlers.Form {
	vals := memberValues(c, c.Member)
	title, submit, state := c.T("signup_title", nil), c.T("signup_submit", nil), ""
	if c.Member != nil {
		title, submit = c.T("signup_title_edit", nil), c.T("signup_submit_edit", nil)
		state = formState(vals)
	}
	text := func(id string, optional bool) handlers.FormField {
		return handlers.FormField{ID: id, Label: c.T("field_"+id, nil), Hint: c.T("hint_"+id, nil),
			Initial: vals[id], Optional: optional}
	}
	return &handlers.Form{ID: "signup", Title: title, Submit: submit, State: state, Fields: []handlers.FormField{
		text("name", false), text("organization", false),
		c.selectField("order", vals["order"], c.orderOptions()),
		c.selectField("jurisdiction", vals["jurisdiction"], c.jurisdictionOptions()),
		text("title", true), text("email", true),
		c.selectField("language", vals["language"], []handlers.Option{{Value: "en", Label: "English"}, {Value: "fr", Label: "Français"}}),
	}}
}

func (c *call) selectField(id, initial string, opts []handlers.Option) handlers.FormField {
	return handlers.FormField{ID: id, Label: c.T("field_"+id, nil), Hint: c.T("hint_"+id, nil), Kind: handlers.FieldSelect,
		Options: opts, Initial: initial}
}

func (c *call) orderOptions() []handlers.Option {
	var out []handlers.Option
	for _, o := range storage.Orders {
		out = append(out, handlers.Option{Value: string(o), Label: c.OrderName(o)})
	}
	return out
}

// jurisdictionOptions lists the 14 jurisdictions, federal first, named in
// the call's language.
func (c *call) jurisdictionOptions() []handlers.Option {
	var out []handlers.Option
	for _, j := range storage.Jurisdictions() {
		out = append(out, handlers.Option{Value: j.Code, Label: j.Name(c.Lang)})
	}
	return out
}

// signupReply opens the form; its Text teaches the one-line grammar to
// platforms that cannot show forms (the console).
func (c *call) signupReply() handlers.Reply {
	if c.Member != nil {
		return c.editReply()
	}
	r := c.Reply("signup", handlers.Ephemeral, handlers.Section{Text: c.T("join_grammar", c.SlashData())})
	r.Form = c.signupForm()
	return r
}

// editReply opens the prefilled profile form for a member; its Text
// teaches the update command with the member's current values, for
// platforms without forms.
func (c *call) editReply() handlers.Reply {
	vals := memberValues(c, c.Member)
	vals["order"] = c.T("order_word_"+memberOrder(c.Member), nil)
	var lines []string
	for _, f := range profileFields {
		v := vals[f]
		if v == "" {
			v = c.T("update_value_empty", nil)
		}
		lines = append(lines, "• "+handlers.FieldLine(c.Lang, c.T("key_"+f, nil), v))
	}
	r := c.Reply("signup", handlers.Ephemeral,
		handlers.Section{Text: c.T("update_grammar", c.SlashData())},
		handlers.Section{Text: c.T("update_current", nil) + "\n" + strings.Join(lines, "\n")},
		handlers.Context{Text: c.T("help_update_more", c.SlashData())})
	r.Form = c.signupForm()
	return r
}

func (s *Feature) actSignupOpen(ctx context.Context, c *call, _ string) handlers.Reply {
	if c.Req.Identity.IsZero() {
		return c.ErrorReply("error_no_identity", nil)
	}
	return c.signupReply()
}

// submitSignup handles the sign-up (and profile edit) form. Values may be
// option values or free text: both go through the same matchers. A
// member's edit writes only the fields that differ from what the form
// showed (its state), over their profile as it is now.
func (s *Feature) submitSignup(ctx context.Context, c *call, state string, values map[string]string) (handlers.Reply, map[string]string) {
	if c.Req.Identity.IsZero() {
		return c.ErrorReply("error_no_identity", nil), nil
	}
	vals, shown := map[string]string{}, parseFormState(state)
	if c.Member != nil {
		vals = memberValues(c, c.Member)
		if shown == nil { // a form opened before state was kept, or before joining
			shown = formFingerprints(vals)
		}
	}
	changed := map[string]bool{}
	for _, f := range profileFields {
		if c.Member == nil || fingerprint(values[f]) != shown[f] {
			vals[f], changed[f] = values[f], true
		}
	}
	return s.joinWith(ctx, c, vals, changed)
}

// formState records what a profile form shows, so that its submission can
// tell which fields the member changed. It keeps a fingerprint per field,
// not the values: a few hundred bytes whatever the profile, well within
// what platforms carry (Slack's private_metadata holds 3,000), and no
// personal details travel in it.
func formState(vals map[string]string) string {
	b, err := json.Marshal(formFingerprints(vals))
	if err != nil { // a map of strings always marshals
		return ""
	}
	return string(b)
}

// parseFormState reads formState's output; nil if there is none.
func parseFormState(state string) map[string]string {
	var prints map[string]string
	if state == "" || json.Unmarshal([]byte(state), &prints) != nil {
		return nil
	}
	return prints
}

func formFingerprints(vals map[string]string) map[string]string {
	out := make(map[string]string, len(profileFields))
	for _, f := range profileFields {
		out[f] = fingerprint(vals[f])
	}
	return out
}

// fingerprint is a short hash of a form value, spaces around it aside.
func fingerprint(v string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.TrimSpace(v)))
	return strconv.FormatUint(h.Sum64(), 36)
}
