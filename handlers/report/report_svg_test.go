package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// svgCheck parses s as XML (inline SVG must be well formed) and returns
// the text of every element with the given attribute value, by name.
func svgParse(t *testing.T, s string) []xml.StartElement {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var els []xml.StartElement
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return els
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v\n%s", err, s)
		}
		if se, ok := tok.(xml.StartElement); ok {
			els = append(els, se)
		}
	}
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestTileMapSVG(t *testing.T) {
	tiles := map[string]mapTile{
		"CA": {Code: "CA", Members: 18, Label: "Government of Canada: 18 members"},
		"ON": {Code: "ON", Members: 15, Label: "Ontario: 15 members"},
		"YT": {Code: "YT", Members: 0, Label: "Yukon: no representative"},
		"NT": {Code: "NT", Members: 1, Label: `Territoires <du> "Nord-Ouest" & 1`},
	}
	got := tileMapSVG(tiles, mapText{Title: "Members & gaps", Desc: "No representative from Yukon.", Gap: "No representative",
		GapShort: "None", Legend: "Members (darker: more):", Federal: "Federal",
		Range: func(lo, hi int) string { return fmt.Sprintf("%d–%d", lo, hi) }})
	els := svgParse(t, got)
	if attr(els[0], "role") != "img" || attr(els[0], "aria-labelledby") != "map-title map-desc" {
		t.Errorf("svg element: %v", els[0].Attr)
	}
	for _, want := range []string{`<title id="map-title">Members &amp; gaps</title>`, `<desc id="map-desc">No representative from Yukon.</desc>`,
		`<g class="tile" data-code="YT" data-value="0" data-fill="url(#gap-hatch)"><title>Yukon: no representative</title>`,
		`fill="url(#gap-hatch)"`, `class="gap-label">None</text>`,
		`<title>Territoires &lt;du&gt; &#34;Nord-Ouest&#34; &amp; 1</title>`,
		`data-code="ON" data-value="15"`, `class="count">15</text>`} {
		if !strings.Contains(got, want) {
			t.Errorf("tile map lacks %s", want)
		}
	}
	tests := []struct {
		code      string
		wantFill  string
		wantLabel bool
	}{
		{"YT", "url(#gap-hatch)", true}, {"CA", "#08306b", false}, {"ON", "#08306b", false}, {"NT", "#deebf7", false},
	}
	for _, tt := range tests {
		tile := tileBlock(got, tt.code)
		if !strings.Contains(tile, `fill="`+tt.wantFill+`"`) || strings.Contains(tile, "gap-label") != tt.wantLabel {
			t.Errorf("%s: fill or gap label wrong in %s", tt.code, tile)
		}
	}
	if strings.Contains(got, "<script") || strings.Contains(got, "data-code=\"QC\"") {
		t.Error("a script, or a tile for a jurisdiction not given")
	}
}

// tileBlock is one tile's <g>…</g>.
func tileBlock(svg, code string) string {
	i := strings.Index(svg, fmt.Sprintf(`data-code="%s"`, code))
	if i < 0 {
		return ""
	}
	j := strings.Index(svg[i:], "</g>")
	return svg[i : i+j]
}

func TestTimelineSVG(t *testing.T) {
	lines := []series{{Key: "federal", Label: "Federal", Values: []int{2, 4}},
		{Key: "provincial", Label: "Provincial & territorial", Values: []int{0, 8}}}
	got := timelineSVG(lines, timelineText{Title: "Members", Desc: "From Jan. to Feb.", Months: []string{"Jan. 2027", "Feb. 2027"},
		AxisMonths: []string{"Jan.", "Feb."}, MonthKeys: []string{"2027-01", "2027-02"}, Period: [2]int{1, 1}, PeriodLabel: "Period of this report",
		PointLabel: func(s, m string, n int) string { return fmt.Sprintf("%s, %s: %d", s, m, n) }})
	els := svgParse(t, got)
	points := map[string]string{}
	for _, e := range els {
		if attr(e, "class") == "point" {
			points[attr(e, "data-order")+" "+attr(e, "data-month")] = attr(e, "data-value")
		}
	}
	want := map[string]string{"federal 2027-01": "2", "federal 2027-02": "4", "provincial 2027-01": "0", "provincial 2027-02": "8"}
	if fmt.Sprint(points) != fmt.Sprint(want) {
		t.Errorf("points %v, want %v", points, want)
	}
	for _, w := range []string{`aria-labelledby="timeline-title timeline-desc"`, `<title>Provincial &amp; territorial, Feb. 2027: 8</title>`,
		`stroke-dasharray="8 4"`, `Provincial &amp; territorial (8)</text>`, `<rect x=`} {
		if !strings.Contains(got, w) {
			t.Errorf("timeline lacks %s", w)
		}
	}
}

