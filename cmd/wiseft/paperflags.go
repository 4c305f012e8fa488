package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The paper's src/args.py spells most flags with hyphens (--train-dataset) and a few with underscores
// (--warmup_length, --fisher_floor, --exp_name), and takes --alpha as space-separated numbers (nargs='*'). `wiseft
// run` accepts the paper's command lines unchanged: every flag in either spelling, --alpha as the paper writes it
// or comma-separated, and paths starting with "~/" (which the shell leaves alone in --data-location=~/data).

// paperSpelling rewrites the flag names of args to the spelling fs defines, swapping '_' and '-' when the name as
// written is not defined, and gathers the space-separated values of a list-valued flag named in lists ("--alpha
// 0 0.1 0.2" becomes "--alpha=0,0.1,0.2": after the first value, the arguments that read as numbers). It stops
// at "--".
func paperSpelling(fs *flag.FlagSet, args []string, lists ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if !strings.HasPrefix(a, "-") || len(a) < 2 || isNumber(a) {
			out = append(out, a)
			continue
		}
		dashes := "-"
		if strings.HasPrefix(a, "--") {
			dashes = "--"
		}
		name, value, hasValue := strings.Cut(a[len(dashes):], "=")
		if fs.Lookup(name) == nil {
			for _, alt := range []string{strings.ReplaceAll(name, "_", "-"), strings.ReplaceAll(name, "-", "_")} {
				if fs.Lookup(alt) != nil {
					name = alt
					break
				}
			}
		}
		if !hasValue && isList(name, lists) && i+1 < len(args) {
			vals := []string{args[i+1]}
			i++
			for i+1 < len(args) && isNumber(args[i+1]) {
				vals = append(vals, args[i+1])
				i++
			}
			out = append(out, dashes+name+"="+strings.Join(vals, ","))
			continue
		}
		if hasValue {
			out = append(out, dashes+name+"="+value)
		} else {
			out = append(out, dashes+name)
		}
	}
	return out
}

func isList(name string, lists []string) bool {
	for _, l := range lists {
		if l == name {
			return true
		}
	}
	return false
}

// isNumber reports whether s reads as a number (a negative α is a value, not a flag).
func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimSuffix(s, ","), 64)
	return err == nil
}

// expandHome replaces a leading "~/" (or a lone "~") in each path of a comma-separated list with the home folder,
// as the paper's os.path.expanduser does for its default data location.
func expandHome(list string) string {
	if !strings.Contains(list, "~") {
		return list
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return list
	}
	parts := strings.Split(list, ",")
	for i, p := range parts {
		t := strings.TrimSpace(p)
		if t == "~" {
			parts[i] = home
		} else if rest, ok := strings.CutPrefix(t, "~/"); ok {
			parts[i] = filepath.Join(home, rest)
		}
	}
	return strings.Join(parts, ",")
}

// expandPaths applies expandHome to every path flag of a run.
func expandPaths(f *runFlags) {
	for _, p := range []*string{&f.dataLocation, &f.save, &f.resultsDB, &f.load, &f.cacheDir, &f.model, &f.plots,
		&f.classNames, &f.fisher, &f.modelsDir, &f.resume} {
		*p = expandHome(*p)
	}
}

// printFlags writes the usage of fs's flags, one entry per flag with its other spelling ("--warmup_length (also
// --warmup-length)"), as the paper's --help lists them.
func printFlags(w io.Writer, fs *flag.FlagSet, synopsis string) {
	fmt.Fprintf(w, "usage: wiseft %s %s\n\nflags (each also in the other spelling, '-' for '_' and back):\n", fs.Name(), synopsis)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	for _, n := range names {
		f := fs.Lookup(n)
		kind, usage := flag.UnquoteUsage(f)
		line := "  --" + n
		if kind != "" {
			line += " " + kind
		}
		if alt := strings.NewReplacer("_", "-", "-", "_").Replace(n); alt != n {
			line += "  (also --" + alt + ")"
		}
		fmt.Fprintln(w, line)
		fmt.Fprintf(w, "    \t%s", strings.ReplaceAll(usage, "\n", "\n    \t"))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	}
}
