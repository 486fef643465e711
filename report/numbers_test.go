package report

import (
	"math"
	"slices"
	"strconv"
	"testing"
)

func TestDisplayCovered(t *testing.T) {
	tests := []struct {
		pc   float64
		prec int
		want string
	}{
		{0, 0, "0"},
		{100, 0, "100"},
		{99.99, 0, "99"},
		{99.5, 0, "99"},
		{0.01, 0, "1"},
		{0.4, 0, "1"},
		{50.5, 0, "50"}, // half to even
		{51.5, 0, "52"},
		{66.666666, 2, "66.67"},
		{99.999, 2, "99.99"},
		{0.001, 2, "0.01"},
		{100, 3, "100.000"},
		{12.5, 0, "12"},
		{2.675, 2, "2.67"}, // 2.675 is 2.67499999... in binary
	}
	for _, tt := range tests {
		if got := DisplayCovered(tt.pc, tt.prec); got != tt.want {
			t.Errorf("DisplayCovered(%v, %d) = %q, want %q", tt.pc, tt.prec, got, tt.want)
		}
	}
}

func TestShouldFailUnder(t *testing.T) {
	tests := []struct {
		total, under float64
		prec         int
		want         bool
	}{
		{50, 50, 0, false},
		{49.9, 50, 0, false}, // rounds to 50
		{49.4, 50, 0, true},
		{49.94, 49.95, 1, true},
		{49.96, 49.95, 1, false},
		{99.999, 100, 2, true}, // 100 must really be 100
		{100, 100, 0, false},
		{0, 0, 0, false},
	}
	for _, tt := range tests {
		got, err := ShouldFailUnder(tt.total, tt.under, tt.prec)
		if err != nil || got != tt.want {
			t.Errorf("ShouldFailUnder(%v, %v, %d) = %v, %v; want %v", tt.total, tt.under, tt.prec, got, err, tt.want)
		}
	}
	if _, err := ShouldFailUnder(50, 101, 0); err == nil || err.Error() != "fail_under=101.0 is invalid. Must be between 0 and 100." {
		t.Errorf("fail_under=101: err = %v", err)
	}
}

func TestFormatLines(t *testing.T) {
	stmts := []int{1, 2, 3, 4, 5, 10, 11, 12, 13, 14}
	if got, want := FormatLines(stmts, []int{1, 2, 5, 10, 11, 13, 14}, nil), "1-2, 5-11, 13-14"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := FormatLines(stmts, []int{}, nil), ""; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// 2->5 is hidden because 5 is itself missing; items sort by line, then text.
	arcs := map[int][]int{3: {-1, 4}, 2: {5}, 12: {14}}
	if got, want := FormatLines(stmts, []int{5, 10}, arcs), "3->4, 3->exit, 5-10, 12->14"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestPyRepr(t *testing.T) {
	tests := map[float64]string{
		100:                "100.0",
		0:                  "0.0",
		87.5:               "87.5",
		200.0 / 3:          "66.66666666666667",
		1e-05:              "1e-05",
		0.0001:             "0.0001",
		1e16:               "1e+16",
		123456789012345678: "1.2345678901234568e+17",
		-2.5:               "-2.5",
	}
	for f, want := range tests {
		if got := pyRepr(f); got != want {
			t.Errorf("pyRepr(%v) = %q, want %q", f, got, want)
		}
	}
}

func FuzzPyRepr(f *testing.F) {
	f.Add(66.66666666666667)
	f.Add(1e-7)
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		s := pyRepr(x)
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != x {
			t.Fatalf("pyRepr(%v) = %q does not round-trip", x, s)
		}
	})
}

func TestRate(t *testing.T) {
	tests := []struct {
		hit, num int
		want     string
	}{
		{0, 0, "1"}, {1, 1, "1"}, {0, 5, "0"}, {2, 3, "0.6667"}, {1, 20000, "5e-05"}, {9999, 10000, "0.9999"}, {99999, 100000, "1"},
	}
	for _, tt := range tests {
		if got := rate(tt.hit, tt.num); got != tt.want {
			t.Errorf("rate(%d, %d) = %q, want %q", tt.hit, tt.num, got, tt.want)
		}
	}
}

func TestHumanSort(t *testing.T) {
	in := []string{"mod10.py", "mod2.py", "a/b.py", "mod1.py", "x001y", "x1y", "A.py"}
	slices.SortFunc(in, func(a, b string) int { return compareHuman(makeHumanKey(a), makeHumanKey(b)) })
	want := []string{"A.py", "a/b.py", "mod1.py", "mod2.py", "mod10.py", "x001y", "x1y"}
	if !slices.Equal(in, want) {
		t.Errorf("got %q, want %q", in, want)
	}
}

func TestSplitlines(t *testing.T) {
	got := pySplitlines("a\nb\r\nc\rd\x0be\u2028f\n")
	want := []string{"a", "b", "c", "d", "e", "f"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, s := range []string{"", "a", "a\n", "a\r\n\r\nb", "x\u2028y\rz"} {
		if got, want := pyLineCount(s), len(pySplitlines(s)); got != want {
			t.Errorf("pyLineCount(%q) = %d, want %d", s, got, want)
		}
	}
}
