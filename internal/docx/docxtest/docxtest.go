// Package docxtest reads a .docx back for tests, with encoding/xml and
// archive/zip only: the package's structure, and its paragraphs as a
// reader puts them together.
package docxtest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"path"
	"strings"
	"testing"
)

// readPackage opens a .docx and returns its parts by name, in zip order.
func readPackage(t *testing.T, b []byte) (map[string]string, []string) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	parts, names := map[string]string{}, []string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name], names = string(data), append(names, f.Name)
	}
	return parts, names
}

// CheckPackage checks what an OOXML reader relies on: every part is
// well-formed XML, [Content_Types].xml gives each part a type, and every
// relationship's target exists. It returns the parts.
func CheckPackage(t *testing.T, b []byte) map[string]string {
	t.Helper()
	parts, names := readPackage(t, b)
	if len(names) == 0 || names[0] != "[Content_Types].xml" {
		t.Errorf("first part is %v, want [Content_Types].xml", names)
	}
	for _, n := range names {
		if err := wellFormed(parts[n]); err != nil {
			t.Errorf("%s is not well-formed XML: %v", n, err)
		}
	}
	var types struct {
		Defaults []struct {
			Extension   string `xml:",attr"`
			ContentType string `xml:",attr"`
		} `xml:"Default"`
		Overrides []struct {
			PartName    string `xml:",attr"`
			ContentType string `xml:",attr"`
		} `xml:"Override"`
	}
	if err := xml.Unmarshal([]byte(parts["[Content_Types].xml"]), &types); err != nil {
		t.Fatal(err)
	}
	typed := map[string]string{}
	for _, d := range types.Defaults {
		typed["."+d.Extension] = d.ContentType
	}
	for _, o := range types.Overrides {
		typed[o.PartName] = o.ContentType
		if _, ok := parts[strings.TrimPrefix(o.PartName, "/")]; !ok {
			t.Errorf("[Content_Types].xml names %s, which is not in the package", o.PartName)
		}
	}
	for _, n := range names[1:] { // [Content_Types].xml is not a part
		if typed["/"+n] == "" && typed[path.Ext(n)] == "" {
			t.Errorf("part %s has no content type", n)
		}
	}
	if want := "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"; typed["/word/document.xml"] != want {
		t.Errorf("word/document.xml is typed %q, want %q", typed["/word/document.xml"], want)
	}
	for _, n := range names {
		if !strings.HasSuffix(n, ".rels") {
			continue
		}
		var rels struct {
			Rel []struct {
				ID     string `xml:"Id,attr"`
				Type   string `xml:",attr"`
				Target string `xml:",attr"`
			} `xml:"Relationship"`
		}
		if err := xml.Unmarshal([]byte(parts[n]), &rels); err != nil {
			t.Fatal(err)
		}
		// _rels/.rels targets are relative to the root; word/_rels/x.rels
		// to word/.
		base := path.Dir(path.Dir(n))
		for _, r := range rels.Rel {
			target := path.Join(base, r.Target)
			if _, ok := parts[target]; !ok {
				t.Errorf("%s: %s points to %s, not in the package", n, r.ID, target)
			}
		}
		if len(rels.Rel) == 0 {
			t.Errorf("%s has no relationships", n)
		}
	}
	return parts
}

func wellFormed(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// Paragraphs are the texts of document.xml's paragraphs with their style,
// as a reader puts them together: w:t text, w:br a newline, w:tab a tab.
func Paragraphs(t *testing.T, documentXML string) (styles, texts []string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(documentXML))
	var b strings.Builder
	style, inText := "", false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return styles, texts
		} else if err != nil {
			t.Fatal(err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			switch x.Name.Local {
			case "p":
				b.Reset()
				style = "Normal"
			case "pStyle":
				style = attrVal(x, "val")
			case "t":
				inText = true
			case "br":
				b.WriteString("\n")
			case "tab":
				b.WriteString("\t")
			}
		case xml.EndElement:
			switch x.Name.Local {
			case "p":
				styles, texts = append(styles, style), append(texts, b.String())
			case "t":
				inText = false
			}
		case xml.CharData:
			if inText {
				b.Write(x)
			}
		}
	}
}

func attrVal(e xml.StartElement, local string) string {
	for _, a := range e.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// Rows are the texts of every table row of document.xml, in order, a cell
// being its paragraphs' texts joined by newlines.
func Rows(t *testing.T, documentXML string) [][]string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(documentXML))
	var rows [][]string
	var cell strings.Builder
	inText, cellParas := false, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return rows
		} else if err != nil {
			t.Fatal(err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			switch x.Name.Local {
			case "tr":
				rows = append(rows, []string{})
			case "tc":
				cell.Reset()
				cellParas = 0
			case "p":
				if cellParas > 0 {
					cell.WriteString("\n")
				}
				cellParas++
			case "t":
				inText = true
			case "br":
				cell.WriteString("\n")
			case "tab":
				cell.WriteString("\t")
			}
		case xml.EndElement:
			switch x.Name.Local {
			case "tc":
				rows[len(rows)-1] = append(rows[len(rows)-1], cell.String())
			case "t":
				inText = false
			}
		case xml.CharData:
			if inText {
				cell.Write(x)
			}
		}
	}
}
