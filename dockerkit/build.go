package dockerkit

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/covkit/covkit/internal/cli"
	"github.com/covkit/covkit/pth"
)

// BuildOptions configures Build.
type BuildOptions struct {
	Args []string      // docker build arguments, as the user gave them
	Maps []PathMapping // --map overrides; Host absolute or relative to Dir. They win over derived mappings.
	// Where coverage.py comes from for interpreters that cannot import it
	// (tried in this order; all empty: such interpreters stay unmeasured).
	CoverageWheel string // a .whl file
	CoverageDir   string // a directory holding the coverage package (or the package itself)
	CoverageDeb   string // a .deb (python3-coverage), its dist-packages go to each site directory
	CoveragePip   string // a version: RUN python -m pip install coverage==VERSION (needs network)
	Hook          Hook   // nil: PthHook
	// ProbeBinary is a static executable that, run inside the image as
	// `ProbeBinary ProbeArgs...`, prints ProbeInterpreters as JSON (covdocker
	// probe). Empty: the running executable.
	ProbeBinary string
	ProbeArgs   []string // default ["probe"]
	Verify      bool     // after building, import coverage with every interpreter of the image
	UseBuilder  bool     // make the layer with docker build even when docker commit would do
	Docker      string   // docker CLI; default "docker"
	Dir         string   // directory relative paths are resolved from; default the working directory
	Stdout      io.Writer
	Stderr      io.Writer
}

// BuildResult is what Build made.
type BuildResult struct {
	BaseID     string // the user's image, as docker build made it
	ImageID    string // the image with covkit's layer
	Tags       []string
	Info       ImageInfo
	LayerTime  time.Duration // probe + layer build (+ verify)
	ProbeTime  time.Duration // of which: finding the interpreters
	VerifyTime time.Duration // of which: checking every interpreter imports coverage
	AddedBytes int64         // size of the image with the layer minus the user's
	Warnings   []string
}

// Build runs docker build with the user's arguments, then builds covkit's
// layer on top of the result and gives it the user's tags.
func Build(ctx context.Context, o BuildOptions) (*BuildResult, error) {
	o.setDefaults()
	ba, err := parseBuildArgs(o.Args)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "covdocker-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	// 1. The user's build, untagged: the tags go to the final image.
	baseID, err := userBuild(ctx, o, ba, tmp)
	if err != nil {
		return nil, err
	}
	res := &BuildResult{BaseID: baseID, Tags: ba.tags}
	start := time.Now()

	// 2. Path mappings from the Dockerfile, --map first.
	info, err := pathMappings(o, ba, res)
	if err != nil {
		return nil, err
	}

	// 3. Find the image's interpreters with the static probe.
	t0 := time.Now()
	pythons, user, err := probeImage(ctx, o, res.BaseID, nil)
	res.ProbeTime = time.Since(t0)
	if err != nil {
		return nil, err
	}
	if len(pythons) == 0 {
		return nil, fmt.Errorf("image %s: no Python 3 interpreter found", shortID(res.BaseID))
	}

	// 4. Stage the layer.
	l, err := stageLayer(ctx, o, filepath.Join(tmp, "layer"), pythons, res)
	if err != nil {
		return nil, err
	}
	info.Pythons = pythons
	labels, err := l.finish(info, user, res.BaseID, o.CoveragePip)
	if err != nil {
		return nil, err
	}

	// 5. Make the image.
	if res.ImageID, err = makeImage(ctx, o, ba, tmp, l, res.BaseID, labels); err != nil {
		return nil, err
	}
	res.Info = info
	res.Info.ID = res.ImageID
	if err := writeIIDFile(o, ba, res.ImageID); err != nil {
		return nil, err
	}
	if o.Verify {
		t0 := time.Now()
		err := verifyImage(ctx, o, res.ImageID, pythons)
		res.VerifyTime = time.Since(t0)
		if err != nil {
			return nil, err
		}
	}
	res.LayerTime = time.Since(start)
	bs, err1 := imageSize(ctx, o.Docker, res.BaseID)
	fs, err2 := imageSize(ctx, o.Docker, res.ImageID)
	if err1 == nil && err2 == nil {
		res.AddedBytes = fs - bs
	}
	return res, nil
}

