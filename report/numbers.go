package report

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Numbers are the counts coverage.py's results.Numbers holds for one file or
// a total.
type Numbers struct {
	Precision       int
	Files           int
	Statements      int
	Excluded        int
	Missing         int
	Branches        int
	PartialBranches int
	MissingBranches int
}

// Executed is the number of executed statements.
func (n Numbers) Executed() int { return n.Statements - n.Missing }

// ExecutedBranches is the number of executed branches.
func (n Numbers) ExecutedBranches() int { return n.Branches - n.MissingBranches }

// Add returns the sum of n and o (keeping n's precision).
func (n Numbers) Add(o Numbers) Numbers {
	return Numbers{
		Precision:       n.Precision,
		Files:           n.Files + o.Files,
		Statements:      n.Statements + o.Statements,
		Excluded:        n.Excluded + o.Excluded,
		Missing:         n.Missing + o.Missing,
		Branches:        n.Branches + o.Branches,
		PartialBranches: n.PartialBranches + o.PartialBranches,
		MissingBranches: n.MissingBranches + o.MissingBranches,
	}
}

func percent(num, den int) float64 {
	if den > 0 {
		return 100.0 * float64(num) / float64(den)
	}
	return 100.0
}

// PcCovered is the combined statement+branch percentage.
func (n Numbers) PcCovered() float64 {
	return percent(n.Executed()+n.ExecutedBranches(), n.Statements+n.Branches)
}

// PcStatements is the statement percentage.
func (n Numbers) PcStatements() float64 { return percent(n.Executed(), n.Statements) }

// PcBranches is the branch percentage.
func (n Numbers) PcBranches() float64 { return percent(n.ExecutedBranches(), n.Branches) }

// PcCoveredStr is PcCovered for display (see DisplayCovered).
func (n Numbers) PcCoveredStr() string { return DisplayCovered(n.PcCovered(), n.Precision) }

// PcStatementsStr is PcStatements for display.
func (n Numbers) PcStatementsStr() string { return DisplayCovered(n.PcStatements(), n.Precision) }

// PcBranchesStr is PcBranches for display.
func (n Numbers) PcBranchesStr() string { return DisplayCovered(n.PcBranches(), n.Precision) }

// DisplayCovered formats a percentage with precision decimals, never showing
// "0" for a non-zero value nor "100" for a value under 100.
func DisplayCovered(pc float64, precision int) string {
	if precision < 0 {
		precision = 0
	}
	near0 := 1.0 / math.Pow(10, float64(precision))
	switch {
	case 0 < pc && pc < near0:
		pc = near0
	case 100.0-near0 < pc && pc < 100:
		pc = 100.0 - near0
	default:
		pc = pyRound(pc, precision)
	}
	return strconv.FormatFloat(pc, 'f', precision, 64)
}

// ShouldFailUnder reports whether total fails a --fail-under of failUnder at
// this precision, with coverage.py's rules: 100 must be exactly 100, anything
// else compares the rounded total.
func ShouldFailUnder(total, failUnder float64, precision int) (bool, error) {
	if !(0 <= failUnder && failUnder <= 100.0) {
		return false, fmt.Errorf("fail_under=%s is invalid. Must be between 0 and 100.", pyRepr(failUnder))
	}
	if failUnder == 100.0 && total != 100.0 {
		return true, nil
	}
	return pyRound(total, precision) < failUnder, nil
}

// FailUnderMessage is coverage.py's "total of X is less than fail-under=Y".
func FailUnderMessage(total, failUnder float64, precision int) string {
	return fmt.Sprintf("total of %s is less than fail-under=%s",
		DisplayCovered(total, precision), strconv.FormatFloat(failUnder, 'f', precision, 64))
}

// FormatLines formats missing line numbers as coverage.py does ("1-2, 5-11,
// 13-14"): runs of consecutive statements coalesce. arcs, if non-nil, maps a
// branch line to its missing destinations, shown as "a->b" unless a line is
// already listed.
func FormatLines(statements, lines []int, arcs map[int][]int) string {
	type item struct {
		line int
		text string
	}
	var items []item
	lidx := 0
	start, end := 0, 0
	for _, stmt := range statements {
		if lidx >= len(lines) {
			break
		}
		if stmt == lines[lidx] {
			lidx++
			if start == 0 {
				start = stmt
			}
			end = stmt
		} else if start != 0 {
			items = append(items, item{start, nicePair(start, end)})
			start = 0
		}
	}
	if start != 0 {
		items = append(items, item{start, nicePair(start, end)})
	}
	if arcs != nil {
		inLines := make(map[int]bool, len(lines))
		for _, l := range lines {
			inLines[l] = true
		}
		froms := make([]int, 0, len(arcs))
		for l := range arcs {
			froms = append(froms, l)
		}
		sort.Ints(froms)
		for _, l := range froms {
			exits := append([]int(nil), arcs[l]...)
			sort.Ints(exits)
			for _, ex := range exits {
				if !inLines[l] && !inLines[ex] {
					dest := strconv.Itoa(ex)
					if ex <= 0 {
						dest = "exit"
					}
					items = append(items, item{l, fmt.Sprintf("%d->%s", l, dest)})
				}
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].line != items[j].line {
			return items[i].line < items[j].line
		}
		return items[i].text < items[j].text
	})
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.text
	}
	return strings.Join(parts, ", ")
}

func nicePair(a, b int) string {
	if a == b {
		return strconv.Itoa(a)
	}
	return strconv.Itoa(a) + "-" + strconv.Itoa(b)
}
