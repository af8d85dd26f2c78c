package report

import (
	"fmt"
	"html"
	"strings"
)

// Pictures of the report, as inline SVG: pure functions of their data, no
// I/O, no script. Each has a title and a description (role="img",
// aria-labelledby) and marks its numbers with data- attributes so that a
// test can check them against the tables. Colour is never the only code:
// gaps are hatched and labelled, lines differ by dash and marker.

// tile is one square of the tile map: a jurisdiction at a grid place.
type tile struct {
	Code     string
	Col, Row int
}

// tileLayout places the federal government and the 13 provinces and
// territories roughly where they are, west to east, north to south.
var tileLayout = []tile{
	{"YT", 0, 0}, {"NT", 1, 0}, {"NU", 2, 0}, {"NL", 7, 0},
	{"BC", 0, 1}, {"AB", 1, 1}, {"SK", 2, 1}, {"MB", 3, 1}, {"ON", 4, 1}, {"QC", 5, 1}, {"NB", 6, 1}, {"PE", 7, 1},
	{"NS", 7, 2}, {"CA", 0, 2},
}

// federalSpan is how many columns the federal tile spans: wide enough to
// be named in words rather than by the code "CA", which readers took for
// a province.
const federalSpan = 2

// mapTile is what the map shows of one jurisdiction.
type mapTile struct {
	Code, Name string
	Members    int
	Label      string // the tile's accessible text, e.g. "Ontario: 12 members"
}

// mapText is the map's translated words.
type mapText struct {
	Title, Desc, Legend string
	Gap                 string                  // the legend's word for a gap: "No representative"
	GapShort            string                  // the same on a tile: "None"
	Federal             string                  // the federal tile's name: "Federal"
	Range               func(lo, hi int) string // a legend step: "1–3", "16"
}

const tileSize, tileGap = 64, 6

// tileMapSVG draws the tile map: each tile coloured by its head count
// (darker is more), a hatched pattern and the word Gap for nobody.
func tileMapSVG(tiles map[string]mapTile, t mapText) string {
	most := 1
	for _, v := range tiles {
		most = max(most, v.Members)
	}
	var b strings.Builder
	w, h := 8*(tileSize+tileGap)+tileGap, 3*(tileSize+tileGap)+tileGap+95
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="tilemap" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="map-title map-desc">`, w, h, w, h)
	fmt.Fprintf(&b, `<title id="map-title">%s</title><desc id="map-desc">%s</desc>`, esc(t.Title), esc(t.Desc))
	b.WriteString(`<defs><pattern id="gap-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
		`<rect width="8" height="8" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="8" stroke="#b00020" stroke-width="3"/></pattern></defs>`)
	for _, pl := range tileLayout {
		v, ok := tiles[pl.Code]
		if ok {
			writeTile(&b, pl, v, most, t)
		}
	}
	writeMapLegend(&b, h-85, most, t)
	b.WriteString(`</svg>`)
	return b.String()
}

func writeTile(b *strings.Builder, pl tile, v mapTile, most int, t mapText) {
	gap := t.GapShort
	x, y := tileGap+pl.Col*(tileSize+tileGap), tileGap+pl.Row*(tileSize+tileGap)
	width, name := tileSize, v.Code
	if pl.Code == "CA" {
		width, name = federalSpan*tileSize+(federalSpan-1)*tileGap, t.Federal
	}
	fill, ink := tileColour(v.Members, most)
	fmt.Fprintf(b, `<g class="tile" data-code="%s" data-value="%d" data-fill="%s"><title>%s</title>`, v.Code, v.Members, fill, esc(v.Label))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="#333333" stroke-width="1"/>`, x, y, width, tileSize, fill)
	cx := x + width/2
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" font-size="15" font-weight="bold" fill="%s" class="name">%s</text>`, cx, y+24, ink, esc(name))
	if v.Members == 0 {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" font-size="11" font-weight="bold" fill="#b00020" class="gap-label">%s</text>`,
			cx, y+48, esc(gap))
	} else {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" font-size="16" fill="%s" class="count">%d</text>`, cx, y+50, ink, v.Members)
	}
	b.WriteString(`</g>`)
}

