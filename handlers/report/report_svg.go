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

// mapTile is what the map shows of one jurisdiction.
type mapTile struct {
	Code, Name string
	Members    int
	Label      string // the tile's accessible text, e.g. "Ontario: 12 members"
}

// mapText is the map's translated words.
type mapText struct {
	Title, Desc, Legend string
	Gap                 string // the legend's word for a gap: "No representative"
	GapShort            string // the same on a tile: "None"
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
	w, h := 8*(tileSize+tileGap)+tileGap, 3*(tileSize+tileGap)+tileGap+40
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="tilemap" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="map-title map-desc">`, w, h, w, h)
	fmt.Fprintf(&b, `<title id="map-title">%s</title><desc id="map-desc">%s</desc>`, esc(t.Title), esc(t.Desc))
	b.WriteString(`<defs><pattern id="gap-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
		`<rect width="8" height="8" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="8" stroke="#b00020" stroke-width="3"/></pattern></defs>`)
	for _, pl := range tileLayout {
		v, ok := tiles[pl.Code]
		if ok {
			writeTile(&b, pl, v, most, t.GapShort)
		}
	}
	writeMapLegend(&b, h-30, t)
	b.WriteString(`</svg>`)
	return b.String()
}

func writeTile(b *strings.Builder, pl tile, v mapTile, most int, gap string) {
	x, y := tileGap+pl.Col*(tileSize+tileGap), tileGap+pl.Row*(tileSize+tileGap)
	fill, ink := tileColour(v.Members, most)
	fmt.Fprintf(b, `<g class="tile" data-code="%s" data-value="%d"><title>%s</title>`, v.Code, v.Members, esc(v.Label))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" rx="4" fill="%s" stroke="#333333" stroke-width="1"/>`, x, y, tileSize, tileSize, fill)
	cx := x + tileSize/2
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" font-size="15" font-weight="bold" fill="%s">%s</text>`, cx, y+24, ink, v.Code)
	if v.Members == 0 {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" font-size="11" font-weight="bold" fill="#b00020" class="gap-label">%s</text>`,
			cx, y+48, esc(gap))
	} else {
		fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" font-size="16" fill="%s" class="count">%d</text>`, cx, y+50, ink, v.Members)
	}
	b.WriteString(`</g>`)
}

// tileColour picks one of five blues by share of the largest count, with
// a text colour that keeps a 4.5:1 contrast; 0 is the hatched gap.
func tileColour(n, most int) (fill, ink string) {
	if n == 0 {
		return "url(#gap-hatch)", "#000000"
	}
	steps := []struct{ fill, ink string }{{"#deebf7", "#000000"}, {"#9ecae1", "#000000"}, {"#4292c6", "#000000"},
		{"#2171b5", "#ffffff"}, {"#08306b", "#ffffff"}}
	i := (n*len(steps) - 1) / most
	return steps[min(i, len(steps)-1)].fill, steps[min(i, len(steps)-1)].ink
}

func writeMapLegend(b *strings.Builder, y int, t mapText) {
	fmt.Fprintf(b, `<g class="legend"><rect x="%d" y="%d" width="20" height="20" fill="url(#gap-hatch)" stroke="#333333"/>`, tileGap, y)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13">%s</text>`, tileGap+28, y+15, esc(t.Gap))
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="20" height="20" fill="#deebf7" stroke="#333333"/><rect x="%d" y="%d" width="20" height="20" fill="#08306b" stroke="#333333"/>`,
		tileGap+200, y, tileGap+222, y)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="13">%s</text></g>`, tileGap+250, y+15, esc(t.Legend))
}

// series is one line of the timeline chart.
type series struct {
	Key, Label string
	Values     []int
}

// timelineText is the chart's translated words; Months labels the x axis.
type timelineText struct {
	Title, Desc string
	Months      []string // short labels, one per point
	MonthKeys   []string // "2027-01", for data attributes
	PointLabel  func(series, month string, n int) string
}

var lineStyles = []struct{ colour, dash, marker string }{
	{"#08306b", "", "circle"}, {"#b35806", "8 4", "square"}, {"#1b7837", "2 3", "diamond"},
}

// timelineSVG draws membership by order of government over the months:
// one line per order, each with its own dash and marker, labelled at its
// end, every point carrying its value.
func timelineSVG(lines []series, t timelineText) string {
	const w, h, left, right, top, bottom = 900, 320, 48, 200, 20, 40
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
	writeAxes(&b, w-right, h-bottom, left, top, most, y)
	for i, m := range t.Months {
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="11">%s</text>`, x(i), h-bottom+18, esc(m))
	}
	for k, l := range lines {
		writeSeries(&b, l, lineStyles[k%len(lineStyles)], t, x, y)
	}
	b.WriteString(`</svg>`)
	return b.String()
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
