package pathmap_test

import (
	"fmt"

	"github.com/covkit/covkit/pathmap"
)

func ExampleMapper_Map() {
	// [paths]
	// source =
	//     /src/
	//     /ci/*/checkout
	//     C:\build\checkout
	rules := []pathmap.Rule{{Result: "/src/", Patterns: []string{"/ci/*/checkout", `C:\build\checkout`}}}
	m := pathmap.New(rules, pathmap.Options{Exists: func(string) bool { return true }})
	for _, p := range []string{"/ci/job7/checkout/pkg/mod.py", `c:\Build\Checkout\pkg\mod.py`, "/elsewhere/mod.py"} {
		fmt.Println(m.Map(p))
	}
	// Output:
	// /src/pkg/mod.py true
	// /src/pkg/mod.py true
	// /elsewhere/mod.py false
}

func ExampleParseFlag() {
	r, err := pathmap.ParseFlag("src/=/ci/*/src, */site-packages")
	fmt.Printf("%q %q %v\n", r.Result, r.Patterns, err)
	// Output: "src/" ["/ci/*/src" "*/site-packages"] <nil>
}

func ExampleNewGlobMatcher() {
	omit, _ := pathmap.NewGlobMatcher([]string{"*/tests/*", "setup.py"}, "/project")
	for _, p := range []string{"/project/pkg/tests/test_a.py", "/project/setup.py", "/project/pkg/a.py"} {
		fmt.Println(p, omit.Match(p))
	}
	// Output:
	// /project/pkg/tests/test_a.py true
	// /project/setup.py true
	// /project/pkg/a.py false
}