func (o *BuildOptions) setDefaults() {
	if o.Docker == "" {
		o.Docker = "docker"
	}
	if o.Hook == nil {
		o.Hook = PthHook
	}
	if o.Stdout == nil {
		o.Stdout = io.Discard
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if o.Dir == "" {
		o.Dir, _ = os.Getwd()
	}
}

// userBuild runs the user's docker build, untagged, and returns the image ID.
func userBuild(ctx context.Context, o BuildOptions, ba buildArgs, tmp string) (string, error) {
	iid := filepath.Join(tmp, "base.iid")
	args := append([]string{"build"}, ba.rest...)
	args = append(args, "--iidfile", iid, ba.context)
	c := exec.CommandContext(ctx, o.Docker, args...)
	c.Dir, c.Stdout, c.Stderr = o.Dir, o.Stdout, o.Stderr
	if ba.context == "-" {
		c.Stdin = os.Stdin
	}
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("docker build: %w", err)
	}
	b, err := os.ReadFile(iid)
	if err != nil {
		return "", fmt.Errorf("docker build left no image ID: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// pathMappings is what the image's labels say of its paths: the --map
// mappings, then those the Dockerfile's COPY and ADD give.
func pathMappings(o BuildOptions, ba buildArgs, res *BuildResult) (ImageInfo, error) {
	info := ImageInfo{Covkit: cli.CurrentVersion()}
	if ba.context == "-" || strings.Contains(ba.context, "://") {
		res.Warnings = append(res.Warnings, "build context is not a local directory: no path mappings derived (use --map)")
		return info, nil
	}
	ctxDir := ba.context
	if !filepath.IsAbs(ctxDir) {
		ctxDir = filepath.Join(o.Dir, ctxDir)
	}
	info.Context = filepath.Clean(ctxDir)
	for _, m := range o.Maps {
		h := m.Host
		if !filepath.IsAbs(h) {
			h = filepath.Join(o.Dir, h)
		}
		if rel, err := filepath.Rel(info.Context, h); err == nil && !strings.HasPrefix(rel, "..") {
			h = filepath.ToSlash(rel)
		}
		info.Paths = append(info.Paths, PathMapping{Container: path.Clean(m.Container), Host: h})
	}
	df := ba.dockerfile
	switch {
	case df == "":
		df = filepath.Join(info.Context, "Dockerfile")
	case df == "-":
		res.Warnings = append(res.Warnings, "Dockerfile read from stdin: no path mappings derived (use --map)")
		return info, nil
	case !filepath.IsAbs(df):
		df = filepath.Join(o.Dir, df)
	}
	f, err := os.Open(df)
	if err != nil {
		return info, err
	}
	maps, err := ParseDockerfile(f, DirStat(info.Context))
	f.Close()
	if err != nil {
		return info, fmt.Errorf("%s: %w", df, err)
	}
	info.Paths = append(info.Paths, maps...)
	return info, nil
}

// layer is covkit's layer as staged: directories and where they go in the
// image, and the interpreters that get coverage.py through pip.
type layer struct {
	dir        string // the staging directory
	df         bytes.Buffer
	targets    []layerTarget
	pip        []Interpreter
	stagedSite map[string]string // image site directory -> its staging directory
	sharedHow  string            // how the shared coverage.py copy was staged, if any
}

type layerTarget struct{ stage, dest string }

// stageLayer stages the hook (and coverage.py where an interpreter lacks
// it) for each interpreter, recording in pythons how each gets coverage.py.
func stageLayer(ctx context.Context, o BuildOptions, dir string, pythons []Interpreter, res *BuildResult) (*layer, error) {
	l := &layer{dir: dir, stagedSite: map[string]string{}}
	if err := l.stageShared(ctx, o, pythons); err != nil {
		return nil, err
	}
	for i, py := range pythons {
		// Interpreters may share a site directory (Debian's python3.X all
		// read /usr/lib/python3/dist-packages): stage it once.
		if prev, ok := l.stagedSite[py.Site]; ok {
			if py.Coverage == "" {
				how := l.sharedHow
				if how == "" {
					var err error
					if how, err = stageCoverage(ctx, o, prev); err != nil {
						return nil, fmt.Errorf("coverage.py for %s: %w", py.Path, err)
					}
				}
				pythons[i].Coverage = how
				if how == "" && o.CoveragePip != "" {
					l.pip = append(l.pip, py)
					pythons[i].Coverage = o.CoveragePip
				}
			}
			continue
		}
		if err := l.stageSite(ctx, o, i, pythons, res); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// stageShared stages one coverage.py for the interpreters that lack it,
// where a site directory of them all comes before each one's hook
// directory (Debian's /usr/lib/python3/dist-packages for its python3.X).
func (l *layer) stageShared(ctx context.Context, o BuildOptions, pythons []Interpreter) error {
	var lacking []Interpreter
	for _, py := range pythons {
		if py.Coverage == "" {
			lacking = append(lacking, py)
		}
	}
	if len(lacking) < 2 {
		return nil
	}
	shared := sharedSite(lacking)
	if shared == "" {
		return nil
	}
	how, err := stageCoverage(ctx, o, filepath.Join(l.dir, "shared"))
	if err != nil {
		return fmt.Errorf("coverage.py for %s: %w", shared, err)
	}
	if how != "" {
		l.sharedHow = how
		l.targets = append(l.targets, layerTarget{"shared", shared})
	}
	return nil
}

// stageSite stages interpreter i's site directory: the hook's files, and
// coverage.py if it lacks it.
func (l *layer) stageSite(ctx context.Context, o BuildOptions, i int, pythons []Interpreter, res *BuildResult) error {
	py := pythons[i]
	dir := filepath.Join(l.dir, "site"+strconv.Itoa(i))
	l.stagedSite[py.Site] = dir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := o.Hook.SiteFiles(py)
	if err != nil {
		return err
	}
	for _, name := range sortedKeys(files) {
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(name)), files[name], 0o644); err != nil {
			return err
		}
	}
	if py.Coverage == "" {
		how := l.sharedHow
		if how == "" {
			if how, err = stageCoverage(ctx, o, dir); err != nil {
				return fmt.Errorf("coverage.py for %s: %w", py.Path, err)
			}
		}
		switch {
		case how != "":
			pythons[i].Coverage = how
		case o.CoveragePip != "":
			l.pip = append(l.pip, py)
			pythons[i].Coverage = o.CoveragePip
		default:
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s (Python %s) cannot import coverage and no --coverage-* source was given: it will not be measured", py.Path, py.Version))
		}
	}
	l.targets = append(l.targets, layerTarget{"site" + strconv.Itoa(i), py.Site})
	return nil
}

// finish writes the layer's Dockerfile (its COPY, pip and LABEL steps) and
// the image file inside it, and returns the labels.
func (l *layer) finish(info ImageInfo, user, baseID, coveragePip string) (map[string]string, error) {
	fmt.Fprintf(&l.df, "FROM %s\n", baseID)
	for _, tg := range l.targets {
		fmt.Fprintf(&l.df, "COPY [%q, %q]\n", tg.stage+"/", strings.TrimSuffix(tg.dest, "/")+"/")
	}
	if len(l.pip) > 0 {
		fmt.Fprintf(&l.df, "USER 0\n")
		for _, py := range l.pip {
			fmt.Fprintf(&l.df, "RUN [%q, \"-m\", \"pip\", \"install\", \"--no-cache-dir\", \"--target\", %q, %q]\n", py.Path, py.Site, "coverage=="+coveragePip)
		}
		if user != "" {
			fmt.Fprintf(&l.df, "USER %s\n", user)
		} else {
			fmt.Fprintf(&l.df, "USER root\n")
		}
	}
	// The labels again, inside the image: a process on another host sends
	// them with its data (pth.RemoteFiles), having no view of its labels.
	if err := writeImageFile(l.stagedSite, info); err != nil {
		return nil, err
	}
	// One LABEL instruction: the legacy builder makes a step of each.
	labels := info.Labels()
	l.df.WriteString("LABEL")
	for _, k := range sortedKeys(labels) {
		fmt.Fprintf(&l.df, " \\\n  %s=%s", k, dockerfileQuote(labels[k]))
	}
	l.df.WriteString("\n")
	return labels, writeFile(filepath.Join(l.dir, "Dockerfile"), l.df.Bytes(), 0o644)
}

// makeImage makes the final image: by docker commit of a created (never
// started) container that got the files through `docker cp -` (seconds),
// or by docker build when pip must RUN (a builder step costs seconds each).
func makeImage(ctx context.Context, o BuildOptions, ba buildArgs, tmp string, l *layer, baseID string, labels map[string]string) (string, error) {
	if len(l.pip) == 0 && !o.UseBuilder {
		var pairs [][2]string
		for _, tg := range l.targets {
			pairs = append(pairs, [2]string{filepath.Join(l.dir, tg.stage), tg.dest})
		}
		id, err := commitLayer(ctx, o.Docker, baseID, pairs, labels, ba.tags)
		return strings.TrimSpace(id), err
	}
	fid := filepath.Join(tmp, "final.iid")
	args := []string{"build", "-q", "--iidfile", fid}
	for _, t := range ba.tags {
		args = append(args, "-t", t)
	}
	args = append(args, l.dir)
	if out, err := exec.CommandContext(ctx, o.Docker, args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("building covkit's layer: %w\n%s", err, out)
	}
	b, err := os.ReadFile(fid)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// writeIIDFile writes the final image's ID where the user's --iidfile asked.
func writeIIDFile(o BuildOptions, ba buildArgs, id string) error {
	if ba.iidfile == "" {
		return nil
	}
	p := ba.iidfile
	if !filepath.IsAbs(p) {
		p = filepath.Join(o.Dir, p)
	}
	return os.WriteFile(p, []byte(id), 0o644)
}

// verifyImage probes the final image: every interpreter given coverage.py
// must now import it and have the hook in its site directory.
func verifyImage(ctx context.Context, o BuildOptions, id string, pythons []Interpreter) error {
	after, _, err := probeImage(ctx, o, id, pthHookCheck(pythons, o.Hook))
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	byPath := map[string]Interpreter{}
	for _, py := range after {
		byPath[py.Path] = py
	}
	for _, py := range pythons {
		if py.Coverage == "" {
			continue
		}
		if a, ok := byPath[py.Path]; !ok || a.Coverage == "" {
			return fmt.Errorf("verify: %s in %s cannot import coverage after the layer", py.Path, shortID(id))
		} else if a.Missing != "" {
			return fmt.Errorf("verify: %s in %s: %s missing after the layer", py.Path, shortID(id), a.Missing)
		}
	}
	return nil
}

func imageSize(ctx context.Context, docker, id string) (int64, error) {
	out, err := exec.CommandContext(ctx, docker, "image", "inspect", "-f", "{{.Size}}", id).Output()
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
}

// probeImage runs the probe binary inside a throw-away container of image
// (as root, without network) and returns the interpreters and the image's
// configured user.
func probeImage(ctx context.Context, o BuildOptions, image string, check []string) ([]Interpreter, string, error) {
	bin := o.ProbeBinary
	if bin == "" {
		var err error
		if bin, err = os.Executable(); err != nil {
			return nil, "", err
		}
	}
	bin, _ = filepath.Abs(bin)
	pargs := o.ProbeArgs
	if pargs == nil {
		pargs = []string{"probe"}
	}
	out, err := exec.CommandContext(ctx, o.Docker, "image", "inspect", "-f", "{{json .Config}}", image).Output()
	if err != nil {
		return nil, "", fmt.Errorf("docker image inspect %s: %w", shortID(image), err)
	}
	var cfg struct {
		User string
		Env  []string
	}
	json.Unmarshal(out, &cfg)
	args := []string{"run", "--rm", "--network", "none", "--user", "0", "--entrypoint", "/.covkit-probe",
		"-v", bin + ":/.covkit-probe:ro"}
	if len(check) > 0 {
		args = append(args, "-e", EnvProbeCheck+"="+strings.Join(check, ":"))
	}
	args = append(args, image)
	args = append(args, pargs...)
	var stderr bytes.Buffer
	c := exec.CommandContext(ctx, o.Docker, args...)
	c.Stderr = &stderr
	out, err = c.Output()
	if err != nil {
		return nil, "", fmt.Errorf("probing %s for interpreters: %w\n%s", shortID(image), err, stderr.Bytes())
	}
	var pys []Interpreter
	if err := json.Unmarshal(out, &pys); err != nil {
		return nil, "", fmt.Errorf("probing %s: bad probe output: %w", shortID(image), err)
	}
	return pys, cfg.User, nil
}

// stageCoverage puts coverage.py from the configured local source into the
// staged site directory dir. It returns a description of what it staged,
// or "" when no local source was configured.
func stageCoverage(ctx context.Context, o BuildOptions, dir string) (string, error) {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(o.Dir, p)
	}
	switch {
	case o.CoverageWheel != "":
		return "wheel " + filepath.Base(o.CoverageWheel), stageWheel(abs(o.CoverageWheel), dir)
	case o.CoverageDir != "":
		return "dir " + o.CoverageDir, stageDir(abs(o.CoverageDir), dir)
	case o.CoverageDeb != "":
		return "deb " + filepath.Base(o.CoverageDeb), stageDeb(ctx, abs(o.CoverageDeb), dir)
	}
	return "", nil
}

func stageWheel(whl, dir string) error {
	zr, err := zip.OpenReader(whl)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		name := path.Clean(f.Name)
		if strings.HasSuffix(f.Name, "/") || strings.HasPrefix(name, "..") || strings.Contains(strings.SplitN(name, "/", 2)[0], ".data") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(name)), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// stageDir copies the coverage package (and its dist-info) from src: src is
// either the package directory itself or a site directory holding it.
func stageDir(src, dir string) error {
	if _, err := os.Stat(filepath.Join(src, "coverage", "__init__.py")); err == nil {
		ents, err := os.ReadDir(src)
		if err != nil {
			return err
		}
		for _, e := range ents {
			n := e.Name()
			if n == "coverage" || strings.HasPrefix(n, "coverage-") && (strings.HasSuffix(n, ".dist-info") || strings.HasSuffix(n, ".egg-info")) {
				if err := copyTree(filepath.Join(src, n), filepath.Join(dir, n)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if _, err := os.Stat(filepath.Join(src, "__init__.py")); err != nil {
		return fmt.Errorf("%s holds no coverage package", src)
	}
	return copyTree(src, filepath.Join(dir, "coverage"))
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(src, p)
		t := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(t, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return writeFile(t, b, 0o644)
	})
}

// stageDeb extracts the Python packages of a .deb (its dist-packages) with
// the host's dpkg-deb.
func stageDeb(ctx context.Context, deb, dir string) error {
	c := exec.CommandContext(ctx, "dpkg-deb", "--fsys-tarfile", deb)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) {
			return fmt.Errorf("dpkg-deb is needed on the host to unpack %s", deb)
		}
		return fmt.Errorf("dpkg-deb %s: %w: %s", deb, err, stderr.Bytes())
	}
	tr := tar.NewReader(bytes.NewReader(out))
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		_, rest, ok := strings.Cut(name, "/dist-packages/")
		if !ok || h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(rest)), b, 0o644); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s has no dist-packages files", deb)
	}
	return nil
}

func writeFile(p string, b []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, mode)
}

