package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft/figures"
	"github.com/gowiseft/wiseft/wiseft/results"
)

func runPlot(args []string) error {
	fs := newFlags("plot", "--results-db FILE --save DIR [--id DATASET] [--shifts D1,D2,...]")
	db := fs.String("results-db", "", "results log written by `wiseft run --results-db`")
	save := fs.String("save", "", "folder for the figures (SVG and PNG)")
	id := fs.String("id", "", "in-distribution dataset (default: the first of the records' eval_datasets)")
	shiftList := fs.String("shifts", "", "shift datasets (default: the records' other eval_datasets)")
	groupBy := fs.String("group-by", strings.Join(figures.DefaultGroupKeys, ","), "record fields that tell curves apart (e.g. method: one curve per fine-tuning method)")
	overwrite := fs.Bool(overwriteFlag, false, "write the figures into --save when it already holds files ("+overwriteHelp+")")
	rest, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %s", quoteValue(rest[0]))
	}
	if *db == "" || *save == "" {
		return usagef("--results-db and --save are required")
	}
	keys := splitList(*groupBy)
	if len(keys) == 0 {
		return usagef("--group-by is empty")
	}
	for i, k := range keys {
		switch {
		case slices.Contains(keys[:i], k):
			return usagef("--group-by lists %s twice", quoteValue(k))
		case k == results.AlphaKey:
			return usagef("--group-by %s: α is what each curve runs along, not what tells curves apart", k)
		case strings.Contains(k, ":"):
			return usagef("--group-by %s: a metric (<dataset>:<metric>) differs at every α, so it cannot tell curves "+
				"apart", quoteValue(k))
		}
	}
	explicitKeys := false
	fs.Visit(func(fl *flag.Flag) { explicitKeys = explicitKeys || fl.Name == "group-by" })
	if err := checkOutputs([]ioPath{{flag: "save", path: *save, kind: outFilesDir}},
		[]ioPath{{flag: "results-db", path: *db}}, *overwrite); err != nil {
		return err
	}
	recs, warnings, err := results.Read(*db)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "wiseft plot: warning: %s line %d skipped: %v\n", *db, w.Line, w.Err)
	}
	if len(recs) == 0 {
		return fmt.Errorf("%s holds no results", *db)
	}
	idName, shifts := *id, splitList(*shiftList)
	if idName == "" || len(shifts) == 0 {
		evals := recordList(recs[len(recs)-1], "eval_datasets")
		if len(evals) == 0 {
			return usagef("the records do not list eval_datasets; give --id and --shifts")
		}
		if idName == "" {
			idName = evals[0]
		}
		if len(shifts) == 0 {
			shifts = slices.DeleteFunc(slices.Clone(evals), func(s string) bool { return s == idName })
		}
	}
	if len(shifts) == 0 {
		return usagef("no shift datasets to plot against %s", idName)
	}
	if explicitKeys {
		for _, k := range keys {
			if k == results.MethodKey { // a record without one ran end-to-end fine-tuning
				continue
			}
			if !slices.ContainsFunc(recs, func(r results.Record) bool { _, ok := r[k]; return ok }) {
				return usagef("--group-by %s: no record of %s has that field", quoteValue(k), *db)
			}
		}
	}
	curves, err := results.Curves(recs, keys...)
	if err != nil {
		return fmt.Errorf("plot: %s: %w", *db, err)
	}
	paths, err := savePlots(curves, idName, shifts, *save)
	if err != nil {
		return err
	}
	if *overwrite {
		if err := removeStaleFigures(*save, paths); err != nil {
			return err
		}
	}
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	return nil
}

// recordList reads a list-of-strings field of a record (JSON arrays read back as []any).
func recordList(r results.Record, key string) []string {
	var out []string
	switch v := r[key].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = v
	case string:
		out = splitList(v)
	}
	return out
}

// removeStaleFigures removes, from a --save folder just written with --overwrite, the figures of an earlier plot
// that this one did not write again (e.g. alpha-<run>.svg of another grouping beside the new alpha.svg): files
// named as the plot command names its figures, <dataset>, average, alpha or alpha-<run>, with .svg or .png.
// Every other file is left alone.
func removeStaleFigures(dir string, written []string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	kept := map[string]bool{}
	for _, w := range written {
		kept[filepath.Base(w)] = true
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		ext := filepath.Ext(name)
		if !e.Type().IsRegular() || (ext != ".svg" && ext != ".png") || kept[name] {
			continue
		}
		base := strings.TrimSuffix(name, ext)
		ours := base == "alpha" || strings.HasPrefix(base, "alpha-") || base == figures.AverageName ||
			slices.ContainsFunc(datasets.Names(), func(d string) bool { return figures.FileName(d) == base })
		if !ours {
			continue
		}
		if err := os.Remove(path); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wiseft plot: removed %s, a figure of an earlier plot\n", path)
	}
	return nil
}
