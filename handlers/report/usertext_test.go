package report

import (
	"strings"
	"testing"
)

// TestReportCarriesNoUserTextMarks: meeting titles reach the report marked
// as user text (handlers.User, for chat renderers); the document, in both
// languages and formats, shows them without the marks.
func TestReportCarriesNoUserTextMarks(t *testing.T) {
	s, _ := newDemoService(t)
	for _, lang := range []string{"en", "fr"} {
		for _, f := range []Format{HTML, Markdown} {
			doc := renderReport(t, s, lang, f)
			if strings.ContainsAny(doc, "\ufdd0\ufdd1") {
				t.Errorf("%s %s report holds the marks of user text", lang, f)
			}
			if !strings.Contains(doc, "Quarterly") && !strings.Contains(doc, "trimestrielle") {
				t.Errorf("%s %s report names no meeting: the test checks nothing", lang, f)
			}
		}
	}
}
