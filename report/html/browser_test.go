//go:build unix

package html

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/covkit/covkit/report"
)

// TestBrowser loads the report in headless Chromium from file:// and uses
// it as a person would: reads the totals, sorts by a column, filters, opens
// a file page and jumps to the missing lines with the keyboard. It keeps
// screenshots: under testdata/ and docs/ with -update, else in
// $COVKIT_ARTIFACTS (or a temporary directory).
func TestBrowser(t *testing.T) {
	b := startBrowser(t, 1100, 760)
	set := fixtureLines()
	dir := t.TempDir()
	ctx := map[int][]string{1: {"python3 -m pytest tests", "python3 tools/worker.py --id 1"}, 9: {"python3 -m pytest tests"}}
	err := Write(dir, set, Options{Now: fixtureNow, History: fixtureHistory(), ShowContexts: true,
		Contexts: func(f *report.File) map[int][]string {
			if f.RelName == "pkg/mod.py" {
				return ctx
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	b.must("Page.enable", nil)
	index := "file://" + filepath.ToSlash(dir) + "/index.html"
	b.navigate(index)
	checkIndexTotals(t, b, set)
	checkSortAndFilter(t, b)
	filePNG := checkFilePage(t, b)
	checkFunctionIndex(t, b, index)
	b.navigate(index)
	indexPNG := b.screenshot()
	saveScreenshots(t, filePNG, indexPNG)
}

// checkIndexTotals: the index's totals are the text report's TOTAL row;
// the trend and the change since the last run show.
func checkIndexTotals(t *testing.T, b *browser, set *report.Set) {
	t.Helper()
	var text bytes.Buffer
	if _, err := report.WriteText(&text, set, &report.Options{}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(text.String(), "\n") {
		if strings.HasPrefix(l, "TOTAL") {
			want = strings.Fields(l)
		}
	}
	var foot []string
	b.eval(`Array.from(document.querySelectorAll("#files tfoot td")).map(td => td.textContent)`, &foot)
	foot = append(foot[:3:3], foot[4:]...) // drop "excluded", which the text table lacks
	foot[0] = "TOTAL"
	if strings.Join(foot, " ") != strings.Join(want, " ") {
		t.Errorf("index totals %q, text report %q", foot, want)
	}
	var trend int
	b.eval(`document.querySelectorAll("#trend circle").length`, &trend)
	if trend != 3 {
		t.Errorf("trend chart has %d points, want 3", trend)
	}
	var change string
	b.eval(`document.getElementById("change").textContent`, &change)
	if !strings.HasSuffix(change, ": 70% -> 75% (+4.75)") {
		t.Errorf("change line %q", change)
	}

}

// checkSortAndFilter sorts the index by a column and filters its rows.
func checkSortAndFilter(t *testing.T, b *browser) {
	t.Helper()
	// Sort by "missing": ascending, then descending on a second click.
	column := func(i int) []string {
		var v []string
		b.eval(fmt.Sprintf(`Array.from(document.querySelectorAll("#files tbody tr")).map(tr => tr.cells[%d].textContent)`, i), &v)
		return v
	}
	b.click(`th[data-sort="miss"] button`)
	b.click(`th[data-sort="miss"] button`)
	var sortState string
	b.eval(`document.querySelector('th[data-sort="miss"]').getAttribute("aria-sort")`, &sortState)
	if got := strings.Join(column(2), " "); got != "7 0 0" || sortState != "descending" {
		t.Errorf("sorted by missing (%s): %q", sortState, got)
	}
	if got := strings.Join(column(0), " "); got != "pkg/mod.py pkg/util.py pkg/__init__.py" {
		t.Errorf("names after sort: %q", got)
	}

	// Filter: type into the filter box; totals follow the shown rows.
	b.click("#filter")
	b.must("Input.insertText", map[string]any{"text": "util"})
	var shown []string
	b.eval(`Array.from(document.querySelectorAll("#files tbody tr")).filter(tr => !tr.hidden).map(tr => tr.cells[0].textContent)`, &shown)
	var filtPc string
	b.eval(`document.querySelector("#files tfoot td.pc").textContent`, &filtPc)
	if strings.Join(shown, " ") != "pkg/util.py" || filtPc != "100%" {
		t.Errorf("filtered on util: rows %q, total %q", shown, filtPc)
	}
	b.eval(`(function(){var f=document.getElementById("filter"); f.value=""; f.dispatchEvent(new Event("input")); f.blur(); return true})()`, nil)

}

// checkFilePage opens the file with the most missing lines (the first
// row after checkSortAndFilter), moves through it with the keyboard, opens
// a line's contexts and checks the highlighting; it returns a screenshot.
func checkFilePage(t *testing.T, b *browser) []byte {
	t.Helper()
	b.click(`#files tbody tr:first-child a`)
	b.waitFor(`location.pathname.endsWith(".html") && !location.pathname.endsWith("index.html") && document.readyState === "complete"`)
	var h1 string
	b.eval(`document.querySelector("h1").textContent`, &h1)
	if h1 != "Coverage for pkg/mod.py: 59%" {
		t.Errorf("file page heading %q", h1)
	}

	// Keyboard: j jumps to the next run of missing lines, k back.
	hash := func() string {
		var h string
		b.eval(`location.hash + " " + Array.from(document.querySelectorAll(".l.hl")).map(e => e.id).join(",")`, &h)
		return h
	}
	b.key("j")
	if h := hash(); h != "#t10 t10" {
		t.Errorf("after j: %q, want #t10 highlighted", h)
	}
	b.key("j")
	if h := hash(); h != "#t21 t21" {
		t.Errorf("after j j: %q, want #t21", h)
	}
	b.key("k")
	if h := hash(); h != "#t10 t10" {
		t.Errorf("after k: %q, want #t10", h)
	}
	b.click("#next-missing")
	b.click("#next-missing")
	b.click("#next-missing")
	if h := hash(); h != "#t27 t27,t28,t29,t30" {
		t.Errorf("after three clicks on next missing: %q, want #t27 (lines 27-30)", h)
	}
	var top float64
	b.eval(`document.getElementById("t27").getBoundingClientRect().top`, &top)
	if top < 0 || top > 760 {
		t.Errorf("line 27 not scrolled into view (top %v)", top)
	}
	// The contexts of a line open on click.
	b.click(`#t1 details.ctx summary`)
	b.waitFor(`document.querySelector("#t1 details.ctx ul") !== null`)
	var ctxText string
	b.eval(`document.querySelector("#t1 details.ctx").open ? document.querySelector("#t1 details.ctx ul").innerText : "closed"`, &ctxText)
	if ctxText != "python3 -m pytest tests\npython3 tools/worker.py --id 1" {
		t.Errorf("contexts of line 1: %q", ctxText)
	}
	b.click(`#t1 details.ctx summary`)
	b.key("j")
	b.key("k")
	b.key("k") // from line 27 back to 21: the page scrolls there
	// Highlighting shows: a string continued on the next line keeps the
	// string colour there.
	var colors []string
	b.eval(`["#t22 .s", "#t7 .k", "#t4 .c"].map(s => getComputedStyle(document.querySelector(s)).color)`, &colors)
	if strings.Join(colors, " ") != "rgb(163, 21, 21) rgb(0, 0, 170) rgb(0, 136, 0)" {
		t.Errorf("colours of string, keyword, comment: %q", colors)
	}
	b.click(`#t9 details.ctx summary`) // show a line's processes
	return b.screenshot()
}

// checkFunctionIndex: the function index, reached from the file index's
// tabs, sorts by missing with a key.
func checkFunctionIndex(t *testing.T, b *browser, index string) {
	t.Helper()
	b.navigate(index)
	b.click(`nav.tabs a[href="function_index.html"]`)
	b.waitFor(`location.pathname.endsWith("/function_index.html") && document.readyState === "complete"`)
	b.key("m") // sort by missing
	var fnRows []string
	b.eval(`Array.from(document.querySelectorAll("#files tbody tr")).map(tr => tr.cells[1].textContent + ":" + tr.cells[3].textContent)`, &fnRows)
	if len(fnRows) != 7 || !strings.HasSuffix(strings.Join(fnRows, " "), "_unused:4") {
		t.Errorf("function index sorted by missing: %q", fnRows)
	}
}

// saveScreenshots keeps the screenshots: under testdata/ and docs/ with
// -update, else in $COVKIT_ARTIFACTS (or a temporary directory).
func saveScreenshots(t *testing.T, filePNG, indexPNG []byte) {
	t.Helper()
	for _, png := range [][]byte{filePNG, indexPNG} {
		if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 5000 {
			t.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
		}
	}
	out := os.Getenv("COVKIT_ARTIFACTS")
	if out == "" {
		out = t.TempDir()
	}
	files := map[string][]byte{filepath.Join(out, "html-file.png"): filePNG, filepath.Join(out, "html-index.png"): indexPNG}
	if *update {
		files = map[string][]byte{
			filepath.Join("testdata", "screenshot.png"):          filePNG,
			filepath.Join("testdata", "screenshot-index.png"):    indexPNG,
			filepath.Join("..", "..", "docs", "html-report.png"): filePNG,
		}
	}
	for p, png := range files {
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, png, 0o666); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", p)
	}
}