type buildArgs struct {
	context    string
	dockerfile string
	iidfile    string
	tags       []string
	rest       []string // everything but the context, -t and --iidfile
}

// buildValueFlags are docker build's flags that take a value.
var buildValueFlags = map[string]bool{
	"--add-host": true, "--allow": true, "--annotation": true, "--attest": true, "--build-arg": true,
	"--build-context": true, "--builder": true, "--cache-from": true, "--cache-to": true, "--call": true,
	"--cgroup-parent": true, "--cpu-period": true, "--cpu-quota": true, "-c": true, "--cpu-shares": true,
	"--cpuset-cpus": true, "--cpuset-mems": true, "-f": true, "--file": true, "--iidfile": true,
	"--isolation": true, "--label": true, "-m": true, "--memory": true, "--memory-swap": true,
	"--metadata-file": true, "--network": true, "-o": true, "--output": true, "--platform": true,
	"--progress": true, "--provenance": true, "--sbom": true, "--secret": true, "--security-opt": true,
	"--shm-size": true, "--ssh": true, "-t": true, "--tag": true, "--target": true, "--ulimit": true,
}

// ErrArgs marks a docker build command line covdocker cannot use: the
// command reports it as a usage error.
var ErrArgs = errors.New("docker build arguments")

func argsError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrArgs, fmt.Sprintf(format, args...))
}

