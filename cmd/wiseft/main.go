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
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"syscall"
	"unicode/utf8"

	"github.com/gomlx/gomlx/backends"

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

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wiseft COMMAND [flags]\n\ncommands:")
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'wiseft COMMAND -h' for a command's flags.")
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
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
	if len(args) == 0 {
		usage(os.Stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return stdoutStatus("")
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "wiseft: unknown command %s; the commands are %s (see wiseft --help)\n",
			quoteValue(args[0]), strings.Join(commandNames(), ", "))
		return 2
	}
	if config := os.Getenv(backends.ConfigEnvVar); config != "" && args[0] != "tokenize" && args[0] != "plot" {
		// Before any work: a backend that cannot be used would otherwise fail at the first compiled program.
		if err := clipmodel.CheckBackendConfig(config); err != nil {
			fmt.Fprintf(os.Stderr, "wiseft %s: %s\n", args[0], limitLine(oneLine(err.Error())))
			return 2
		}
	}
	if path := os.Getenv(CPUProfileEnv); path != "" {
		stop, err := startCPUProfile(args[0], path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "wiseft %s: %s: %s\n", args[0], CPUProfileEnv, limitLine(oneLine(err.Error())))
			return 2
		}
		defer stop()
	}
	if err := cmd.run(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return stdoutStatus(args[0])
		}
		fmt.Fprintf(os.Stderr, "wiseft %s: %s\n", args[0], limitLine(oneLine(err.Error())))
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return stdoutStatus(args[0])
}

// stdoutStatus is the exit status of a command whose work succeeded: 1, with one line, when its standard output
// could not be written (a full disk, >/dev/full, a closed descriptor), since what it printed is lost.
func stdoutStatus(command string) int {
	if stdout.err == nil {
		return 0
	}
	name := "wiseft"
	if command != "" {
		name += " " + command
	}
	fmt.Fprintf(os.Stderr, "%s: writing standard output: %s\n", name, limitLine(oneLine(stdout.err.Error())))
	return 1
}

// stdout is where the commands print their results: standard output, with the first write error kept so that
// the exit status reports it (fmt's printing functions drop it).
var stdout = &checkedWriter{w: os.Stdout}

// checkedWriter records the first error of its writer; later writes fail at once with it.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// maxLine bounds an error line: a message that quotes a huge value (a token, a path, a flag) keeps its start and
// end, with how much was cut, rather than filling the terminal.
const maxLine = 1000

func limitLine(s string) string {
	if len(s) <= maxLine {
		return s
	}
	head, tail := cutValid(s, 700, true), cutValid(s, 200, false)
	return fmt.Sprintf("%s … (%d bytes cut) … %s", head, len(s)-len(head)-len(tail), tail)
}

// cutValid returns about n bytes from the start (or the end) of s without splitting a UTF-8 character.
func cutValid(s string, n int, fromStart bool) string {
	if fromStart {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n]
	}
	k := len(s) - n
	for k < len(s) && !utf8.RuneStart(s[k]) {
		k++
	}
	return s[k:]
}

// quoteValue quotes a value the user gave for an error message, cut to 60 bytes with its length when longer: a
// 1 MB class name or a 5 MB token is named, not echoed.
func quoteValue(s string) string {
	const max = 60
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d bytes)", cutValid(s, max, true), len(s))
}

// usageError marks errors in the command line itself (exit status 2).
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

// newFlags makes a flag set that reports errors instead of exiting, so main keeps control of the exit status. The
// flag package's own printing is silenced: an error is one line (see parseFlags), and -h prints the usage on
// standard output.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	synopses[fs] = synopsis
	return fs
}

// synopses holds each flag set's synopsis for its help text.
var synopses = map[*flag.FlagSet]string{}

// helpPrinters holds the help text of the flag sets that print their own (run lists both spellings of a flag).
var helpPrinters = map[*flag.FlagSet]func(io.Writer){}

// printHelp writes a command's usage and flags to standard output.
func printHelp(fs *flag.FlagSet) {
	if h := helpPrinters[fs]; h != nil {
		h(stdout)
		return
	}
	fmt.Fprintf(stdout, "usage: wiseft %s %s\n\nflags:\n", fs.Name(), synopses[fs])
	fs.SetOutput(stdout)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
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
	// The flag package stops at the first positional argument; flags may come after them too ("merge --out X A
	// B --overwrite"), so parsing resumes after each one. Everything after "--" is positional.
	var positional []string
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printHelp(fs)
				return nil, err
			}
			return nil, usagef("%s; see wiseft %s --help", err, fs.Name())
		}
		consumed := len(rest) - fs.NArg()
		if fs.NArg() == 0 || (consumed > 0 && rest[consumed-1] == "--") {
			return append(positional, fs.Args()...), nil
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
}

// CPUProfileEnv names a file to which a command writes its CPU profile (for go tool pprof). The file must not exist:
// a profile never replaces a file.
const CPUProfileEnv = "WISEFT_CPUPROFILE"

// startCPUProfile starts the CPU profile of command into path (a new file). The profile is written out however
// the command ends: on return, on a second signal during training (which ends the process at once), and on a
// SIGINT or SIGTERM to a command that does not stop gracefully on its own, which would otherwise kill the process
// before the profile is written and leave the file empty.
func startCPUProfile(command, path string) (stop func(), err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		_ = os.Remove(path)
		return nil, err
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				fmt.Fprintf(os.Stderr, "wiseft: %s: %v\n", CPUProfileEnv, err)
			}
		})
	}
	atExit(stop)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		for sig := range sigs {
			if watching.Load() > 0 {
				continue // a training step under way: its watch stops it gracefully
			}
			fmt.Fprintf(os.Stderr, "wiseft %s: %s: quitting; the CPU profile so far is in %s\n", command, signalName(sig), path)
			runBeforeExit()
			os.Exit(signalExitCode(sig))
		}
	}()
	return stop, nil
}
