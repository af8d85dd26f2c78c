package bot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"copbot/internal/browsertest"
)

// The report page in a real browser: headless Debian Chromium, driven by
// chromedp, loads GET /report from a running App on the demo community.
// The test fails on any console error, checks that the numbers drawn in
// the SVG pictures are those of the tables (read from the DOM), and saves
// a screenshot per language in $COPBOT_ARTIFACTS (else a temporary
// directory), logging the path.

// chromiumPath finds the browser (internal/browsertest): without one the
// test fails under CI and is skipped, loudly, elsewhere.
func chromiumPath(t *testing.T) string { return browsertest.Path(t) }

func TestReportInHeadlessChromium(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a browser")
	}
	browser := chromiumPath(t)
	e := newE2E(t)
	e.cfg.HTTP.ReportToken = reportTokenE2E
	seedDemoFile(t, e.cfg.Storage.Path)
	e.start()
	dir := os.Getenv("COPBOT_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			url := fmt.Sprintf("http://%s/report?from=2026-09-01&to=2027-01-31&lang=%s&token=%s", e.app.Addr(), lang, reportTokenE2E)
			page := loadInChromium(t, browser, url)
			if len(page.errors) > 0 {
				t.Errorf("console errors:\n%s", strings.Join(page.errors, "\n"))
			}
			checkChartsMatchTables(t, page)
			shot := filepath.Join(dir, "report-"+lang+".png")
			if err := os.WriteFile(shot, page.png, 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("screenshot: %s", shot)
		})
	}
}

// browserPage is what the test reads from the loaded page.
type browserPage struct {
	errors []string
	png    []byte
	// Tiles: data-code → [data-value, drawn count ("" for a gap), gap label].
	tiles map[string][3]string
	// Jurisdiction table: row key → its members cell.
	jurisdictions map[string]string
	// Timeline points "order month" → data-value, and the table's cells.
	points, cells map[string]string
	lang          string
}

// pageScript reads the numbers from the DOM, as the page shows them.
const pageScript = `(() => {
  const out = {tiles: {}, jurisdictions: {}, points: {}, cells: {}, lang: document.documentElement.lang};
  for (const g of document.querySelectorAll('svg.tilemap g.tile')) {
    const count = g.querySelector('text.count'), gap = g.querySelector('text.gap-label');
    out.tiles[g.dataset.code] = [g.dataset.value, count ? count.textContent : '', gap ? gap.textContent : ''];
  }
  for (const tr of document.querySelectorAll('#jurisdictions tbody tr'))
    out.jurisdictions[tr.dataset.key] = tr.querySelector('td[data-col=value]').textContent;
  for (const p of document.querySelectorAll('svg.timeline g.point'))
    out.points[p.dataset.order + ' ' + p.dataset.month] = p.dataset.value;
  for (const tr of document.querySelectorAll('#timeline tbody tr'))
    for (const td of tr.querySelectorAll('td[data-col]'))
      out.cells[td.dataset.col + ' ' + tr.dataset.key] = td.textContent;
  return out;
})()`

// newChromium starts a headless browser; cancel ends it.
func newChromium(t *testing.T, browser string) (context.Context, context.CancelFunc) {
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 900)}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	return ctx, func() { cancel(); cancelAlloc() }
}

func loadInChromium(t *testing.T, browser, url string) *browserPage {
	t.Helper()
	ctx, cancel := newChromium(t, browser)
	defer cancel()
	page := &browserPage{}
	var mu sync.Mutex
	probe, probeOnce := make(chan struct{}), sync.Once{}
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			text := consoleArgs(ev.Args)
			if text == "copbot-probe" {
				probeOnce.Do(func() { close(probe) })
			} else if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				page.errors = append(page.errors, fmt.Sprintf("console.%s: %s", ev.Type, text))
			}
		case *runtime.EventExceptionThrown:
			page.errors = append(page.errors, "exception: "+ev.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				page.errors = append(page.errors, fmt.Sprintf("%s: %s (%s)", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		}
	}); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	tctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTime()
	if err := chromedp.Do(tctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("svg.timeline"))); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	data, err := chromedp.Run(tctx, chromedp.Evaluate[pageData](pageScript))
	if err != nil {
		t.Fatalf("reading the page: %v", err)
	}
	if page.png, err = chromedp.Run(tctx, chromedp.FullScreenshot(100)); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	// The listener must see errors, or the check above proves nothing.
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`console.error("copbot-probe"), true`)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-probe:
	case <-tctx.Done():
		t.Error("the console listener did not see the probe console.error: the check of console errors is blind")
	}
	mu.Lock()
	defer mu.Unlock()
	page.tiles, page.jurisdictions, page.points, page.cells, page.lang = data.Tiles, data.Jurisdictions, data.Points, data.Cells, data.Lang
	return page
}

type pageData struct {
	Tiles         map[string][3]string `json:"tiles"`
	Jurisdictions map[string]string    `json:"jurisdictions"`
	Points        map[string]string    `json:"points"`
	Cells         map[string]string    `json:"cells"`
	Lang          string               `json:"lang"`
}

func consoleArgs(args []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range args {
		parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
	}
	return strings.Join(parts, " ")
}

// number reads a table cell as the page shows it: "1,234", "1 234",
// "0 — no representative".
func number(s string) (int, bool) {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.SplitN(s, "—", 2)[0])
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

func checkChartsMatchTables(t *testing.T, p *browserPage) {
	t.Helper()
	if len(p.tiles) != 14 || len(p.jurisdictions) != 14 {
		t.Fatalf("%d tiles and %d table rows, want 14 each (lang %q)", len(p.tiles), len(p.jurisdictions), p.lang)
	}
	gaps := 0
	for code, tile := range p.tiles {
		cell, ok := number(p.jurisdictions[code])
		if !ok || tile[0] != strconv.Itoa(cell) {
			t.Errorf("%s: tile says %s, table says %q", code, tile[0], p.jurisdictions[code])
		}
		if cell == 0 {
			gaps++
			if tile[1] != "" || tile[2] == "" {
				t.Errorf("%s: a gap must be labelled, not counted: %q", code, tile)
			}
		} else if tile[1] != tile[0] {
			t.Errorf("%s: tile draws %q, its data says %s", code, tile[1], tile[0])
		}
	}
	if gaps != 4 {
		t.Errorf("%d gaps on the map, want 4 (NL, PE, YT, NU)", gaps)
	}
	if len(p.points) == 0 || len(p.points) != len(p.cells)*3/4 {
		t.Fatalf("%d timeline points for %d table cells (3 orders and a total per month)", len(p.points), len(p.cells))
	}
	for key, v := range p.points {
		if n, ok := number(p.cells[key]); !ok || strconv.Itoa(n) != v {
			t.Errorf("timeline %s: chart %s, table %q", key, v, p.cells[key])
		}
	}
	if got := p.points["municipal 2027-01"]; got != "30" {
		t.Errorf("municipal members at the end of January 2027 on the chart: %q, want 30", got)
	}
}
