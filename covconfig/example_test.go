package covconfig_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/covkit/covkit/covconfig"
)

func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(`
[tool.coverage.run]
branch = true
source = ["src"]
[tool.coverage.report]
exclude_also = ["if DEBUG:"]
[tool.coverage.paths]
source = ["src/", "/ci/*/src"]
`), 0o644)
	c, err := covconfig.Load(covconfig.LoadOptions{Dir: dir, Getenv: func(string) string { return "" }})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(filepath.Base(c.File), c.Run.Branch, c.Run.Source, c.Run.DataFile)
	fmt.Println(c.Report.ExcludeLines[len(c.Report.ExcludeLines)-1])
	fmt.Printf("%+v\n", c.PathRules())
	// Output:
	// pyproject.toml true [src] .coverage
	// if DEBUG:
	// [{Result:src/ Patterns:[/ci/*/src]}]
}
