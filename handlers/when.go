package handlers

import (
	"fmt"
	"time"
)

// When writes t in loc the call's way: "Wednesday, March 17, 2027 at
// 1:00 p.m. EDT" or « mercredi 17 mars 2027 à 13 h HAE ».
func (c *Call) When(t time.Time, loc *time.Location) string {
	lt := t.In(loc)
	return c.T("meeting_datetime", map[string]any{
		"Weekday": c.T(fmt.Sprintf("meeting_weekday_%d", lt.Weekday()), nil),
		"Day":     lt.Day(),
		"Month":   c.T(fmt.Sprintf("meeting_month_%d", lt.Month()), nil),
		"Year":    lt.Year(),
		"Time":    c.Clock(lt),
		"Zone":    c.Zone(lt),
	})
}

// Clock writes a time of day: "1:00 p.m." (Canadian English) or
// « 13 h » and « 13 h 30 » (French, 24-hour clock, no-break spaces, no
// « 00 »: see typography.go). This is locale formatting, like digit
// grouping, not wording, so it lives in code.
func (c *Call) Clock(t time.Time) string {
	if c.Lang == "fr" && t.Minute() == 0 {
		return fmt.Sprintf("%d\u00a0h", t.Hour())
	}
	if c.Lang == "fr" {
		return fmt.Sprintf("%d\u00a0h\u00a0%02d", t.Hour(), t.Minute())
	}
	h, suffix := t.Hour()%12, "a.m."
	if t.Hour() >= 12 {
		suffix = "p.m."
	}
	if h == 0 {
		h = 12
	}
	return fmt.Sprintf("%d:%02d %s", h, t.Minute(), suffix)
}

// Zone is t's zone abbreviation in the call's language: French
// writes HAE for EDT. Zones without a translation keep their tzdata
// abbreviation (which may be an offset such as "-03").
func (c *Call) Zone(t time.Time) string {
	abbr, _ := t.Zone()
	id := "meeting_zone_" + abbr
	if s := c.T(id, nil); s != id {
		return s
	}
	return abbr
}
