package html

import (
	"strings"
	"testing"
)

// marked renders src with each coloured span as {cls:text}.
func marked(src string) string {
	var b strings.Builder
	pos := 0
	for _, s := range highlight(src) {
		b.WriteString(src[pos:s.start])
		b.WriteString("{" + s.cls + ":" + src[s.start:s.end] + "}")
		pos = s.end
	}
	b.WriteString(src[pos:])
	return b.String()
}

func TestHighlight(t *testing.T) {
	tests := []struct{ src, want string }{
		{"def f(x):\n    return None\n", "{k:def} {f:f}(x):\n    {k:return} {k:None}\n"},
		{"class A(B): pass", "{k:class} {f:A}(B): {k:pass}"},
		{"x = 1 # c 'q'\n", "x = {m:1} {c:# c 'q'}\n"},
		{`s = 'a\'b' + "c\"d"`, `s = {s:'a\'b'} + {s:"c\"d"}`},
		{"s = '''a\n'b'\nc'''; d", "s = {s:'''a\n'b'\nc'''}; d"},
		{`r"\d+" b'x' Rb"y" u'z'`, `{s:r"\d+"} {s:b'x'} {s:Rb"y"} {s:u'z'}`},
		{`f"{x!r:>{w}} {'a' + "b"}" + y`, `{s:f"{x!r:>{w}} {'a' + "b"}"} + y`},
		{`f"{{literal}}" t'{a}'`, `{s:f"{{literal}}"} {s:t'{a}'}`},
		{"f'''{\n'x'\n}''' # c", "{s:f'''{\n'x'\n}'''} {c:# c}"},
		{"n = 0x1F + 1_000 + 1.5e-3 + .5j + 1e+9", "n = {m:0x1F} + {m:1_000} + {m:1.5e-3} + {m:.5j} + {m:1e+9}"},
		{"0xe-1", "{m:0xe}-{m:1}"},
		{"print(len(x)); self.x", "{b:print}({b:len}(x)); {b:self}.x"},
		{"@dataclass\n@a.b(1)\nclass C: ...", "{d:@dataclass}\n{d:@a.b}({m:1})\n{k:class} {f:C}: ..."},
		{"match x:\n    case [1]:\n        pass\nmatch = 1\nmatch.group()\n", "{k:match} x:\n    {k:case} [{m:1}]:\n        {k:pass}\nmatch = {m:1}\nmatch.group()\n"},
		{"type X = int\ntype(x)\n", "{k:type} X = {b:int}\n{b:type}(x)\n"},
		{"'unterminated\nx = 1", "{s:'unterminated}\nx = {m:1}"},
		{"'''never closed\nstill", "{s:'''never closed\nstill}"},
		{"naïve = 'ü' # ✓", "naïve = {s:'ü'} {c:# ✓}"},
		{"if\\\n  a: pass", "{k:if}\\\n  a: {k:pass}"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := marked(tt.src); got != tt.want {
			t.Errorf("highlight(%q)\n got %q\nwant %q", tt.src, got, tt.want)
		}
	}
}

// FuzzHighlight: any input gives ordered, non-overlapping spans inside the
// text, on rune boundaries.
func FuzzHighlight(f *testing.F) {
	for _, s := range []string{modSrc, utilSrc, `f"{x["a"]}"`, "'''", `f"{`, "\\", "0e", "@", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		pos := 0
		for _, s := range highlight(src) {
			if s.start < pos || s.end <= s.start || s.end > len(src) {
				t.Fatalf("bad span %+v after %d in %q", s, pos, src)
			}
			pos = s.end
		}
	})
}
