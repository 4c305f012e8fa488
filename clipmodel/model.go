package clipmodel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
	"github.com/gowiseft/wiseft/internal/atomicfile"
	"github.com/gowiseft/wiseft/internal/fileio"
)

// Model is a CLIP model on the host: its config, its weights, its tokenizer (when its folder has vocab.json and
// merges.txt) and its image preprocessing. Load and Save use the Hugging Face folder layout; Encoder compiles it.
//
//	m, err := clipmodel.Load("path/to/clip-vit-base-patch32")
//	enc, err := clipmodel.NewEncoder(m)
//	ids, err := m.Tokenize([]string{"a photo of a cat."})
//	textEmb, err := enc.EncodeTexts(ids, 1)
type Model struct {
	Config    Config
	Weights   Weights
	Tokenizer *tokenizer.Tokenizer
	Transform preprocess.Transform
}

// File names of a Hugging Face CLIP folder.
const (
	ConfigFile  = "config.json"
	WeightsFile = "model.safetensors"
	VocabFile   = "vocab.json"
	MergesFile  = "merges.txt"
)

// Load opens a CLIP model from path, which is either
//   - a Hugging Face folder: config.json + model.safetensors (+ vocab.json and merges.txt for the tokenizer), or
//   - a .safetensors file with Hugging Face or OpenAI / open_clip parameter names; its config comes from a
//     config.json beside it or, failing that, is inferred from the tensor shapes.
//
// Pickled PyTorch checkpoints (.bin, .pt, .pth) are refused: they can run code when read. Every tensor is checked
// against the config before anything is returned; an error names the offending tensor and both shapes.
func Load(path string) (*Model, error) {
	info, err := fileio.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err) // the error names the path
	}
	dir, weightsPath := path, filepath.Join(path, WeightsFile)
	switch {
	case info.IsDir():
		if err := fileio.CheckDir(path); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
	case info.Mode().IsRegular():
		dir, weightsPath = filepath.Dir(path), path
	default:
		return nil, fmt.Errorf("model %s is %s, not a model folder or a .safetensors file", path, fileio.Kind(info.Mode()))
	}
	if isPickle(weightsPath) {
		return nil, pickleError(weightsPath)
	}
	if _, err := fileio.Stat(weightsPath); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("model %s: %w", path, err)
		}
		for _, pickled := range []string{"pytorch_model.bin", "open_clip_pytorch_model.bin", "model.pt"} {
			if _, e := os.Stat(filepath.Join(dir, pickled)); e == nil {
				return nil, pickleError(filepath.Join(dir, pickled))
			}
		}
		return nil, fmt.Errorf("model %s: no %s: %w", path, WeightsFile, err)
	}
	f, err := safetensors.ReadFile(weightsPath)
	if err != nil {
		return nil, err
	}
	w, err := WeightsFromSafetensors(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", weightsPath, err)
	}
	var cfg Config
	configPath := filepath.Join(dir, ConfigFile)
	hasConfig, err := exists(configPath)
	switch {
	case err != nil:
		return nil, fmt.Errorf("model %s: %w", path, err)
	case hasConfig:
		if cfg, err = ReadHFConfig(configPath); err != nil {
			return nil, fmt.Errorf("%s: %w", configPath, err)
		}
	case info.IsDir():
		return nil, fmt.Errorf("model %s: no %s", path, ConfigFile)
	default:
		if cfg, err = ConfigFromWeights(w); err != nil {
			return nil, fmt.Errorf("%s: %w", weightsPath, err)
		}
	}
	if err := w.Check(cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", weightsPath, err)
	}
	if err := w.CheckValues(); err != nil {
		return nil, fmt.Errorf("%s: %w", weightsPath, err)
	}
	m := &Model{Config: cfg, Weights: w, Transform: preprocess.New(cfg.Vision.ImageSize)}
	hasVocab, err := exists(filepath.Join(dir, VocabFile))
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	if hasVocab {
		if m.Tokenizer, err = tokenizer.Load(dir); err != nil {
			return nil, err
		}
		if m.Tokenizer.VocabSize() > cfg.Text.VocabSize {
			return nil, fmt.Errorf("%s: the tokenizer has %d entries, the model's vocabulary only %d",
				dir, m.Tokenizer.VocabSize(), cfg.Text.VocabSize)
		}
	}
	return m, nil
}

// exists reports whether path exists; an error other than "does not exist" (a symbolic-link loop, a permission)
// is returned rather than read as absence.
func exists(path string) (bool, error) {
	_, err := fileio.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func isPickle(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".bin", ".pt", ".pth", ".pkl", ".ckpt":
		return true
	}
	return false
}

func pickleError(path string) error {
	return fmt.Errorf("%s is a pickled PyTorch checkpoint, which this project does not read (unpickling can run "+
		"code); convert it to safetensors, e.g. in Python: CLIPModel.from_pretrained(dir).save_pretrained(out, "+
		"safe_serialization=True)", path)
}

// Save writes the model to dir in the Hugging Face layout (config.json, model.safetensors and, when the model has
// a tokenizer, vocab.json and merges.txt), each file atomically. The folder reopens with Load and with
// transformers' CLIPModel.from_pretrained (a classification head, if present, is an extra tensor transformers
// ignores).
func (m *Model) Save(dir string) error {
	if err := m.Weights.Check(m.Config); err != nil {
		return fmt.Errorf("not saving an inconsistent model: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfgJSON, err := m.Config.HFConfigJSON()
	if err != nil {
		return err
	}
	if err := safetensors.WriteFile(filepath.Join(dir, WeightsFile), m.Weights.ToSafetensors(),
		map[string]string{"format": "pt"}); err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, ConfigFile), append(cfgJSON, '\n')); err != nil {
		return err
	}
	if m.Tokenizer != nil {
		return m.Tokenizer.Save(dir)
	}
	return nil
}

// Clone returns a model with its own copy of the weights (config, tokenizer and transform are shared; they are
// not modified by this project).
func (m *Model) Clone() *Model {
	c := *m
	c.Weights = m.Weights.Clone()
	return &c
}

// ErrNoTokenizer is returned when text must be tokenised but the model's folder had no vocab.json/merges.txt.
var ErrNoTokenizer = errors.New("the model has no tokenizer (vocab.json and merges.txt beside its weights)")

// Tokenize turns texts into a row-major [len(texts), ContextLength] id array for the text tower. Texts longer than
// the context are an error naming the text.
func (m *Model) Tokenize(texts []string) ([]int64, error) {
	if m.Tokenizer == nil {
		return nil, ErrNoTokenizer
	}
	return m.Tokenizer.Batch(texts, m.Config.Text.ContextLength, false)
}
