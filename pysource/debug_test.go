package pysource

import (
	"fmt"
	"os"
	"testing"
)

// TestDebugFile prints the analysis of $PYSOURCE_DEBUG (a file path).
func TestDebugFile(t *testing.T) {
	p := os.Getenv("PYSOURCE_DEBUG")
	if p == "" {
		t.Skip("set PYSOURCE_DEBUG=file.py")
	}
	src, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := ParseVersion(os.Getenv("PYSOURCE_VERSION") + "3.14"[len(os.Getenv("PYSOURCE_VERSION")):])
	if os.Getenv("PYSOURCE_TOKENS") != "" {
		toks, err := Tokenize(Decode(src), v)
		for _, tk := range toks {
			fmt.Printf("%-10v %d-%d %q\n", tk.Type, tk.Line, tk.EndLine, tk.Text)
		}
		fmt.Println(err)
	}
	a, err := Analyze(p, src, Options{Version: v})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("statements", a.Statements)
	fmt.Println("excluded", a.Excluded)
}
