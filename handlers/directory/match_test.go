package directory

import (
	"strings"
	"testing"

	"copbot/handlers"
	"copbot/storage"
)

func TestMatchJurisdiction(t *testing.T) {
	tests := []struct {
		in   string
		want string // code, "" for no match
	}{
		{"Yukon", "YT"}, {"le Yukon", "YT"}, {"YT", "YT"}, {"yt", "YT"}, {"the Yukon", "YT"},
		{"territoire du Yukon", "YT"}, {"Yukon Territory", "YT"},
		{"PEI", "PE"}, {"P.E.I.", "PE"}, {"pei", "PE"}, {"l'Île-du-Prince-Édouard", "PE"},
		{"l’Île-du-Prince-Édouard", "PE"}, {"Ile du Prince Edouard", "PE"}, {"ÎLE-DU-PRINCE-ÉDOUARD", "PE"},
		{"Î.-P.-É.", "PE"}, {"Prince Edward Island", "PE"}, {"prince edward island", "PE"},
		{"Terre-Neuve", "NL"}, {"Terre-Neuve-et-Labrador", "NL"}, {"Newfoundland", "NL"}, {"NL", "NL"},
		{"Newfoundland and Labrador", "NL"},
		{"NWT", "NT"}, {"N.W.T.", "NT"}, {"TNO", "NT"}, {"T.N.-O.", "NT"}, {"les Territoires du Nord-Ouest", "NT"},
		{"Northwest Territories", "NT"},
		{"Québec", "QC"}, {"quebec", "QC"}, {"QUÉBEC", "QC"}, {"le Québec", "QC"}, {"province of Quebec", "QC"},
		{"Province de Québec", "QC"}, {"QC", "QC"},
		{"Colombie-Britannique", "BC"}, {"la Colombie-Britannique", "BC"}, {"B.C.", "BC"}, {"BC", "BC"},
		{"British Columbia", "BC"}, {"C.-B.", "BC"},
		{"Nouvelle-Écosse", "NS"}, {"nouvelle ecosse", "NS"}, {"Nova Scotia", "NS"},
		{"Nouveau-Brunswick", "NB"}, {"New Brunswick", "NB"},
		{"l'Ontario", "ON"}, {"Ontario", "ON"}, {"ON", "ON"}, {"en Ontario", "ON"},
		{"la Saskatchewan", "SK"}, {"Sask", "SK"}, {"l'Alberta", "AB"}, {"Manitoba", "MB"},
		{"Nunavut", "NU"}, {"au Nunavut", "NU"},
		{"federal", "CA"}, {"fédéral", "CA"}, {"Canada", "CA"}, {"CA", "CA"}, {"Government of Canada", "CA"},
		{"gouvernement du Canada", "CA"}, {"le gouvernement fédéral", "CA"},
		{"Yn", "YT"}, {"yn", "YT"}, {"Alb.", "AB"}, {"alb", "AB"}, {"GdC", "CA"}, {"gouv. du Canada", "CA"},
		{"Gouv. du Canada", "CA"}, {"le gouv. du Canada", "CA"},
		// « Nt » (Nunavut in French) or NT (the Northwest Territories'
		// code): only the code in capitals is taken, the rest is asked.
		{"NT", "NT"}, {"Nt", ""}, {"nt", ""}, {"N.t.", ""},
		{"Saskatchwan", ""}, {"Narnia", ""}, {"", ""}, {"le", ""}, {"?!", ""}, {"Toronto", ""},
	}
	for _, tt := range tests {
		j, ok := MatchJurisdiction(tt.in)
		got := ""
		if ok {
			got = j.Code
		}
		if got != tt.want {
			t.Errorf("MatchJurisdiction(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSuggestJurisdictions(t *testing.T) {
	tests := []struct {
		in   string
		want string // codes of the suggestions, comma-separated, best first
	}{
		{"Saskatchwan", "SK"},
		{"Saskatchewn", "SK"},
		{"Albreta", "AB"},
		{"Nunavt", "NU"},
		{"Newfound", "NL"},
		{"Colombie Britanique", "BC"},
		{"Quebek", "QC"},
		{"Manitobah", "MB"},
		{"Narnia", ""},
		{"Nt", "NU,NT"},
		{"NT", ""},
		{"xx", ""},
		{"", ""},
		{"Toronto", ""},
	}
	for _, tt := range tests {
		var codes []string
		for _, j := range SuggestJurisdictions(tt.in) {
			codes = append(codes, j.Code)
		}
		if got := strings.Join(codes, ","); got != tt.want {
			t.Errorf("SuggestJurisdictions(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every reference name, code and alias must match its own jurisdiction, and
// no key may be claimed by two jurisdictions.
func TestMatchJurisdictionReferenceList(t *testing.T) {
	owner := map[string]string{}
	for _, j := range storage.Jurisdictions() {
		for _, n := range append([]string{j.Code, j.NameEN, j.NameFR}, j.Aliases...) {
			got, ok := MatchJurisdiction(n)
			if !ok || got.Code != j.Code {
				t.Errorf("MatchJurisdiction(%q) = %q, %v, want %q", n, got.Code, ok, j.Code)
			}
			k := placeKey(n)
			if prev, dup := owner[k]; dup && prev != j.Code {
				t.Errorf("key %q claimed by %s and %s", k, prev, j.Code)
			}
			owner[k] = j.Code
		}
	}
}

func TestMatchOrder(t *testing.T) {
	tests := []struct {
		in   string
		want storage.Order
	}{
		{"federal", storage.OrderFederal}, {"Fédéral", storage.OrderFederal}, {"FEDERALE", storage.OrderFederal},
		{"provincial", storage.OrderProvincial}, {"territorial", storage.OrderProvincial},
		{"Provincial/Territorial", storage.OrderProvincial}, {"provincial et territorial", storage.OrderProvincial},
		{"provinciale", storage.OrderProvincial}, {"Territoire", storage.OrderProvincial},
		{"municipal", storage.OrderMunicipal}, {"municipalité", storage.OrderMunicipal},
		{"Municipality", storage.OrderMunicipal}, {"ville", storage.OrderMunicipal},
		{"federal municipal", ""}, {"regional", ""}, {"", ""}, {"and", ""},
	}
	for _, tt := range tests {
		got, ok := MatchOrder(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("MatchOrder(%q) = %q, %v, want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"saskatchwan", "saskatchewan", 1}, {"ab", "ba", 1}, {"albreta", "alberta", 1}, {"é", "e", 1},
	}
	for _, tt := range tests {
		if got := handlers.EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
