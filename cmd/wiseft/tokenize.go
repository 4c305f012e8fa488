package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
	"github.com/gowiseft/wiseft/internal/fileio"
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
	dir := *model
	if fi, err := fileio.Stat(dir); err != nil {
		return fmt.Errorf("--model: %w", err)
	} else if fi.Mode().IsRegular() {
		dir = filepath.Dir(dir) // a .safetensors file: its tokenizer lies beside it, as clipmodel.Load reads it
	} else if err := fileio.CheckDir(dir); err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, t := range texts {
		if err := enc.Encode(tok.Encode(t)); err != nil {
			return fmt.Errorf("writing ids: %w", err)
		}
	}
	return nil
}
