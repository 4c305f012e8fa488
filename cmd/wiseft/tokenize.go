package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
)

func runTokenize(args []string) error {
	fs := newFlags("tokenize", "--model DIR TEXT...")
	model := fs.String("model", "", "model folder holding vocab.json and merges.txt")
	texts, err := parseFlags(fs, args, nil)
	if err != nil {
		return err
	}
	if *model == "" {
		return usagef("--model is required")
	}
	if len(texts) == 0 {
		return usagef("give at least one TEXT to tokenize")
	}
	tok, err := tokenizer.Load(*model)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	for _, t := range texts {
		if err := enc.Encode(tok.Encode(t)); err != nil {
			return fmt.Errorf("writing ids: %w", err)
		}
	}
	return nil
}
