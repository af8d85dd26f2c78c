package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"copbot/internal/browsertest"
)

// The report page's layout in headless Chromium, at a desk (1280 px) and
// on a phone (390 px), and as printed: the page itself never scrolls
// sideways, a wide table scrolls inside its own box, every picture fits,
// and the print stylesheet lets tables and pictures flow onto paper
// without cutting them. Screenshots go to $COPBOT_ARTIFACTS (else a
// temporary directory), named report-LANG-WIDTH.png.

// layout is what the page's script measures.
type layout struct {
	Inner, PageWidth int
	// Tables: id → [box width, table width, box scrolls (overflow-x)].
	Tables map[string][3]any
	// Picture frames wider than the page.
	WideFigures int
	// Print: the computed styles the print sheet sets.
	BreakAfterH2, BoxOverflow string
}

const layoutScript = `(() => {
  const out = {Inner: window.innerWidth, PageWidth: document.documentElement.scrollWidth, Tables: {}, WideFigures: 0};
  for (const box of document.querySelectorAll('.table-scroll')) {
    const t = box.querySelector('table');
    out.Tables[t.id] = [box.getBoundingClientRect().width, t.getBoundingClientRect().width, getComputedStyle(box).overflowX];
  }
  for (const f of document.querySelectorAll('figure'))
    if (f.getBoundingClientRect().right > window.innerWidth + 1) out.WideFigures++;
  out.BreakAfterH2 = getComputedStyle(document.querySelector('h2')).breakAfter;
  out.BoxOverflow = getComputedStyle(document.querySelector('.table-scroll')).overflowX;
  return out;
})()`

func TestReportLayoutInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	b := newReportBrowser(t, browsertest.Path(t))
	s, _ := newDemoService(t)
	dir := os.Getenv("COPBOT_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	for _, lang := range []string{"en", "fr"} {
		page := filepath.Join(t.TempDir(), "report-"+lang+".html")
		if err := os.WriteFile(page, []byte(renderReport(t, s, lang, HTML)), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, width := range []int{1280, 390} {
			l, shots := b.measure(t, "file://"+page, width, "screen")
			for name, png := range shots {
				shot := filepath.Join(dir, fmt.Sprintf("report-%s-%d-%s.png", lang, width, name))
				if err := os.WriteFile(shot, png, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("screenshot: %s", shot)
			}
			if l.PageWidth > l.Inner {
				t.Errorf("%s at %d px: the page is %d px wide, it scrolls sideways", lang, width, l.PageWidth)
			}
			if l.WideFigures > 0 {
				t.Errorf("%s at %d px: %d pictures run off the screen", lang, width, l.WideFigures)
			}
			if len(l.Tables) < 4 {
				t.Fatalf("%s: %d tables in scroll boxes, want every table (%v)", lang, len(l.Tables), l.Tables)
			}
			for id, tb := range l.Tables {
				box, overflow := tb[0].(float64), tb[2].(string)
				if box > float64(l.Inner) || overflow != "auto" {
					t.Errorf("%s at %d px: table %s box %.0f px, overflow %s", lang, width, id, box, overflow)
				}
			}
		}
		l, _ := b.measure(t, "file://"+page, 1280, "print")
		if l.BreakAfterH2 != "avoid" || l.BoxOverflow != "visible" {
			t.Errorf("%s printed: h2 break-after %q, table box overflow %q; want avoid, visible", lang, l.BreakAfterH2, l.BoxOverflow)
		}
	}
}

// reportBrowser is one headless Chromium for the whole test.
type reportBrowser struct{ ctx context.Context }

func newReportBrowser(t *testing.T, path string) *reportBrowser {
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir())}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("chromium: %v", err)
	}
	return &reportBrowser{ctx: ctx}
}

// measure loads url in a new tab, width px wide, for media ("screen" or
// "print"), and returns the layout and, on screen, PNG screenshots of the
// pictures and of the timeline's table.
func (b *reportBrowser) measure(t *testing.T, url string, width int, media string) (layout, map[string][]byte) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTime()
	err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900, chromedp.EmulateMobile),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
			return err
		}), chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("svg.timeline")))
	if err != nil {
		t.Fatalf("chromium at %d px: %v", width, err)
	}
	l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](layoutScript))
	if err != nil {
		t.Fatalf("measuring: %v", err)
	}
	shots := map[string][]byte{}
	if media == "print" {
		return l, shots
	}
	for name, sel := range map[string]string{"map": "svg.tilemap", "timeline": "svg.timeline", "table": ".table-scroll:has(#timeline)"} {
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("screenshot of %s: %v", sel, err)
		}
		shots[name] = png
	}
	return l, shots
}
