// Command realsize prepares and checks the real-size run of scripts/real-size.sh: a randomly initialised CLIP in
// the Hugging Face layout with the real CLIP tokenizer, ImageNet-layout folders of generated photo-sized JPEGs,
// a check that a run's results log and figures are there and parse, and the report of scripts/gpu-check.sh.
//
//	go run ./internal/cmd/realsize model --arch ViT-B/32 --out DIR
//	go run ./internal/cmd/realsize images --out DIR --classes 4 --train 4 --val 4
//	go run ./internal/cmd/realsize check --results FILE --alphas 0,0.5,1 --datasets A,B --plots DIR
//	go run ./internal/cmd/realsize report --dir OUT       # scripts/gpu-check.sh's report.json and report.txt
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: realsize model|images|check|report [flags]")
		os.Exit(2)
	}
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "model":
		err = runModel(args)
	case "images":
		err = runImages(args)
	case "check":
		err = runCheck(args)
	case "report":
		err = runReport(args)
	default:
		err = fmt.Errorf("unknown command %q (model, images, check, report)", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "realsize: "+strings.TrimSpace(err.Error()))
		os.Exit(1)
	}
}

// parse parses a subcommand's flags; stray arguments are an error.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(os.Stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}
