package sqlitecov

import (
	"os"
	"path/filepath"
	"testing"
)

const benchFile = "testdata/branchctx-716.coverage"

func BenchmarkDecodeRaw(b *testing.B) {
	buf, err := os.ReadFile(benchFile)
	if err != nil {
		b.Fatal(err)
	}
	var r Raw
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if err := DecodeRaw(buf, &r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(r.Arcs)), "arcs/op")
}

func BenchmarkReadSQL(b *testing.B) {
	var r Raw
	for b.Loop() {
		if err := readRawSQL(benchFile, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadFile(b *testing.B) {
	for b.Loop() {
		if _, err := ReadFile(benchFile); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteFile(b *testing.B) {
	d, err := ReadFile(benchFile)
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "out.coverage")
	for b.Loop() {
		if err := WriteFile(out, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeNumbits(b *testing.B) {
	nb := make([]byte, 64)
	for i := range nb {
		nb[i] = byte(i * 37)
	}
	for b.Loop() {
		DecodeNumbits(nb)
	}
}
