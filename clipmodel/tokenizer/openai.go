package tokenizer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"strings"
)

// openAIMerges is how many merges of OpenAI's list CLIP uses: its vocabulary
// of 49,408 is 256 byte symbols, the same with the end-of-word suffix, one
// token per merge, and the start and end tokens.
const openAIMerges = 49408 - 2*256 - 2

// LoadOpenAIBPE builds the tokenizer of OpenAI's clip package from its merge
// list, bpe_simple_vocab_16e6.txt.gz (gzip-compressed or plain): a header
// line, then one "left right" merge per line, of which CLIP uses the first
// 48,894. The vocabulary is formed as that package forms it: the byte
// alphabet in its canonical order, the same symbols with "</w>", the result
// of each merge in rank order, then StartToken and EndToken, 49,408 tokens
// with the ids of Hugging Face's vocab.json for CLIP. Save writes it in that
// layout. Errors name the file.
func LoadOpenAIBPE(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: reading merges: %w", err)
	}
	var r io.Reader = bytes.NewReader(data)
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
	}
	sc := bufio.NewScanner(r)
	var merges [][2]string
	for line := 0; sc.Scan() && len(merges) < openAIMerges; line++ {
		if line == 0 {
			continue // the header ("...#version: 0.2")
		}
		left, right, ok := strings.Cut(strings.TrimSuffix(sc.Text(), "\r"), " ")
		if !ok || left == "" || right == "" || strings.Contains(right, " ") {
			return nil, fmt.Errorf("tokenizer: %s:%d: want two tokens separated by one space, got %q", path, line+1, sc.Text())
		}
		merges = append(merges, [2]string{left, right})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
	}
	if len(merges) < openAIMerges {
		return nil, fmt.Errorf("tokenizer: %s: %d merges, CLIP's list has at least %d", path, len(merges), openAIMerges)
	}
	vocab := make(map[string]int, 2*256+len(merges)+2)
	add := func(tok string) {
		if _, dup := vocab[tok]; !dup {
			vocab[tok] = len(vocab)
		}
	}
	for _, b := range alphabetOrder {
		add(byteSymbol[b])
	}
	for _, b := range alphabetOrder {
		add(byteSymbolEnd[b])
	}
	for _, m := range merges {
		add(m[0] + m[1])
	}
	add(StartToken)
	add(EndToken)
	if len(vocab) != 2*256+len(merges)+2 {
		return nil, fmt.Errorf("tokenizer: %s: merges repeat tokens (%d distinct of %d)", path, len(vocab), 2*256+len(merges)+2)
	}
	t, err := New(vocab, merges)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
	}
	return t, nil
}
