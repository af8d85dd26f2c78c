package meetings

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"copbot/handlers"
	"copbot/storage"
)

// This file reads the time zone a coordinator may write after a meeting's
// time: an IANA name in any case ("america/vancouver"), a Canadian
// abbreviation in English or French ("PST", "HNE", "PT", "HE"), UTC, or an offset
// ("-08:00", "UTC-8"). A word that looks like a zone but is none is refused
// with a suggestion, never taken as the first word of a title.

// meetingAbbrevZones maps the Canadian zone abbreviations to the region
// whose clock they name. An abbreviation stands for the region, not for a
// fixed offset: "10:00 EST" on a July date is 10:00 in Toronto (EDT that
// day), which is what people who write EST all year mean, and the meeting
// keeps its local time across daylight-saving changes.
var meetingAbbrevZones = map[string]string{
	"NST": "America/St_Johns", "NDT": "America/St_Johns", "HNT": "America/St_Johns", "HAT": "America/St_Johns",
	"AST": "America/Halifax", "ADT": "America/Halifax", "HNA": "America/Halifax", "HAA": "America/Halifax",
	"EST": "America/Toronto", "EDT": "America/Toronto", "HNE": "America/Toronto", "HAE": "America/Toronto",
	"CST": "America/Winnipeg", "CDT": "America/Winnipeg", "HNC": "America/Winnipeg", "HAC": "America/Winnipeg",
	"MST": "America/Edmonton", "MDT": "America/Edmonton", "HNR": "America/Edmonton", "HAR": "America/Edmonton",
	"PST": "America/Vancouver", "PDT": "America/Vancouver", "HNP": "America/Vancouver", "HAP": "America/Vancouver",
	// The generic names, without standard or daylight: ET, PT… in English,
	// HE (heure de l'Est), HP… in French.
	"NT": "America/St_Johns", "AT": "America/Halifax", "ET": "America/Toronto",
	"CT": "America/Winnipeg", "MT": "America/Edmonton", "PT": "America/Vancouver",
	"HT": "America/St_Johns", "HA": "America/Halifax", "HE": "America/Toronto",
	"HC": "America/Winnipeg", "HR": "America/Edmonton", "HP": "America/Vancouver",
}

// meetingCanadianZones are the zones suggested for a misspelt IANA name.
var meetingCanadianZones = []string{"America/St_Johns", "America/Halifax", "America/Moncton", "America/Toronto",
	"America/Winnipeg", "America/Regina", "America/Edmonton", "America/Vancouver", "America/Whitehorse",
	"America/Iqaluit", "America/Yellowknife", "America/Goose_Bay", "America/Glace_Bay", "America/Swift_Current"}

// meetingParseZone reads w as a zone: read is the zone the wall time is
// read in, name the IANA name stored with the meeting. ok is false when w
// does not look like a zone (it is then a title word); err is set when it
// looks like one but is not known. An offset of whole hours is stored as
// the fixed IANA zone Etc/GMT∓N; any other offset fixes the instant and
// the meeting keeps the default zone def for display.
func meetingParseZone(w string, def *time.Location) (read *time.Location, name string, ok bool, err error) {
	if off, isOffset, valid := meetingParseOffset(w); isOffset {
		if !valid {
			return nil, "", true, meetingZoneError(w, "")
		}
		if loc := meetingOffsetZone(off); loc != nil {
			return loc, loc.String(), true, nil
		}
		return time.FixedZone(w, off), def.String(), true, nil
	}
	if z, found := meetingAbbrevZones[w]; found {
		loc, err := time.LoadLocation(z)
		return loc, z, true, err
	}
	if !meetingLooksLikeZone(w) {
		return nil, "", false, nil
	}
	if strings.EqualFold(w, "UTC") || strings.EqualFold(w, "GMT") {
		return time.UTC, "UTC", true, nil
	}
	if loc := meetingLoadIANA(w); loc != nil {
		return loc, loc.String(), true, nil
	}
	return nil, "", true, meetingZoneError(w, meetingClosestZone(w))
}

