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
		GapShort: "None", Legend: "Darker: more members"})
	els := svgParse(t, got)
	if attr(els[0], "role") != "img" || attr(els[0], "aria-labelledby") != "map-title map-desc" {
		t.Errorf("svg element: %v", els[0].Attr)
	}
	for _, want := range []string{`<title id="map-title">Members &amp; gaps</title>`, `<desc id="map-desc">No representative from Yukon.</desc>`,
		`<g class="tile" data-code="YT" data-value="0"><title>Yukon: no representative</title>`,
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
	got := timelineSVG(lines, timelineText{Title: "Members", Desc: "From Jan. to Feb.", Months: []string{"Jan. 27", "Feb. 27"},
		MonthKeys: []string{"2027-01", "2027-02"}, PointLabel: func(s, m string, n int) string { return fmt.Sprintf("%s, %s: %d", s, m, n) }})
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
	for _, w := range []string{`aria-labelledby="timeline-title timeline-desc"`, `<title>Provincial &amp; territorial, Feb. 27: 8</title>`,
		`stroke-dasharray="8 4"`, `Provincial &amp; territorial (8)</text>`, `<rect x=`} {
		if !strings.Contains(got, w) {
			t.Errorf("timeline lacks %s", w)
		}
	}
}
