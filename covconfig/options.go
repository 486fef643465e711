package covconfig

// optionSpec is one row of coverage.py's CoverageConfig.CONFIG_FILE_OPTIONS.
type optionSpec struct {
	section, option string
	get             func(parser) (any, error)
	set             func(*Config, any)
	kind            string // "", "file", "boolean", "int", "float", "list", "regexlist"
}

func str(section, option string, dst func(*Config) *string) optionSpec {
	return optionSpec{section, option,
		func(p parser) (any, error) { return p.get(section, option) },
		func(c *Config, v any) { *dst(c) = v.(string) }, ""}
}

func file(section, option string, dst func(*Config) *string) optionSpec {
	return optionSpec{section, option,
		func(p parser) (any, error) { return p.getFile(section, option) },
		func(c *Config, v any) { *dst(c) = v.(string) }, "file"}
}

func boolean(section, option string, dst func(*Config) *bool) optionSpec {
	return optionSpec{section, option,
		func(p parser) (any, error) { return p.getBool(section, option) },
		func(c *Config, v any) { *dst(c) = v.(bool) }, "boolean"}
}

func optBoolean(section, option string, dst func(*Config) **bool) optionSpec {
	return optionSpec{section, option,
		func(p parser) (any, error) { return p.getBool(section, option) },
		func(c *Config, v any) { b := v.(bool); *dst(c) = &b }, "boolean"}
}

func integer(section, option string, dst func(*Config) *int) optionSpec {
	return optionSpec{section, option,
		func(p parser) (any, error) { return p.getInt(section, option) },
		func(c *Config, v any) { *dst(c) = v.(int) }, "int"}
}

func float(section, option string, dst func(*Config) *float64) optionSpec {
	return optionSpec{section, option,
		func(p parser) (any, error) { return p.getFloat(section, option) },
		func(c *Config, v any) { *dst(c) = v.(float64) }, "float"}
}

func list(section, option string, dst func(*Config) *[]string) optionSpec {
	return optionSpec{section, option,
		func(p parser) (any, error) { return p.getList(section, option) },
		func(c *Config, v any) { *dst(c) = v.([]string) }, "list"}
}

func regexList(section, option string, dst func(*Config) *[]string) optionSpec {
	return optionSpec{section, option,
		func(p parser) (any, error) { return p.getRegexList(section, option) },
		func(c *Config, v any) { *dst(c) = v.([]string) }, "regexlist"}
}

func ignored(section, option string) optionSpec {
	return optionSpec{section, option,
		func(p parser) (any, error) { return p.get(section, option) },
		func(*Config, any) {}, ""}
}

