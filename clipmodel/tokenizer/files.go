package tokenizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/gowiseft/wiseft/internal/fileio"
)

// quote quotes a line of a file for an error, cut to 60 bytes (with its length) when longer.
func quote(s string) string {
	const max = 60
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
}

// File names inside a tokenizer folder, as in a Hugging Face CLIP checkpoint.
const (
	VocabFile  = "vocab.json"
	MergesFile = "merges.txt"
)

// mergesHeader is the first line Save writes to merges.txt.
const mergesHeader = "#version: 0.2"

// Load reads dir/vocab.json (a JSON object mapping each token to its id) and
// dir/merges.txt (an optional "#version" line, then one "left right" pair per
// line in rank order) and builds a Tokenizer with New. Errors name the file.
func Load(dir string) (*Tokenizer, error) {
	vocabPath := filepath.Join(dir, VocabFile)
	vocab, err := readVocab(vocabPath)
	if err != nil {
		return nil, err
	}
	mergesPath := filepath.Join(dir, MergesFile)
	merges, err := readMerges(mergesPath)
	if err != nil {
		return nil, err
	}
	t, err := New(vocab, merges)
	var be *buildError
	if errors.As(err, &be) {
		path := vocabPath
		if be.inMerges {
			path = mergesPath
		}
		return nil, fmt.Errorf("tokenizer: %s: %s", path, be.msg)
	}
	return t, err
}

// MaxFileSize bounds vocab.json and merges.txt (CLIP's are 1.6 MB and 0.5 MB).
const MaxFileSize = 256 << 20

func readVocab(path string) (map[string]int, error) {
	data, err := fileio.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: reading vocabulary: %w", err)
	}
	var vocab map[string]int
	if err := json.Unmarshal(data, &vocab); err != nil {
		return nil, fmt.Errorf("tokenizer: %s: not a JSON object of token ids: %w", path, err)
	}
	if len(vocab) == 0 {
		return nil, fmt.Errorf("tokenizer: %s: empty vocabulary", path)
	}
	return vocab, nil
}

func readMerges(path string) ([][2]string, error) {
	data, err := fileio.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: reading merges: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	var merges [][2]string
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || strings.HasPrefix(line, "#version") {
			continue
		}
		left, right, ok := strings.Cut(line, " ")
		if !ok || left == "" || right == "" || strings.Contains(right, " ") {
			return nil, fmt.Errorf("tokenizer: %s:%d: want two tokens separated by one space, got %s", path, n+1, quote(line))
		}
		merges = append(merges, [2]string{left, right})
	}
	if len(merges) == 0 {
		// Without merges every word falls apart into bytes: ids a CLIP text tower was never trained on.
		return nil, fmt.Errorf("tokenizer: %s holds no merges (an empty or cut file; CLIP's has 48,894)", path)
	}
	return merges, nil
}

// Save writes vocab.json and merges.txt into dir (created if missing) in the
// Hugging Face format, so that Load(dir) gives back the same tokenizer. The
// vocabulary is written in id order; merges.txt starts with "#version: 0.2".
// Each file is written atomically: to a temporary file in dir, synced, then
// renamed over the target.
func (t *Tokenizer) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	var v bytes.Buffer
	enc := json.NewEncoder(&v)
	enc.SetEscapeHTML(false)
	v.WriteByte('{')
	for id, tok := range t.tokens {
		if id > 0 {
			v.WriteString(", ")
		}
		if err := enc.Encode(tok); err != nil {
			return fmt.Errorf("tokenizer: encoding token %d: %w", id, err)
		}
		v.Truncate(v.Len() - 1) // Encode adds a newline
		fmt.Fprintf(&v, ": %d", id)
	}
	v.WriteString("}\n")

	var m bytes.Buffer
	m.WriteString(mergesHeader + "\n")
	for _, p := range t.merges {
		m.WriteString(p[0] + " " + p[1] + "\n")
	}
	if err := writeAtomic(filepath.Join(dir, VocabFile), v.Bytes()); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, MergesFile), m.Bytes())
}

// writeAtomic replaces path with data: temporary file in the same folder,
// fsync, rename, then a best-effort fsync of the folder.
func writeAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("tokenizer: writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("tokenizer: writing %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("tokenizer: writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("tokenizer: writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("tokenizer: writing %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("tokenizer: writing %s: %w", path, err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
