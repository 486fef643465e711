package lifecycle

import (
	"fmt"
	"slices"
	"strings"

	"github.com/covkit/covkit/covconfig"
	"github.com/covkit/covkit/filesel"
	"github.com/covkit/covkit/pth"
)

// engineChoice is what measures a run's processes, and why coverage.py
// measures where the lean engine does not.
type engineChoice struct {
	engine pth.Engine
	// why lists the run's reasons for coverage.py, empty when the lean
	// engine may measure every process its interpreter allows.
	why []string
}

// ParseEngine checks a --engine value.
func ParseEngine(s string) (pth.Engine, error) {
	switch e := pth.Engine(s); e {
	case "", pth.EngineAuto:
		return pth.EngineAuto, nil
	case pth.EngineLean, pth.EngineCoverage:
		return e, nil
	}
	return "", fmt.Errorf("--engine: unknown engine %q (want auto, lean or coverage)", s)
}

// chooseEngine decides the run's engine from what was asked and what the
// configuration needs. The lean engine gives exactly coverage.py's line
// data; it has no branch coverage, plug-ins, dynamic contexts or
// greenlet-style concurrency. Asking for it where it cannot serve is an
// error, never a silent change of engine.
func chooseEngine(want pth.Engine, c *covconfig.Config, branch bool) (engineChoice, error) {
	if want == pth.EngineCoverage {
		return engineChoice{engine: pth.EngineCoverage, why: []string{"--engine coverage"}}, nil
	}
	why := leanBlockers(c, branch)
	if len(why) == 0 {
		return engineChoice{engine: want}, nil
	}
	if want == pth.EngineLean {
		return engineChoice{}, fmt.Errorf("--engine lean cannot measure this run exactly: %s (use --engine auto or coverage)", strings.Join(why, "; "))
	}
	return engineChoice{engine: pth.EngineCoverage, why: why}, nil
}

func leanBlockers(c *covconfig.Config, branch bool) []string {
	var why []string
	if branch || c.Run.Branch {
		why = append(why, "branch coverage")
	}
	if len(c.Run.Plugins) > 0 {
		why = append(why, "[run] plugins")
	}
	if c.Run.DynamicContext != "" {
		why = append(why, "[run] dynamic_context")
	}
	for _, k := range []string{"gevent", "eventlet", "greenlet"} {
		if slices.Contains(c.Run.Concurrency, k) {
			why = append(why, "[run] concurrency = "+k)
		}
	}
	if len(c.Run.Debug) > 0 {
		why = append(why, "[run] debug")
	}
	return why
}

// interpreterEngines says, per probed interpreter, what measures it: the
// lines covrun -v prints and the run's log keeps.
func interpreterEngines(ch engineChoice, infos []*pth.Info) []string {
	var out []string
	for _, in := range infos {
		var what string
		how, whyNot := pth.LeanFor(in, infos)
		switch {
		case ch.engine == pth.EngineCoverage:
			what = "coverage.py (" + strings.Join(ch.why, "; ") + ")"
		case whyNot == "":
			what = how
		default:
			what = "coverage.py (" + whyNot + ")"
		}
		out = append(out, fmt.Sprintf("%s (Python %s): %s", in.Python, in.Version, what))
	}
	return out
}

// CheckLeanInterpreters fails a --engine lean run whose interpreters
// include one the lean engine cannot measure.
func CheckLeanInterpreters(e pth.Engine, infos []*pth.Info) error {
	if e != pth.EngineLean {
		return nil
	}
	for _, in := range infos {
		if _, whyNot := pth.LeanFor(in, infos); whyNot != "" {
			return fmt.Errorf("--engine lean: %s is Python %s: %s (use --engine auto)", in.Python, in.Version, whyNot)
		}
	}
	return nil
}

// Setup is what a run needs to know before it starts, from the project's
// configuration: its engine and the files its processes measure.
type Setup struct {
	Config *covconfig.Config
	Select *filesel.Selector
	Engine pth.Engine
	// Why lists the run's reasons for coverage.py (empty: lean wherever
	// the interpreter allows).
	Why  []string
	Lean pth.LeanOptions
}

// NewSetup reads the configuration of the project in dir (rcfile as
// --rcfile) and decides the engine for want (auto, lean or coverage) and a
// run that measures branches if branch is set.
func NewSetup(dir, rcfile string, getenv func(string) string, want pth.Engine, branch bool) (*Setup, error) {
	c, err := covconfig.Load(covconfig.LoadOptions{Dir: dir, RCFile: rcfile, Getenv: getenv})
	if err != nil {
		return nil, err
	}
	sel, err := selection(c, dir)
	if err != nil {
		return nil, err
	}
	if want == "" {
		want = pth.EngineAuto
	}
	ch, err := chooseEngine(want, c, branch)
	if err != nil {
		return nil, err
	}
	return &Setup{Config: c, Select: sel, Engine: ch.engine, Why: ch.why, Lean: leanOptions(sel, c)}, nil
}

// selection is the run's file selection, from its configuration.
func selection(c *covconfig.Config, dir string) (*filesel.Selector, error) {
	return filesel.New(filesel.Config{
		Source: c.Run.Source, SourcePkgs: c.Run.SourcePkgs, SourceDirs: c.Run.SourceDirs,
		Include: c.Run.Include, Omit: c.Run.Omit, CoverPylib: c.Run.CoverPylib,
	}, dir)
}

func leanOptions(sel *filesel.Selector, c *covconfig.Config) pth.LeanOptions {
	l := pth.LeanOptions{Mode: string(sel.Mode()), CoverPylib: c.Run.CoverPylib, Sigterm: c.Run.Sigterm, OmitDirs: sel.OmitDirs()}
	if sel.Mode() == filesel.ModeSource {
		l.SourceDirs, l.SourcePkgs = sel.SourceDirs, sel.SourcePkgs
	}
	return l
}