// optionSpecs lists every option coverage.py 7.16 reads, in its order (the
// order matters: the first bad value is the one reported).
var optionSpecs = []optionSpec{
	boolean("run", "branch", func(c *Config) *bool { return &c.Run.Branch }),
	str("run", "command_line", func(c *Config) *string { return &c.Run.CommandLine }),
	list("run", "concurrency", func(c *Config) *[]string { return &c.Run.Concurrency }),
	str("run", "context", func(c *Config) *string { return &c.Run.Context }),
	str("run", "core", func(c *Config) *string { return &c.Run.Core }),
	boolean("run", "cover_pylib", func(c *Config) *bool { return &c.Run.CoverPylib }),
	file("run", "data_file", func(c *Config) *string { return &c.Run.DataFile }),
	list("run", "debug", func(c *Config) *[]string { return &c.Run.Debug }),
	file("run", "debug_file", func(c *Config) *string { return &c.Run.DebugFile }),
	list("run", "disable_warnings", func(c *Config) *[]string { return &c.Run.DisableWarnings }),
	str("run", "dynamic_context", func(c *Config) *string { return &c.Run.DynamicContext }),
	boolean("run", "parallel", func(c *Config) *bool { return &c.Run.Parallel }),
	list("run", "patch", func(c *Config) *[]string { return &c.Run.Patch }),
	list("run", "plugins", func(c *Config) *[]string { return &c.Run.Plugins }),
	boolean("run", "relative_files", func(c *Config) *bool { return &c.Run.RelativeFiles }),
	list("run", "include", func(c *Config) *[]string { return &c.Run.Include }),
	list("run", "omit", func(c *Config) *[]string { return &c.Run.Omit }),
	boolean("run", "sigterm", func(c *Config) *bool { return &c.Run.Sigterm }),
	list("run", "source", func(c *Config) *[]string { return &c.Run.Source }),
	list("run", "source_pkgs", func(c *Config) *[]string { return &c.Run.SourcePkgs }),
	list("run", "source_dirs", func(c *Config) *[]string { return &c.Run.SourceDirs }),
	boolean("run", "timid", func(c *Config) *bool { return &c.Run.Timid }),
	ignored("run", "_crash"),

	regexList("report", "exclude_lines", func(c *Config) *[]string { return &c.Report.ExcludeLines }),
	regexList("report", "exclude_also", func(c *Config) *[]string { return &c.Report.ExcludeAlso }),
	float("report", "fail_under", func(c *Config) *float64 { return &c.Report.FailUnder }),
	str("report", "format", func(c *Config) *string { return &c.Report.Format }),
	boolean("report", "ignore_errors", func(c *Config) *bool { return &c.Report.IgnoreErrors }),
	boolean("report", "include_namespace_packages", func(c *Config) *bool { return &c.Report.IncludeNamespacePackages }),
	regexList("report", "partial_branches_always", func(c *Config) *[]string { return &c.Report.PartialBranchesAlways }),
	regexList("report", "partial_branches", func(c *Config) *[]string { return &c.Report.PartialBranches }),
	regexList("report", "partial_also", func(c *Config) *[]string { return &c.Report.PartialAlso }),
	integer("report", "precision", func(c *Config) *int { return &c.Report.Precision }),
	list("report", "contexts", func(c *Config) *[]string { return &c.Report.Contexts }),
	list("report", "include", func(c *Config) *[]string { return &c.Report.Include }),
	list("report", "omit", func(c *Config) *[]string { return &c.Report.Omit }),
	boolean("report", "show_missing", func(c *Config) *bool { return &c.Report.ShowMissing }),
	boolean("report", "skip_covered", func(c *Config) *bool { return &c.Report.SkipCovered }),
	boolean("report", "skip_empty", func(c *Config) *bool { return &c.Report.SkipEmpty }),
	str("report", "sort", func(c *Config) *string { return &c.Report.Sort }),

	str("html", "extra_css", func(c *Config) *string { return &c.HTML.ExtraCSS }),
	file("html", "directory", func(c *Config) *string { return &c.HTML.Directory }),
	optBoolean("html", "skip_covered", func(c *Config) **bool { return &c.HTML.SkipCovered }),
	optBoolean("html", "skip_empty", func(c *Config) **bool { return &c.HTML.SkipEmpty }),
	str("html", "title", func(c *Config) *string { return &c.HTML.Title }),
	boolean("html", "show_contexts", func(c *Config) *bool { return &c.HTML.ShowContexts }),

	file("xml", "output", func(c *Config) *string { return &c.XML.Output }),
	integer("xml", "package_depth", func(c *Config) *int { return &c.XML.PackageDepth }),

	file("json", "output", func(c *Config) *string { return &c.JSON.Output }),
	boolean("json", "pretty_print", func(c *Config) *bool { return &c.JSON.PrettyPrint }),
	boolean("json", "show_contexts", func(c *Config) *bool { return &c.JSON.ShowContexts }),

	file("lcov", "output", func(c *Config) *string { return &c.LCOV.Output }),
	boolean("lcov", "line_checksums", func(c *Config) *bool { return &c.LCOV.LineChecksums }),
}

var knownOptions = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range optionSpecs {
		m[s.section+":"+s.option] = true
	}
	return m
}()