func parseBuildArgs(args []string) (buildArgs, error) {
	var b buildArgs
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		if !hasVal && buildValueFlags[name] {
			if i+1 >= len(args) {
				return b, argsError("flag %s needs a value", name)
			}
			i++
			val = args[i]
		} else if !hasVal && len(name) > 2 && name[1] != '-' && buildValueFlags["-"+name[len(name)-1:]] {
			// -qt name: a cluster ending in a value flag
			if i+1 >= len(args) {
				return b, argsError("flag %s needs a value", name)
			}
			b.rest = append(b.rest, name[:len(name)-1])
			name = "-" + name[len(name)-1:]
			i++
			val = args[i]
		} else if !buildValueFlags[name] {
			b.rest = append(b.rest, a)
			continue
		}
		switch name {
		case "-t", "--tag":
			b.tags = append(b.tags, val)
			continue
		case "--iidfile":
			b.iidfile = val
			continue
		case "-f", "--file":
			b.dockerfile = val
		}
		b.rest = append(b.rest, name+"="+val)
	}
	if len(pos) != 1 {
		return b, argsError("docker build needs exactly one build context (PATH | URL | -), got %d", len(pos))
	}
	b.context = pos[0]
	return b, nil
}

// dockerfileQuote quotes s as a double-quoted Dockerfile word: no variable
// expansion, no line breaks.
func dockerfileQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// commitLayer adds the staged site directories to image as one layer: a
// tar of regular files only goes through `docker cp -` into a created
// container (so existing directories keep their owner and mode; missing
// parents are made root 0755), which is then committed with the labels.
func commitLayer(ctx context.Context, docker, image string, pairs [][2]string, labels map[string]string, tags []string) (string, error) {
	out, err := exec.CommandContext(ctx, docker, "create", "--network", "none", image).Output()
	if err != nil {
		return "", fmt.Errorf("docker create %s: %w", shortID(image), err)
	}
	ctr := strings.TrimSpace(string(out))
	defer exec.Command(docker, "rm", "-f", ctr).Run()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, pr := range pairs {
		dir, dest := pr[0], pr[1]
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := &tar.Header{Name: strings.TrimPrefix(path.Join(dest, filepath.ToSlash(rel)), "/"), Mode: 0o644, Size: int64(len(b)),
				Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0), Format: tar.FormatPAX}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			_, err = tw.Write(b)
			return err
		})
		if err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	c := exec.CommandContext(ctx, docker, "cp", "-", ctr+":/")
	c.Stdin = &buf
	if out, err := c.CombinedOutput(); err != nil {
		return "", fmt.Errorf("docker cp into %s: %w\n%s", shortID(ctr), err, out)
	}
	args := []string{"commit", "-m", "covkit: coverage.py hook layer"}
	for _, k := range sortedKeys(labels) {
		args = append(args, "--change", "LABEL "+k+"="+dockerfileQuote(labels[k]))
	}
	args = append(args, ctr)
	out, err = exec.CommandContext(ctx, docker, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("docker commit: %w\n%s", err, out)
	}
	id := strings.TrimSpace(string(out))
	for _, t := range tags {
		if out, err := exec.CommandContext(ctx, docker, "tag", id, t).CombinedOutput(); err != nil {
			return "", fmt.Errorf("docker tag %s: %w\n%s", t, err, out)
		}
	}
	return id, nil
}