// shades are the five blues of the map, lightest first, each with a text
// colour that keeps a 4.5:1 contrast.
var shades = []struct{ fill, ink string }{{"#deebf7", "#000000"}, {"#9ecae1", "#000000"}, {"#4292c6", "#000000"},
	{"#2171b5", "#ffffff"}, {"#08306b", "#ffffff"}}

// shadeOf is the shade of n members (n ≥ 1) when the largest count is
// most: the five shades split 1..most in equal shares.
func shadeOf(n, most int) int { return min((n*len(shades)-1)/most, len(shades)-1) }

// tileColour picks n's shade; 0 is the hatched gap.
func tileColour(n, most int) (fill, ink string) {
	if n == 0 {
		return "url(#gap-hatch)", "#000000"
	}
	sh := shades[shadeOf(n, most)]
	return sh.fill, sh.ink
}

// legendSteps are the counts each shade stands for, [lo, hi], for the
// shades some count from 1 to most falls in.
func legendSteps(most int) [][3]int {
	var out [][3]int // shade, lo, hi
	for n := 1; n <= most; n++ {
		i := shadeOf(n, most)
		if len(out) > 0 && out[len(out)-1][0] == i {
			out[len(out)-1][2] = n
			continue
		}
		out = append(out, [3]int{i, n, n})
	}
	return out
}

// writeMapLegend: the gap swatch on one row; then the legend's words, and
// under them one swatch per shade with the counts it stands for (the
// words have a row of their own: in French they are long).
func writeMapLegend(b *strings.Builder, y, most int, t mapText) {
	fmt.Fprintf(b, `<g class="legend"><rect x="%d" y="%d" width="20" height="20" fill="url(#gap-hatch)" stroke="#333333"/>`, tileGap, y)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13">%s</text>`, tileGap+28, y+15, esc(t.Gap))
	y += 30
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13">%s</text>`, tileGap, y+15, esc(t.Legend))
	y += 25
	x := tileGap
	for _, st := range legendSteps(most) {
		fmt.Fprintf(b, `<g class="legend-step" data-min="%d" data-max="%d" data-fill="%s"><rect x="%d" y="%d" width="20" height="20" fill="%s" stroke="#333333"/>`,
			st[1], st[2], shades[st[0]].fill, x, y, shades[st[0]].fill)
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13">%s</text></g>`, x+24, y+15, esc(t.Range(st[1], st[2])))
		x += 90
	}
	b.WriteString(`</g>`)
}

// series is one line of the timeline chart.
type series struct {
	Key, Label string
	Values     []int
}

// timelineText is the chart's translated words. Each point has a full
// label ("Feb. 2027", in its title) and, on the axis, the month alone
// ("Feb.") with the year written under the first month and every January,
// so that no label reads as a day.
type timelineText struct {
	Title, Desc string
	Months      []string // full labels, one per point: "Feb. 2027"
	AxisMonths  []string // the month alone: "Feb."
	MonthKeys   []string // "2027-01", for data attributes
	PointLabel  func(series, month string, n int) string
	// Period marks the report's months, [first, last] point indexes;
	// PeriodLabel names the band.
	Period      [2]int
	PeriodLabel string
}

var lineStyles = []struct{ colour, dash, marker string }{
	{"#08306b", "", "circle"}, {"#b35806", "8 4", "square"}, {"#1b7837", "2 3", "diamond"},
}