// meetingLooksLikeZone tells a zone-like word from a title word: an
// "Area/Location" name, UTC or GMT, or three or four capitals ending in T
// (BST, AEST) or French Canadian ones (HNE, HAP). A title that starts with
// such a word is given with --title.
func meetingLooksLikeZone(w string) bool {
	if strings.Contains(w, "/") || strings.EqualFold(w, "UTC") || strings.EqualFold(w, "GMT") {
		return true
	}
	if len(w) < 3 || len(w) > 4 || strings.IndexFunc(w, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return false
	}
	return strings.HasSuffix(w, "T") || (len(w) == 3 && w[0] == 'H' && (w[1] == 'N' || w[1] == 'A'))
}

// meetingLoadIANA loads an IANA name written in any case: as given, then
// with each part capitalised ("america/st_johns" → "America/St_Johns"),
// then by matching the Canadian zones case-insensitively.
func meetingLoadIANA(w string) *time.Location {
	for _, name := range []string{w, meetingTitleCase(w)} {
		if name == "Local" || !strings.Contains(name, "/") {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	for _, name := range meetingCanadianZones {
		if strings.EqualFold(name, w) {
			loc, _ := time.LoadLocation(name)
			return loc
		}
	}
	return nil
}

// meetingTitleCase capitalises the first letter of each part of a zone
// name, parts being separated by "/", "_" or "-", and lowers the rest.
func meetingTitleCase(w string) string {
	rs := []rune(strings.ToLower(w))
	for i := range rs {
		if i == 0 || strings.ContainsRune("/_-", rs[i-1]) {
			rs[i] = unicode.ToUpper(rs[i])
		}
	}
	return string(rs)
}

// meetingParseOffset reads "+HH:MM", "-HHMM", "-H", "UTC-5", "GMT+05:30"
// (the minus may be U+2212). isOffset says whether w has an offset's shape;
// valid whether it is within ±14:00 with minutes under 60.
func meetingParseOffset(w string) (seconds int, isOffset, valid bool) {
	s := strings.ReplaceAll(w, "−", "-")
	for _, p := range []string{"UTC", "GMT", "utc", "gmt"} {
		s = strings.TrimPrefix(s, p)
	}
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') || s[1] < '0' || s[1] > '9' {
		return 0, false, false
	}
	sign, digits := 1, strings.ReplaceAll(s[1:], ":", "")
	if s[0] == '-' {
		sign = -1
	}
	if len(digits) <= 2 { // hours only
		digits += "00"
	}
	if len(digits) == 3 { // one-digit hours
		digits = "0" + digits
	}
	n, err := strconv.Atoi(digits)
	if err != nil || len(digits) != 4 || n/100 > 14 || n%100 >= 60 || (n/100 == 14 && n%100 != 0) {
		return 0, true, false
	}
	return sign * (n/100*3600 + n%100*60), true, true
}

// meetingOffsetZone is the IANA zone of a whole-hour offset, Etc/GMT∓N
// (those names invert the sign), or nil for any other offset.
func meetingOffsetZone(seconds int) *time.Location {
	if seconds == 0 {
		return time.UTC
	}
	if seconds%3600 != 0 {
		return nil
	}
	loc, err := time.LoadLocation(fmt.Sprintf("Etc/GMT%+d", -seconds/3600))
	if err != nil {
		return nil
	}
	return loc
}

func meetingZoneError(w, suggestion string) error {
	key, args := "meeting_error_zone", map[string]any{"Zone": w}
	if suggestion != "" {
		key, args["Suggestion"] = "meeting_error_zone_suggest", suggestion
	}
	return storage.Errorf(storage.EINVALID, key, args, "unknown zone %q", w)
}

// meetingClosestZone is the Canadian zone nearest to w by edit distance
// on the lower-cased names, if it is close enough to be a misspelling.
func meetingClosestZone(w string) string {
	best, bestD := "", 4
	for _, name := range meetingCanadianZones {
		if d := handlers.EditDistance(strings.ToLower(w), strings.ToLower(name)); d < bestD {
			best, bestD = name, d
		}
	}
	return best
}