// writeImageFile writes pth.RemoteImageFile into every staged site
// directory: the build context, path mappings and interpreters.
func writeImageFile(stagedSite map[string]string, info ImageInfo) error {
	b, err := json.Marshal(struct {
		Context string        `json:"context,omitempty"`
		Paths   []PathMapping `json:"paths,omitempty"`
		Pythons []Interpreter `json:"pythons,omitempty"`
	}{info.Context, info.Paths, info.Pythons})
	if err != nil {
		return err
	}
	for _, dir := range stagedSite {
		if err := writeFile(filepath.Join(dir, pth.RemoteImageFile), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// pthHookCheck lists the files (absolute, in the image) the hook put into
// each interpreter's site directory, for the verifying probe.
func pthHookCheck(pythons []Interpreter, h Hook) []string {
	var out []string
	for _, py := range pythons {
		files, err := h.SiteFiles(py)
		if err != nil {
			continue
		}
		for _, n := range sortedKeys(files) {
			out = append(out, path.Join(py.Site, n))
		}
	}
	return out
}

// sharedSite returns a site directory every one of pythons processes
// before (or as) its own hook directory, or "".
func sharedSite(pythons []Interpreter) string {
	for _, cand := range pythons[0].Sites {
		ok := true
		for _, py := range pythons {
			i, j := slices.Index(py.Sites, cand), slices.Index(py.Sites, py.Site)
			if i < 0 || j < 0 || i > j {
				ok = false
				break
			}
		}
		if ok {
			return cand
		}
	}
	return ""
}