// timelineSVG draws membership by order of government over the months:
// one line per order, each with its own dash and marker, labelled at its
// end, every point carrying its value.
func timelineSVG(lines []series, t timelineText) string {
	const w, h, left, right, top, bottom = 900, 340, 48, 200, 36, 48
	most := 1
	for _, l := range lines {
		for _, v := range l.Values {
			most = max(most, v)
		}
	}
	n := len(t.Months)
	x := func(i int) int {
		if n <= 1 {
			return left
		}
		return left + i*(w-left-right)/(n-1)
	}
	y := func(v int) int { return h - bottom - v*(h-top-bottom)/most }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="timeline-title timeline-desc">`, w, h, w, h)
	fmt.Fprintf(&b, `<title id="timeline-title">%s</title><desc id="timeline-desc">%s</desc>`, esc(t.Title), esc(t.Desc))
	writePeriodBand(&b, t, x, n, top, h-bottom)
	writeAxes(&b, w-right, h-bottom, left, top, most, y)
	for i, m := range t.AxisMonths {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11">%s</text>`, x(i), h-bottom+16, esc(m))
		if key := t.MonthKeys[i]; i == 0 || strings.HasSuffix(key, "-01") {
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11" font-weight="bold" class="year">%s</text>`,
				x(i), h-bottom+31, key[:4])
		}
	}
	for k, l := range lines {
		writeSeries(&b, l, lineStyles[k%len(lineStyles)], t, x, y)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// writePeriodBand shades the months of the report's period, half a step
// beyond its first and last points, and names it above the plot.
func writePeriodBand(b *strings.Builder, t timelineText, x func(int) int, n, top, base int) {
	first, last := t.Period[0], t.Period[1]
	if n == 0 || first < 0 || last >= n || first > last {
		return
	}
	half := 0
	if n > 1 {
		half = (x(1) - x(0)) / 2
	}
	x0, x1 := x(first)-half, x(last)+half
	fmt.Fprintf(b, `<g class="period" data-from="%s" data-to="%s"><rect x="%d" y="%d" width="%d" height="%d" fill="#fff3c4" stroke="#b08800" stroke-dasharray="4 3"/>`,
		t.MonthKeys[first], t.MonthKeys[last], x0, top-14, x1-x0, base-top+14)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="12" fill="#5c4700">%s</text></g>`, x0+4, top-3, esc(t.PeriodLabel))
}

func writeAxes(b *strings.Builder, xEnd, yBase, left, top, most int, y func(int) int) {
	fmt.Fprintf(b, `<g class="axes" stroke="#555555"><line x1="%d" y1="%d" x2="%d" y2="%d"/><line x1="%d" y1="%d" x2="%d" y2="%d"/></g>`,
		left, yBase, xEnd, yBase, left, top, left, yBase)
	for _, v := range []int{0, most / 2, most} {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="end" font-size="12">%d</text>`, left-6, y(v)+4, v)
	}
}

func writeSeries(b *strings.Builder, l series, st struct{ colour, dash, marker string }, t timelineText, x func(int) int, y func(int) int) {
	var pts []string
	for i, v := range l.Values {
		pts = append(pts, fmt.Sprintf("%d,%d", x(i), y(v)))
	}
	dash := ""
	if st.dash != "" {
		dash = fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
	}
	fmt.Fprintf(b, `<g class="series" data-order="%s"><polyline fill="none" stroke="%s" stroke-width="2.5"%s points="%s"/>`,
		l.Key, st.colour, dash, strings.Join(pts, " "))
	for i, v := range l.Values {
		fmt.Fprintf(b, `<g class="point" data-order="%s" data-month="%s" data-value="%d"><title>%s</title>%s</g>`,
			l.Key, t.MonthKeys[i], v, esc(t.PointLabel(l.Label, t.Months[i], v)), marker(st.marker, st.colour, x(i), y(v)))
	}
	if last := len(l.Values) - 1; last >= 0 {
		fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13" fill="%s">%s (%d)</text>`, x(last)+10, y(l.Values[last])+4,
			st.colour, esc(l.Label), l.Values[last])
	}
	b.WriteString(`</g>`)
}

func marker(kind, colour string, x, y int) string {
	switch kind {
	case "square":
		return fmt.Sprintf(`<rect x="%d" y="%d" width="9" height="9" fill="%s"/>`, x-4, y-4, colour)
	case "diamond":
		return fmt.Sprintf(`<path d="M%d %dl5 5l-5 5l-5 -5z" fill="%s"/>`, x, y-5, colour)
	}
	return fmt.Sprintf(`<circle cx="%d" cy="%d" r="4.5" fill="%s"/>`, x, y, colour)
}

func esc(s string) string { return html.EscapeString(s) }
