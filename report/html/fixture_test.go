package html

import (
	"time"

	"github.com/covkit/covkit/history"
	"github.com/covkit/covkit/report"
)

const modSrc = `"""A module with a bit of everything."""
import os

GREETING = f"hello {os.name!r} {'x' + "y"}"  # an f-string


def greet(name: str) -> str:
    """Say hello."""
    if not name:
        raise ValueError("empty")
    return GREETING + ", " + name


class Shape:
    sides = 0x1F + 1_000 + 1.5e-3

    def area(self):  # pragma: no cover
        return 0

    def describe(self):
        text = """multi
line <b>string</b>"""
        return text


def unused(x):
    match x:
        case 1:
            return "one"
    return None
`

const utilSrc = `def classify(n):
    if n > 0:
        return "positive"
    elif n < 0:
        return "negative"
    return "zero"


def loop(xs):
    total = 0
    for x in xs:
        total += x
    return total
`

// fixtureLines is a small project measured without branches.
func fixtureLines() *report.Set {
	return &report.Set{Files: []*report.File{
		{Filename: "/proj/pkg/__init__.py", RelName: "pkg/__init__.py", Source: ""},
		{
			Filename:   "/proj/pkg/mod.py",
			RelName:    "pkg/mod.py",
			Source:     modSrc,
			Statements: []int{1, 2, 4, 7, 9, 10, 11, 14, 15, 20, 21, 23, 26, 27, 28, 29, 30},
			Excluded:   []int{17, 18},
			Executed:   []int{1, 2, 4, 7, 9, 11, 14, 15, 20, 26},
			Regions: []report.Region{
				{Kind: "function", Name: "greet", Start: 7, Lines: []int{8, 9, 10, 11}},
				{Kind: "class", Name: "Shape", Start: 14, Lines: []int{15, 16, 19, 24}},
				{Kind: "function", Name: "Shape.area", Start: 17, Lines: []int{18}},
				{Kind: "function", Name: "Shape.describe", Start: 20, Lines: []int{21, 22, 23}},
				{Kind: "function", Name: "_unused", Start: 26, Lines: []int{27, 28, 29, 30}},
			},
		},
		{
			Filename:   "/proj/pkg/util.py",
			RelName:    "pkg/util.py",
			Source:     utilSrc,
			Statements: []int{1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13},
			Executed:   []int{1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13},
		},
	}}
}

// fixtureBranches is a project measured with branches, with a partial
// branch and a missing line.
func fixtureBranches() *report.Set {
	return &report.Set{HasArcs: true, Files: []*report.File{
		{
			Filename:   "/proj/pkg/util.py",
			RelName:    "pkg/util.py",
			Source:     utilSrc,
			Statements: []int{1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13},
			Executed:   []int{1, 2, 3, 4, 6, 9, 10, 11, 12, 13},
			Regions: []report.Region{
				{Kind: "function", Name: "classify", Start: 1, Lines: []int{2, 3, 4, 5, 6}},
				{Kind: "function", Name: "loop", Start: 9, Lines: []int{10, 11, 12, 13}},
			},
			Branch: &report.Branches{
				Possible:   [][2]int{{-1, 1}, {1, 9}, {9, -1}, {-1, 2}, {2, 3}, {2, 4}, {3, -1}, {4, 5}, {4, 6}, {5, -1}, {6, -1}, {-9, 10}, {10, 11}, {11, 12}, {11, 13}, {12, 11}, {13, -9}},
				Executed:   [][2]int{{-1, 1}, {1, 9}, {9, -1}, {-1, 2}, {2, 3}, {2, 4}, {3, -1}, {4, 6}, {6, -1}, {-9, 10}, {10, 11}, {11, 12}, {12, 11}, {11, 13}, {13, -9}},
				ExitCounts: map[int]int{1: 1, 2: 2, 3: 1, 4: 2, 5: 1, 6: 1, 9: 1, 10: 1, 11: 2, 12: 1, 13: 1},
			},
		},
		{
			Filename:   "/proj/run.py",
			RelName:    "run.py",
			Source:     "from pkg.util import classify\n\nif __name__ == \"__main__\":\n    print(classify(3))\n",
			Statements: []int{1, 3, 4},
			Executed:   []int{1, 3, 4},
			Branch: &report.Branches{
				Possible:   [][2]int{{-1, 1}, {1, 3}, {3, 4}, {3, -1}, {4, -1}},
				Executed:   [][2]int{{-1, 1}, {1, 3}, {3, 4}, {4, -1}},
				ExitCounts: map[int]int{1: 1, 3: 2, 4: 1},
			},
		},
	}}
}

var fixtureNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func fixtureHistory() []history.Record {
	return []history.Record{
		{Time: "2026-11-20T10:00:00Z", Commit: "1111111111111111111111111111111111111111", Percent: 61.5},
		{Time: "2026-11-22T10:00:00Z", Commit: "2222222222222222222222222222222222222222", Percent: 70.25},
		{Time: "2026-11-25T12:00:00Z", Commit: "3333333333333333333333333333333333333333", Percent: 75},
	}
}
