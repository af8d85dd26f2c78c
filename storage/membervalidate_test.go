package storage

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestValidateMember(t *testing.T) {
	long := strings.Repeat("é", 201)
	tests := []struct {
		name     string
		edit     func(*MemberInput)
		wantKey  string
		wantArgs map[string]any
	}{
		{"valid", func(in *MemberInput) {}, "", nil},
		{"spaces only name", func(in *MemberInput) { in.Name = "  \t " }, "error_name_required", nil},
		{"no organization", func(in *MemberInput) { in.Organization = "" }, "error_organization_required", nil},
		{"bad order", func(in *MemberInput) { in.Order = "regional" }, "error_order_invalid", map[string]any{"Value": "regional"}},
		{"empty order", func(in *MemberInput) { in.Order = "" }, "error_order_invalid", map[string]any{"Value": ""}},
		{"order case and spaces", func(in *MemberInput) { in.Order = " Provincial " }, "", nil},
		{"unknown jurisdiction", func(in *MemberInput) { in.Jurisdiction = "XX" }, "error_jurisdiction_invalid", map[string]any{"Value": "XX"}},
		{"jurisdiction lower case", func(in *MemberInput) { in.Jurisdiction = "on" }, "", nil},
		{"federal in Ontario", func(in *MemberInput) { in.Order = OrderFederal }, "error_federal_jurisdiction", nil},
		{"federal empty jurisdiction", func(in *MemberInput) { in.Order, in.Jurisdiction = OrderFederal, "" }, "", nil},
		{"federal CA", func(in *MemberInput) { in.Order, in.Jurisdiction = OrderFederal, "ca" }, "", nil},
		{"provincial CA", func(in *MemberInput) { in.Jurisdiction = "CA" }, "error_jurisdiction_required", nil},
		{"municipal empty", func(in *MemberInput) { in.Order, in.Jurisdiction = OrderMunicipal, "" }, "error_jurisdiction_required", nil},
		{"bad language", func(in *MemberInput) { in.Language = "de" }, "error_language_invalid", map[string]any{"Value": "de"}},
		{"empty language", func(in *MemberInput) { in.Language = "" }, "", nil},
		{"language case", func(in *MemberInput) { in.Language = "FR" }, "", nil},
		{"no email", func(in *MemberInput) { in.Email = "" }, "", nil},
		{"email upper case", func(in *MemberInput) { in.Email = " Marie@Ontario.CA " }, "", nil},
		{"email no at", func(in *MemberInput) { in.Email = "marie.ontario.ca" }, "error_email_invalid", map[string]any{"Value": "marie.ontario.ca"}},
		{"email display name", func(in *MemberInput) { in.Email = "Marie <marie@ontario.ca>" }, "error_email_invalid", map[string]any{"Value": "marie <marie@ontario.ca>"}},
		{"email no dot", func(in *MemberInput) { in.Email = "marie@localhost" }, "error_email_invalid", map[string]any{"Value": "marie@localhost"}},
		{"email two addresses", func(in *MemberInput) { in.Email = "a@b.ca, c@d.ca" }, "error_email_invalid", map[string]any{"Value": "a@b.ca, c@d.ca"}},
		{"name 200 accented", func(in *MemberInput) { in.Name = long[2:] }, "", nil},
		{"name too long", func(in *MemberInput) { in.Name = long }, "error_too_long", map[string]any{"Field": "name", "Max": 200}},
		{"org too long", func(in *MemberInput) { in.Organization = long }, "error_too_long", map[string]any{"Field": "organization", "Max": 200}},
		{"title too long", func(in *MemberInput) { in.Title = long }, "error_too_long", map[string]any{"Field": "title", "Max": 200}},
		{"email too long", func(in *MemberInput) { in.Email = strings.Repeat("a", 250) + "@x.ca" }, "error_too_long", map[string]any{"Field": "email", "Max": 254}},
		{"slack id too long", func(in *MemberInput) { in.SlackID = strings.Repeat("U", 101) }, "error_too_long", map[string]any{"Field": "slack_id", "Max": 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := marieInput()
			tt.edit(&in)
			err := ValidateMember(in)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("ValidateMember = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ValidateMember = %v, want *Error %s", err, tt.wantKey)
			}
			if e.Code != EINVALID || e.Key != tt.wantKey || !reflect.DeepEqual(e.Args, tt.wantArgs) {
				t.Errorf("got %s %s %v, want %s %s %v", e.Code, e.Key, e.Args, EINVALID, tt.wantKey, tt.wantArgs)
			}
		})
	}
}

func TestNormalizeMember(t *testing.T) {
	in := MemberInput{Name: "  Marie \t  Tremblay ", Email: " Marie@Ontario.CA", Organization: " Service   Ontario ",
		Order: "Federal", Jurisdiction: "", Title: " Director,  Contact Centre ", Language: " FR ", SlackID: " U1 "}
	got, err := normalizeMember(in)
	if err != nil {
		t.Fatal(err)
	}
	want := MemberInput{Name: "Marie Tremblay", Email: "marie@ontario.ca", Organization: "Service Ontario",
		Order: OrderFederal, Jurisdiction: "CA", Title: "Director, Contact Centre", Language: "fr", SlackID: "U1"}
	if got != want {
		t.Errorf("normalizeMember =\n%+v, want\n%+v", got, want)
	}
}

func TestFoldKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Marie Tremblay", "marie  tremblay"},
		{"Émilie Côté", "EMILIE COTE"},
		{"ServiceOntario", "Service Ontario"},
		{"Ministère de l’Économie", "ministere de l'economie"},
		{"François", "FRANCOIS"},
		{"Zoë", "zoe"},
	}
	for _, tt := range tests {
		if a, b := foldKey(tt.a), foldKey(tt.b); a != b {
			t.Errorf("foldKey(%q) = %q, foldKey(%q) = %q, want equal", tt.a, a, tt.b, b)
		}
	}
	for _, pair := range [][2]string{{"Marie-Ève", "Marie Eve"}, {"Roy", "Ray"}} {
		if foldKey(pair[0]) == foldKey(pair[1]) {
			t.Errorf("foldKey(%q) == foldKey(%q), want different", pair[0], pair[1])
		}
	}
}
