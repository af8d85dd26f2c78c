package handlers

import "copbot/storage"

// PlaceForm is how a jurisdiction's name sits in a sentence. French puts
// an article and a preposition before most place names and contracts them
// (« du Yukon », « de l’Ontario », « des Territoires du Nord-Ouest », « de
// Terre-Neuve-et-Labrador »); English adds "the" to a few ("the Northwest
// Territories"). Each form of each place is written out in the catalogs
// (places.*.toml), never assembled from pieces.
type PlaceForm string

// The forms a sentence can ask for.
const (
	// PlaceThe is the name as a subject or object: « le Yukon », "the
	// Northwest Territories", "Yukon".
	PlaceThe PlaceForm = "the"
	// PlaceOf follows a noun: « représentation du Yukon », "representative
	// from the Northwest Territories".
	PlaceOf PlaceForm = "of"
	// PlaceToGov is the government as the one something is sent to: « au
	// gouvernement du Yukon », "to the Government of Yukon".
	PlaceToGov PlaceForm = "to_gov"
)

// PlaceForms lists every form, for tests that build them all.
var PlaceForms = [...]PlaceForm{PlaceThe, PlaceOf, PlaceToGov}

// Place writes the jurisdiction code in form f in lang; an unknown code
// is returned as it is.
func (t *Translator) Place(lang, code string, f PlaceForm) string {
	if _, ok := storage.JurisdictionByCode(code); !ok {
		return code
	}
	return t.T(lang, "place_"+string(f)+"_"+code, nil)
}

// Place writes the jurisdiction code in form f in the call's language.
func (c *Call) Place(code string, f PlaceForm) string { return c.tr.Place(c.Lang, code, f) }

// PlaceList joins the jurisdictions, each in form f, as the call's
// language writes a list: « du Nunavut et du Yukon ».
func (c *Call) PlaceList(codes []string, f PlaceForm) string {
	out := make([]string, len(codes))
	for i, code := range codes {
		out[i] = c.Place(code, f)
	}
	return c.AndList(out)
}