// TestTileMapLegendAndFederal: the legend gives the counts of every
// shade, each tile's shade is the legend's for its count, and the federal
// tile is named in words on a double-width tile.
func TestTileMapLegendAndFederal(t *testing.T) {
	for _, most := range []int{1, 3, 5, 7, 18, 100} {
		steps := legendSteps(most)
		if steps[0][1] != 1 || steps[len(steps)-1][2] != most {
			t.Errorf("most %d: steps %v do not cover 1..%d", most, steps, most)
		}
		for i := 1; i < len(steps); i++ {
			if steps[i][1] != steps[i-1][2]+1 || steps[i][0] <= steps[i-1][0] {
				t.Errorf("most %d: steps %v overlap or skip", most, steps)
			}
		}
		for n := 1; n <= most; n++ {
			fill, _ := tileColour(n, most)
			found := 0
			for _, st := range steps {
				if n >= st[1] && n <= st[2] && shades[st[0]].fill == fill {
					found++
				}
			}
			if found != 1 {
				t.Errorf("most %d: %d members (%s) is in %d legend steps", most, n, fill, found)
			}
		}
	}
	tiles := map[string]mapTile{"CA": {Code: "CA", Members: 18}, "ON": {Code: "ON", Members: 4}}
	got := tileMapSVG(tiles, mapText{Federal: "Fédéral", Range: func(lo, hi int) string { return fmt.Sprintf("%d à %d", lo, hi) }})
	ca := tileBlock(got, "CA")
	if !strings.Contains(ca, `class="name">Fédéral</text>`) || !strings.Contains(ca, fmt.Sprintf(`width="%d"`, 2*tileSize+tileGap)) {
		t.Errorf("federal tile: %s", ca)
	}
	for _, w := range []string{`data-min="1" data-max="3"`, `>1 à 3</text>`, `data-min="15" data-max="18"`, `>15 à 18</text>`} {
		if !strings.Contains(got, w) {
			t.Errorf("legend lacks %s", w)
		}
	}
}

// TestTimelinePeriodAndYears: the report's months are banded and named,
// and the axis writes each year in full under its first month.
func TestTimelinePeriodAndYears(t *testing.T) {
	keys := []string{"2026-11", "2026-12", "2027-01", "2027-02"}
	got := timelineSVG([]series{{Key: "federal", Label: "Federal", Values: []int{1, 2, 3, 4}}}, timelineText{
		Months: []string{"Nov. 2026", "Dec. 2026", "Jan. 2027", "Feb. 2027"}, AxisMonths: []string{"Nov.", "Dec.", "Jan.", "Feb."},
		MonthKeys: keys, Period: [2]int{1, 2}, PeriodLabel: "Period of this report",
		PointLabel: func(s, m string, n int) string { return m }})
	var band xml.StartElement
	var years []string
	els := svgParse(t, got)
	for i, e := range els {
		if attr(e, "class") == "period" {
			band = els[i+1] // its rect
			if attr(e, "data-from") != "2026-12" || attr(e, "data-to") != "2027-01" {
				t.Errorf("period %v", e.Attr)
			}
		}
	}
	for _, y := range []string{">2026</text>", ">2027</text>"} {
		if strings.Count(got, y) != 1 {
			t.Errorf("year label %s appears %d times", y, strings.Count(got, y))
		}
		years = append(years, y)
	}
	// The band covers the points of December and January, not November's
	// or February's.
	x0, w := atoi(t, attr(band, "x")), atoi(t, attr(band, "width"))
	for i, k := range keys {
		px := pointX(t, els, k)
		in := px > x0 && px < x0+w
		if in != (i == 1 || i == 2) {
			t.Errorf("month %s at x=%d: inside band [%d, %d] = %v", k, px, x0, x0+w, in)
		}
	}
	if !strings.Contains(got, ">Period of this report</text>") || len(years) != 2 {
		t.Error("the band is not named")
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return n
}

// pointX is the x of the marker of the point of month key.
func pointX(t *testing.T, els []xml.StartElement, key string) int {
	t.Helper()
	for i, e := range els {
		if attr(e, "class") == "point" && attr(e, "data-month") == key {
			m := els[i+2] // <g><title/><marker>
			if x := attr(m, "cx"); x != "" {
				return atoi(t, x)
			}
			return atoi(t, attr(m, "x")) + 4
		}
	}
	t.Fatalf("no point for %s", key)
	return 0
}
