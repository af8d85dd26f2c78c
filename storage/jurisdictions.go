package storage

// Jurisdiction is the Government of Canada or one of the 13 provinces and
// territories. Municipalities belong to the province or territory they are in.
type Jurisdiction struct {
	Code      string // "CA" for federal, else the two-letter postal code
	NameEN    string
	NameFR    string
	Territory bool
	// Aliases are other ways people write the name, in either language. The
	// matcher folds case, accents, punctuation and articles itself, so only
	// genuinely different spellings belong here.
	Aliases []string
}

// Federal reports whether j is the Government of Canada.
func (j Jurisdiction) Federal() bool { return j.Code == FederalCode }

// Name returns the name in lang ("fr" or anything else for English).
func (j Jurisdiction) Name(lang string) string {
	if lang == "fr" {
		return j.NameFR
	}
	return j.NameEN
}

// FederalCode is the jurisdiction code of the Government of Canada.
const FederalCode = "CA"

// jurisdictions is the reference list, federal first, then east to west and
// the territories, the order the report uses.
var jurisdictions = []Jurisdiction{
	{Code: "CA", NameEN: "Government of Canada", NameFR: "Gouvernement du Canada",
		Aliases: []string{"federal", "fédéral", "fed", "féd", "Canada", "GC", "Government of Canada", "federal government", "gouvernement fédéral",
			"GdC", "GoC", "gouv. du Canada", "gouv. fédéral", "Gov. of Canada"}},
	{Code: "NL", NameEN: "Newfoundland and Labrador", NameFR: "Terre-Neuve-et-Labrador",
		Aliases: []string{"Newfoundland", "Terre-Neuve", "Labrador", "Nfld", "NF", "TNL", "N.L.", "Newfoundland & Labrador"}},
	{Code: "PE", NameEN: "Prince Edward Island", NameFR: "Île-du-Prince-Édouard",
		Aliases: []string{"PEI", "P.E.I.", "IPE", "Î.-P.-É.", "I.P.E.", "Ile du Prince Edouard", "PEI island"}},
	{Code: "NS", NameEN: "Nova Scotia", NameFR: "Nouvelle-Écosse", Aliases: []string{"N.S.", "N.-É.", "NE"}},
	{Code: "NB", NameEN: "New Brunswick", NameFR: "Nouveau-Brunswick", Aliases: []string{"N.B.", "N.-B."}},
	{Code: "QC", NameEN: "Quebec", NameFR: "Québec", Aliases: []string{"Que", "Qué", "PQ", "Province of Quebec", "Province de Québec"}},
	{Code: "ON", NameEN: "Ontario", NameFR: "Ontario", Aliases: []string{"Ont"}},
	{Code: "MB", NameEN: "Manitoba", NameFR: "Manitoba", Aliases: []string{"Man"}},
	{Code: "SK", NameEN: "Saskatchewan", NameFR: "Saskatchewan", Aliases: []string{"Sask"}},
	{Code: "AB", NameEN: "Alberta", NameFR: "Alberta", Aliases: []string{"Alta", "Alb."}},
	{Code: "BC", NameEN: "British Columbia", NameFR: "Colombie-Britannique", Aliases: []string{"B.C.", "C.-B.", "CB"}},
	{Code: "YT", NameEN: "Yukon", NameFR: "Yukon", Territory: true, Aliases: []string{"Yukon Territory", "YK", "Yuk", "Yn"}},
	{Code: "NT", NameEN: "Northwest Territories", NameFR: "Territoires du Nord-Ouest", Territory: true,
		Aliases: []string{"NWT", "N.W.T.", "TNO", "T.N.-O.", "T.N.O.", "North West Territories"}},
	{Code: "NU", NameEN: "Nunavut", NameFR: "Nunavut", Territory: true, Aliases: []string{"Nvt"}},
}

// Jurisdictions returns the reference list, federal first. The caller must
// not modify it.
func Jurisdictions() []Jurisdiction { return jurisdictions }

// JurisdictionByCode returns the jurisdiction with the exact code (upper case).
func JurisdictionByCode(code string) (Jurisdiction, bool) {
	for _, j := range jurisdictions {
		if j.Code == code {
			return j, true
		}
	}
	return Jurisdiction{}, false
}
