// Command wiseft is the command line of the wiseft project: CLIP in Go (embed, tokenize) and robust fine-tuning by
// weight-space ensembling (run, merge, plot).
//
//	wiseft embed --model DIR --images a.jpg b.png --text "a dog" "a cat"
//	wiseft tokenize --model DIR "a photo of a cat."
//
// Every error is one line on standard error and a non-zero exit status.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
)

// command is one subcommand: its one-line summary and its entry point.
type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{
	"bench":    {"speed of the ViT-B/32 forward, the small model's training step and the backend's matrix product", runBench},
	"embed":    {"image and text embeddings (and image-text logits) of a CLIP model", runEmbed},
	"run":      {"zero-shot, fine-tune, sweep α, evaluate, write results and plots (the paper's wise_ft.py)", runRun},
	"plot":     {"the paper's figures from a results log", runPlot},
	"merge":    {"interpolate, task vectors, uniform and greedy soups of classifier folders", runMerge},
	"pretrain": {"pretrain the shipped world's small CLIP contrastively from a seed", runPretrain},
	"tokenize": {"token ids of texts with a model's tokenizer, one JSON array per line", runTokenize},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: wiseft COMMAND [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'wiseft COMMAND -h' for a command's flags.")
}

func main() {
	clipmodel.InstallFastGradients() // every command that trains wants them; see clipmodel's package documentation
	os.Exit(mainWithCode(os.Args[1:]))
}

// mainWithCode runs a command and maps its outcome to an exit status: 0 on success, 2 for usage errors, 1 for
// anything else. A panic (a bug) is reported as one line too, never as a stack trace.
func mainWithCode(args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "wiseft: internal error: %v\n", r)
			code = 3
		}
	}()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "wiseft: unknown command %q\n", args[0])
		usage()
		return 2
	}
	if err := cmd.run(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ee *exitError
		if errors.As(err, &ee) {
			fmt.Fprintf(os.Stderr, "wiseft %s: %s\n", args[0], oneLine(err.Error()))
			return ee.ExitCode()
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(os.Stderr, "wiseft %s: %v\n", args[0], err)
			return 2
		}
		fmt.Fprintf(os.Stderr, "wiseft %s: %s\n", args[0], oneLine(err.Error()))
		return 1
	}
	return 0
}

// usageError marks errors in the command line itself (exit status 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// newFlags makes a flag set that reports errors instead of exiting, so main keeps control of the exit status.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: wiseft %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args after gathering the values of the multi-valued flags: "--images a b --text c" gives
// images=[a b] and text=[c]. Remaining positional arguments are returned.
func parseFlags(fs *flag.FlagSet, args []string, multi map[string]*[]string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		value, hasValue := "", false
		if eq := strings.IndexByte(name, '='); eq >= 0 {
			name, value, hasValue = name[:eq], name[eq+1:], true
		}
		dst, ok := multi[name]
		if !ok || !strings.HasPrefix(a, "-") {
			rest = append(rest, a)
			continue
		}
		if hasValue {
			*dst = append(*dst, value)
		}
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
			i++
			*dst = append(*dst, args[i])
		}
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usageError{err.Error()}
	}
	return fs.Args(), nil
}
