package html

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"github.com/covkit/covkit/history"
	"github.com/covkit/covkit/report"
)

// Size of the trend chart, in CSS pixels.
const (
	trendW, trendH         = 640, 150
	padL, padR, padT, padB = 46, 12, 10, 22
)

// writeTrend draws the total coverage of each recorded run as an inline SVG
// line chart (no script, no external resource). The vertical axis spans the
// recorded range, widened to at least one point, so that small moves show.
func writeTrend(b *bytes.Buffer, recs []history.Record, precision int) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range recs {
		lo, hi = math.Min(lo, r.Percent), math.Max(hi, r.Percent)
	}
	if hi-lo < 1 {
		mid := (hi + lo) / 2
		lo, hi = mid-0.5, mid+0.5
	}
	span := hi - lo
	lo, hi = math.Max(0, lo-span*0.1), math.Min(100, hi+span*0.1)
	if hi <= lo {
		lo, hi = 0, 100
	}
	plotW, plotH := float64(trendW-padL-padR), float64(trendH-padT-padB)
	x := func(i int) float64 {
		if len(recs) == 1 {
			return padL + plotW/2
		}
		return padL + plotW*float64(i)/float64(len(recs)-1)
	}
	y := func(p float64) float64 { return padT + plotH*(hi-p)/(hi-lo) }
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

	fmt.Fprintf(b, "<svg class=\"trend\" id=\"trend\" role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\"><title>Total coverage over %d runs</title>\n", trendW, trendH, trendW, trendH, len(recs))
	for _, v := range []float64{lo, (lo + hi) / 2, hi} {
		fmt.Fprintf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%s\" y2=\"%s\"/><text x=\"%d\" y=\"%s\" text-anchor=\"end\">%s%%</text>\n",
			padL, trendW-padR, num(y(v)), num(y(v)), padL-4, num(y(v)+3), strconv.FormatFloat(v, 'f', 1, 64))
	}
	b.WriteString("<polyline points=\"")
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(num(x(i)) + "," + num(y(r.Percent)))
	}
	b.WriteString("\"/>\n")
	for i, r := range recs {
		fmt.Fprintf(b, "<circle cx=\"%s\" cy=\"%s\" r=\"3\"><title>", num(x(i)), num(y(r.Percent)))
		esc(b, r.Time)
		if r.Commit != "" {
			c := r.Commit
			if len(c) > 12 {
				c = c[:12]
			}
			b.WriteString(" ")
			esc(b, c)
		}
		b.WriteString(": " + report.DisplayCovered(r.Percent, precision) + "%</title></circle>\n")
	}
	first, last := recs[0].When(), recs[len(recs)-1].When()
	fmt.Fprintf(b, "<text x=\"%d\" y=\"%d\">", padL, trendH-6)
	esc(b, first.Format("2006-01-02 15:04"))
	fmt.Fprintf(b, "</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", trendW-padR, trendH-6)
	esc(b, last.Format("2006-01-02 15:04"))
	fmt.Fprintf(b, " (%d runs)</text>\n</svg>\n", len(recs))
}
