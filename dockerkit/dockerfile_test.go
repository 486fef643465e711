package dockerkit

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDockerfile(t *testing.T) {
	// The build context: directories and files by slash path.
	ctx := map[string]bool{ // path -> isDir
		".": true, "app": true, "app/main.py": false, "lib": true, "run.py": false,
		"src": true, "src/pkg": true, "conf.ini": false, "a.py": false, "b.py": false,
	}
	stat := func(rel string) (bool, bool) {
		d, ok := ctx[rel]
		return ok, d
	}
	tests := []struct {
		name, df string
		want     []PathMapping
	}{
		{"workdir and dot", "FROM x\nWORKDIR /app\nCOPY . .\n",
			[]PathMapping{{"/app", "."}}},
		{"file into workdir", "FROM x\nWORKDIR /srv\nCOPY run.py .\n",
			[]PathMapping{{"/srv/run.py", "run.py"}}},
		{"file to a name", "FROM x\nCOPY run.py /usr/local/bin/tool\n",
			[]PathMapping{{"/usr/local/bin/tool/run.py", "run.py"}, {"/usr/local/bin/tool", "run.py"}}},
		{"dir with trailing slash", "FROM x\nCOPY app/ /opt/app/\n",
			[]PathMapping{{"/opt/app", "app"}}},
		{"relative workdir chain", "FROM x\nWORKDIR /a\nWORKDIR b\nADD lib lib\n",
			[]PathMapping{{"/a/b/lib", "lib"}}},
		{"several sources", "FROM x\nCOPY a.py b.py /code/\n",
			[]PathMapping{{"/code/b.py", "b.py"}, {"/code/a.py", "a.py"}}},
		{"json form and flags", "FROM x\nCOPY --chown=1000:1000 [\"src/pkg\", \"/site/pkg\"]\n",
			[]PathMapping{{"/site/pkg", "src/pkg"}}},
		{"env expansion", "FROM x\nENV HOME=/home/app\nWORKDIR $HOME\nCOPY app ${HOME}/app\n",
			[]PathMapping{{"/home/app/app", "app"}}},
		{"later wins first", "FROM x\nCOPY app /app\nCOPY src /app\n",
			[]PathMapping{{"/app", "src"}, {"/app", "app"}}},
		{"continuation and comments", "FROM x\n# a comment\nCOPY \\\n  app \\\n  /w/\n",
			[]PathMapping{{"/w", "app"}}},
		{"glob", "FROM x\nCOPY *.py /code/\n",
			[]PathMapping{{"/code", "."}}},
		{"url and archive skipped", "FROM x\nADD https://example.invalid/x.py /x.py\nADD lib.tar.gz /l/\n", []PathMapping{}},
		{"missing source skipped", "FROM x\nCOPY nothere /n\n", []PathMapping{}},
		{"other image skipped", "FROM x\nCOPY --from=python:3 /usr/bin/python3 /p\n", []PathMapping{}},
		{"multi-stage: only the final stage", "FROM x AS build\nCOPY src /build/src\nFROM y\nCOPY app /app\n",
			[]PathMapping{{"/app", "app"}}},
		{"multi-stage: inherit and copy from a stage", "FROM x AS base\nWORKDIR /w\nCOPY app app\nFROM x AS build\nCOPY src /build/src\nFROM base\nCOPY --from=build /build/src/pkg /site/pkg\n",
			[]PathMapping{{"/site/pkg", "src/pkg"}, {"/w/app", "app"}}},
		{"escape directive", "# escape=`\nFROM x\nCOPY app `\n  /e\n",
			[]PathMapping{{"/e", "app"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDockerfile(strings.NewReader(tc.df), stat)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mappings (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ParseDockerfile(strings.NewReader("COPY a b\n"), stat); err == nil {
		t.Error("a Dockerfile without FROM parsed")
	}
}

func TestParseBuildArgs(t *testing.T) {
	tests := []struct {
		args    []string
		context string
		df      string
		tags    []string
		rest    []string
		iid     string
	}{
		{[]string{"."}, ".", "", nil, nil, ""},
		{[]string{"-t", "a:1", "--tag=b", "-f", "x/Dockerfile", "--build-arg", "K=V", "--no-cache", "ctx"},
			"ctx", "x/Dockerfile", []string{"a:1", "b"}, []string{"-f=x/Dockerfile", "--build-arg=K=V", "--no-cache"}, ""},
		{[]string{"-qt", "img", "--iidfile", "id.txt", "-"}, "-", "", []string{"img"}, []string{"-q"}, "id.txt"},
	}
	for _, tc := range tests {
		b, err := parseBuildArgs(tc.args)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if b.context != tc.context || b.dockerfile != tc.df || b.iidfile != tc.iid ||
			!cmp.Equal(b.tags, tc.tags) || !cmp.Equal(b.rest, tc.rest) {
			t.Errorf("%q: got %+v", tc.args, b)
		}
	}
	for _, bad := range [][]string{{}, {"a", "b"}, {"-t"}} {
		if _, err := parseBuildArgs(bad); !errors.Is(err, ErrArgs) {
			t.Errorf("%q: %v, want an ErrArgs (covdocker's usage error)", bad, err)
		}
	}
}

func TestSharedSite(t *testing.T) {
	deb := func(v string) Interpreter {
		return Interpreter{Site: "/usr/lib/python" + v + "/dist-packages",
			Sites: []string{"/usr/local/lib/python" + v + "/dist-packages", "/usr/lib/python3/dist-packages", "/usr/lib/python" + v + "/dist-packages"}}
	}
	venv := Interpreter{Site: "/opt/venv/lib/python3.14/site-packages", Sites: []string{"/opt/venv/lib/python3.14/site-packages"}}
	late := Interpreter{Site: "/a", Sites: []string{"/a", "/usr/lib/python3/dist-packages"}} // shared dir after its hook
	tests := []struct {
		pys  []Interpreter
		want string
	}{
		{[]Interpreter{deb("3.14"), deb("3.15")}, "/usr/lib/python3/dist-packages"},
		{[]Interpreter{deb("3.14"), venv}, ""},
		{[]Interpreter{deb("3.14"), late}, ""},
	}
	for _, tc := range tests {
		if got := sharedSite(tc.pys); got != tc.want {
			t.Errorf("sharedSite(%v) = %q, want %q", tc.pys, got, tc.want)
		}
	}
}

func TestChooseSite(t *testing.T) {
	deb := []string{"/usr/local/lib/python3.14/dist-packages", "/usr/lib/python3/dist-packages", "/usr/lib/python3.14/dist-packages"}
	venv := []string{"/opt/venv/lib/python3.14/site-packages", "/opt/venv/local/lib/python3.14/dist-packages", "/opt/venv/lib/python3.14/dist-packages"}
	tests := []struct {
		sites, path []string
		prefix      string
		want        string
	}{
		{deb, []string{"/usr/lib/python3.14", "/usr/local/lib/python3.14/dist-packages", "/usr/lib/python3/dist-packages"}, "/usr", "/usr/lib/python3/dist-packages"},
		{venv, []string{"/usr/lib/python3.14", "/opt/venv/lib/python3.14/site-packages"}, "/opt/venv", "/opt/venv/lib/python3.14/site-packages"},
		{deb, nil, "/usr", "/usr/lib/python3.14/dist-packages"},
		{[]string{"/elsewhere/site-packages"}, nil, "/usr", "/elsewhere/site-packages"},
		{nil, nil, "/usr", ""},
	}
	for _, tc := range tests {
		if got := chooseSite(tc.sites, tc.path, tc.prefix); got != tc.want {
			t.Errorf("chooseSite(%v, %v) = %q, want %q", tc.sites, tc.path, got, tc.want)
		}
	}
}

func FuzzParseDockerfile(f *testing.F) {
	for _, s := range []string{
		"FROM x\nWORKDIR /app\nCOPY . .\n",
		"ARG B\nFROM ${B} AS a\nENV H=/h\nCOPY --from=a [\"/a\", \"$H/b\"]\n",
		"# escape=`\nFROM x\nADD a `\n b\n",
		"FROM x\nCOPY ${A:-x} ${",
	} {
		f.Add(s)
	}
	stat := func(rel string) (bool, bool) { return len(rel)%3 != 0, len(rel)%2 == 0 }
	f.Fuzz(func(t *testing.T, s string) {
		maps, err := ParseDockerfile(strings.NewReader(s), stat)
		if err != nil {
			return
		}
		for _, m := range maps {
			if !strings.HasPrefix(m.Container, "/") {
				t.Errorf("container path %q is not absolute", m.Container)
			}
		}
	})
}
