package pyarcs

import (
	"testing"

	"github.com/covkit/covkit/pysource"
)

// FuzzArcs checks that any file pysource accepts gets arcs without a panic,
// under every emulated coverage.py, and that the arcs are well formed.
func FuzzArcs(f *testing.F) {
	// Small seeds: whole files make the fuzzer spend its time minimizing.
	for _, s := range []string{
		"while 1:\n    with a:\n        break\n",
		"def f():\n    try:\n        return 1\n    finally:\n        g()\n",
		"match x:\n    case 1 | _:\n        pass\nfor i in y:\n    if i: continue\nelse:\n    z = lambda: [a for a in b]\n",
		"@d\nclass C:\n    async def m(self):\n        async with a as b:\n            raise E\n",
		"if not __debug__:\n    x = f\"{(y for y in z)}\"\nelif 0:\n    pass\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, v := range []struct{ py, cov pysource.Version }{
			{pysource.Version{Major: 3, Minor: 11}, pysource.Version{Major: 6, Minor: 5}},
			{pysource.Version{Major: 3, Minor: 13}, pysource.Version{Major: 7, Minor: 6}},
			{pysource.Version{Major: 3, Minor: 14}, pysource.Version{Major: 7, Minor: 16}},
			{pysource.Version{Major: 3, Minor: 9}, pysource.Version{Major: 6, Minor: 5}},
		} {
			a, err := pysource.Analyze("fuzz.py", src, pysource.Options{Version: v.py, Coverage: v.cov})
			if err != nil {
				return
			}
			r := Arcs(a, Options{Version: v.py, Coverage: v.cov})
			for _, arc := range r.Arcs {
				if arc[0] == arc[1] {
					t.Fatalf("self arc %v", arc)
				}
				if v.cov.AtLeast(7, 7) && arc[0] < 0 {
					t.Fatalf("entry arc %v from coverage.py %v", arc, v.cov)
				}
			}
			for l, n := range r.ExitCounts {
				if l <= 0 || n < 0 {
					t.Fatalf("exit count %d at %d", n, l)
				}
			}
			b := r.Branches(a, r.Arcs)
			if len(b.Executed) > len(r.Arcs) {
				t.Fatalf("%d executed arcs from %d possible", len(b.Executed), len(r.Arcs))
			}
		}
	})
}
