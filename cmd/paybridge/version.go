package main

import (
	"runtime/debug"
	"strings"
)

// versionLine is what "paybridge version" prints: the version (Version, or
// the module's version from the build information: "(devel)" for a build
// from a work tree, a tag for "go install …@v1.2.3"), the commit, and
// whether the work tree had changes, so that a bug report names the code.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	return formatVersion(Version, bi, ok)
}

// moduleVersion is the version alone, for the CLI's User-Agent.
func moduleVersion() string {
	bi, ok := debug.ReadBuildInfo()
	return versionOf(Version, bi, ok)
}

func versionOf(version string, bi *debug.BuildInfo, ok bool) string {
	if version == "" && ok {
		version = bi.Main.Version
	}
	if version == "" {
		version = "(devel)"
	}
	return version
}

func formatVersion(version string, bi *debug.BuildInfo, ok bool) string {
	parts := []string{"paybridge", versionOf(version, bi, ok)}
	if !ok {
		return strings.Join(parts, " ")
	}
	var commit, modified, goVersion string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	goVersion = bi.GoVersion
	switch {
	case commit == "":
		parts = append(parts, "commit unknown")
	case modified == "true":
		parts = append(parts, "commit "+commit+" (with uncommitted changes)")
	default:
		parts = append(parts, "commit "+commit)
	}
	if goVersion != "" {
		parts = append(parts, goVersion)
	}
	return strings.Join(parts, " ")
}
