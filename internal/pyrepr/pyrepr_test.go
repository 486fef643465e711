package pyrepr

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"testing"
)

func TestStr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `''`},
		{"abc", `'abc'`},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{`say "hi"`, `'say "hi"'`},
		{`a\b`, `'a\\b'`},
		{"tab\tnl\ncr\r", `'tab\tnl\ncr\r'`},
		{"\x00\x1f\x7f", `'\x00\x1f\x7f'`},
		{"\u0085\u00a0", `'\x85\xa0'`},
		{"caf\u00e9 \u2028 \u200b", "'caf\u00e9 \\u2028 \\u200b'"},
		{"\U0001F600 \U000E0001", "'\U0001F600 \\U000e0001'"},
	}
	for _, tt := range tests {
		if got := Str(tt.in); got != tt.want {
			t.Errorf("Str(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestStrMatchesPython compares with the host's CPython on every character
// class that matters.
func TestStrMatchesPython(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping: compares with /usr/bin/python3 (-short)")
	}
	var inputs []string
	for r := rune(0); r < 0x3000; r += 7 {
		if r >= 0xd800 && r < 0xe000 {
			continue
		}
		inputs = append(inputs, "a"+string(r)+"'\"", string(r)+"'")
	}
	inputs = append(inputs, "\U0001F600", "\U000E0001", "\U0010FFFD", "x\u2028y")
	in, _ := json.Marshal(inputs)
	cmd := exec.Command("/usr/bin/python3", "-c", "import json,sys; print(json.dumps([repr(s) for s in json.load(sys.stdin)]))")
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("skipping: /usr/bin/python3: %v", err)
	}
	var want []string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range inputs {
		if got := Str(s); got != want[i] {
			t.Errorf("Str(%q) = %s, Python says %s", s, got, want[i])
		}
	}
}
