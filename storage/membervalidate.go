package storage

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length caps, in characters, of member fields.
const (
	maxNameLen  = 200
	maxEmailLen = 254
	maxIDLen    = 100
)

// ValidateMember checks one input without I/O, the way JoinMember and
// ImportMembers will. It returns nil or an *Error with Code EINVALID and Key
// one of error_name_required, error_organization_required,
// error_order_invalid {Value}, error_jurisdiction_invalid {Value},
// error_federal_jurisdiction, error_jurisdiction_required,
// error_language_invalid {Value}, error_email_invalid {Value} or
// error_too_long {Field, Max}. Field is the input field's form id: name,
// organization, title, email, slack_id, teams_id or console_id.
func ValidateMember(in MemberInput) error {
	_, err := normalizeMember(in)
	return err
}

// normalizeMember trims and canonicalizes in and validates the result. An
// empty Language stays empty (callers decide between "en" and keeping the
// stored preference); an empty federal jurisdiction becomes CA.
func normalizeMember(in MemberInput) (MemberInput, error) {
	if err := checkMemberText(in); err != nil {
		return in, err
	}
	in = MemberInput{
		Name:         squeeze(in.Name),
		Email:        strings.ToLower(strings.TrimSpace(in.Email)),
		Organization: squeeze(in.Organization),
		Order:        Order(strings.ToLower(strings.TrimSpace(string(in.Order)))),
		Jurisdiction: strings.ToUpper(strings.TrimSpace(in.Jurisdiction)),
		Title:        squeeze(in.Title),
		Language:     strings.ToLower(strings.TrimSpace(in.Language)),
		SlackID:      strings.TrimSpace(in.SlackID),
		TeamsID:      strings.TrimSpace(in.TeamsID),
		ConsoleID:    strings.TrimSpace(in.ConsoleID),
		Workspace:    strings.TrimSpace(in.Workspace),

		NewOrganization: in.NewOrganization,
	}
	if in.Order == OrderFederal && in.Jurisdiction == "" {
		in.Jurisdiction = FederalCode
	}
	checks := []func(MemberInput) *Error{
		checkMemberRequired, checkMemberLengths, checkMemberPlace, checkMemberLanguage, checkMemberEmail,
	}
	for _, check := range checks {
		if err := check(in); err != nil {
			return in, err
		}
	}
	return in, nil
}

// checkMemberText runs checkText over every text field of in, before
// white space is squeezed (which also removes tabs and line breaks).
func checkMemberText(in MemberInput) *Error {
	return checkFields(
		textField{"name", in.Name, textBreaks}, textField{"organization", in.Organization, textBreaks},
		textField{"title", in.Title, textBreaks}, textField{"email", in.Email, textLine},
		textField{"order", string(in.Order), textLine}, textField{"jurisdiction", in.Jurisdiction, textLine},
		textField{"language", in.Language, textLine}, textField{"slack_id", in.SlackID, textLine},
		textField{"teams_id", in.TeamsID, textLine}, textField{"console_id", in.ConsoleID, textLine})
}

func checkMemberRequired(in MemberInput) *Error {
	if in.Name == "" {
		return invalidf("error_name_required", nil, "name is required")
	}
	if in.Organization == "" {
		return invalidf("error_organization_required", nil, "organization is required")
	}
	return nil
}

func checkMemberLengths(in MemberInput) *Error {
	fields := []struct {
		name, value string
		max         int
	}{
		{"name", in.Name, maxNameLen}, {"organization", in.Organization, maxNameLen},
		{"title", in.Title, maxNameLen}, {"email", in.Email, maxEmailLen},
		{"slack_id", in.SlackID, maxIDLen}, {"teams_id", in.TeamsID, maxIDLen},
		{"console_id", in.ConsoleID, maxIDLen},
	}
	for _, f := range fields {
		if utf8.RuneCountInString(f.value) > f.max {
			return invalidf("error_too_long", map[string]any{"Field": f.name, "Max": f.max},
				"%s is longer than %d characters", f.name, f.max)
		}
	}
	return nil
}

// checkMemberPlace enforces the order/jurisdiction pairing: federal members belong
// to CA, everyone else to a province or territory.
func checkMemberPlace(in MemberInput) *Error {
	if !in.Order.Valid() {
		return invalidf("error_order_invalid", map[string]any{"Value": string(in.Order)},
			"order %q is not federal, provincial or municipal", in.Order)
	}
	if in.Jurisdiction != "" {
		if _, ok := JurisdictionByCode(in.Jurisdiction); !ok {
			return invalidf("error_jurisdiction_invalid", map[string]any{"Value": in.Jurisdiction},
				"jurisdiction %q is not a known code", in.Jurisdiction)
		}
	}
	if in.Order == OrderFederal && in.Jurisdiction != FederalCode {
		return invalidf("error_federal_jurisdiction", nil, "federal members belong to CA, not %s", in.Jurisdiction)
	}
	if in.Order != OrderFederal && (in.Jurisdiction == "" || in.Jurisdiction == FederalCode) {
		return invalidf("error_jurisdiction_required", nil, "%s members need a province or territory", in.Order)
	}
	return nil
}

func checkMemberLanguage(in MemberInput) *Error {
	if in.Language != "" && in.Language != "en" && in.Language != "fr" {
		return invalidf("error_language_invalid", map[string]any{"Value": in.Language},
			"language %q is not en or fr", in.Language)
	}
	return nil
}

// checkMemberEmail accepts a bare address (no display name, no comments) whose
// domain has a dot.
func checkMemberEmail(in MemberInput) *Error {
	if in.Email == "" {
		return nil
	}
	a, err := mail.ParseAddress(in.Email)
	ok := err == nil && strings.EqualFold(a.Address, in.Email)
	if ok {
		at := strings.LastIndexByte(a.Address, '@')
		ok = at > 0 && strings.Contains(a.Address[at+1:], ".") && !strings.ContainsAny(a.Address, " \t\"")
	}
	if !ok {
		return invalidf("error_email_invalid", map[string]any{"Value": in.Email}, "%q is not an email address", in.Email)
	}
	return nil
}

func invalidf(key string, args map[string]any, format string, a ...any) *Error {
	return Errorf(EINVALID, key, args, format, a...)
}

// squeeze trims s, collapses every run of white space to one space and
// composes accents (NFC), so that a name typed on any keyboard is stored
// the same way.
func squeeze(s string) string { return norm.NFC.String(strings.Join(strings.Fields(s), " ")) }

// foldKey folds case, accents, apostrophe variants and white space, so
// that names typed differently by different people compare equal:
// "Marie-Ève  Tremblay" and "marie-eve tremblay". It is the key of
// organizations and the sort key of members. It decomposes (NFD) and drops
// the combining marks rather than chaining x/text transformers, which
// allocate buffers per call: an import folds 200,000 strings.
func foldKey(s string) string {
	if k, ok := foldASCII(s); ok {
		return k
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.IsSpace(r):
			continue
		case r == '’' || r == '‘' || r == 'ʼ':
			r = '\''
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

// foldASCII is foldKey's fast path for pure ASCII input, which needs no
// Unicode normalization; ok is false when s has other characters.
func foldASCII(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			return "", false
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return string(b), true
}
