// Command realsize prepares and checks the real-size run of scripts/real-size.sh: a randomly initialised CLIP in
// the Hugging Face layout with the real CLIP tokenizer, ImageNet-layout folders of generated photo-sized JPEGs,
// and a check that a run's results log and figures are there and parse.
//
//	go run ./internal/cmd/realsize model --arch ViT-B/32 --out DIR
//	go run ./internal/cmd/realsize images --out DIR --classes 4 --train 4 --val 4
//	go run ./internal/cmd/realsize check --results FILE --alphas 3 --datasets A,B --plots DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: realsize model|images|check [flags]")
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
	default:
		err = fmt.Errorf("unknown command %q (model, images, check)", cmd)
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
