package world

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
)

// stopAtFirstLine cancels the run's context when the first progress line is written.
type stopAtFirstLine struct {
	once sync.Once
	stop context.CancelFunc
}

func (w *stopAtFirstLine) Write(p []byte) (int, error) {
	w.once.Do(w.stop)
	return len(p), nil
}

// stoppable returns a context and the writer that cancels it at the first line.
func stoppable() (context.Context, *stopAtFirstLine) {
	ctx, cancel := context.WithCancel(context.Background())
	return ctx, &stopAtFirstLine{stop: cancel}
}

// TestPretrainStopAndResume stops a small pretraining in the middle of its first epoch (Stop closed when the
// progress line of step 3 is written, so the run stops before step 4), resumes it from the mid-epoch checkpoint,
// and checks that the resumed run ends with the weights of an uninterrupted run, bit for bit; the folder of the
// final model is written only at the end.
func TestPretrainStopAndResume(t *testing.T) {
	data := dataDir(t)
	base := DefaultPretrainConfig()
	base.Corpus = CorpusConfig{Pairs: 192, Seed: 1, HandwritingWeight: 0.05, DataLocation: data}
	base.Epochs, base.BatchSize, base.WarmupSteps = 2, 32, 2 // 6 steps per epoch

	want, err := Pretrain(context.Background(), base, PretrainRun{Out: filepath.Join(t.TempDir(), "whole")})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ctx, w := stoppable()
	first := PretrainRun{Out: filepath.Join(dir, "model"), CheckpointDir: filepath.Join(dir, "checkpoints"),
		LogEvery: 3, Log: w}
	_, err = Pretrain(ctx, base, first)
	var stopped *StoppedError
	if !errors.As(err, &stopped) || !errors.Is(err, ErrStopped) {
		t.Fatalf("want a StoppedError, got %v", err)
	}
	if stopped.Step != 3 || filepath.Base(stopped.Checkpoint) != "checkpoint_step_3" {
		t.Fatalf("stopped after %d steps in %s; want 3 steps in checkpoint_step_3", stopped.Step, stopped.Checkpoint)
	}
	if _, err := os.Stat(first.Out); !os.IsNotExist(err) {
		t.Fatalf("the final model folder exists after a stopped run (%v)", err)
	}
	path, state, err := LatestPretrainCheckpoint(first.CheckpointDir)
	if err != nil || path != stopped.Checkpoint || state.Epoch != 0 || state.StepInEpoch != 3 {
		t.Fatalf("latest checkpoint %s %+v %v; want %s at epoch 0 step 3", path, state, err, stopped.Checkpoint)
	}

	// A resume that asks for another recipe is refused before any training.
	resume := PretrainRun{Out: first.Out, CheckpointDir: first.CheckpointDir, ResumeFrom: path}
	other := base
	other.LR = 2e-3
	if _, err := Pretrain(context.Background(), other, resume); err == nil || !strings.Contains(err.Error(), "trained with") {
		t.Fatalf("resume with another learning rate: err = %v, want a refusal naming the recipes", err)
	}

	got, err := Pretrain(context.Background(), base, resume)
	if err != nil {
		t.Fatal(err)
	}
	for name, wt := range want.Weights {
		g := got.Weights[name]
		if g == nil || len(g.Data) != len(wt.Data) {
			t.Fatalf("%s missing or mis-shaped after resume", name)
		}
		for i := range wt.Data {
			if g.Data[i] != wt.Data[i] {
				t.Fatalf("%s[%d] = %v after stop and resume, %v uninterrupted", name, i, g.Data[i], wt.Data[i])
			}
		}
	}
	saved, err := clipmodel.Load(first.Out)
	if err != nil {
		t.Fatalf("the final model: %v", err)
	}
	if saved.Weights["logit_scale"].Data[0] != want.Weights["logit_scale"].Data[0] {
		t.Errorf("the saved model differs from the returned one")
	}
	// Every epoch left its checkpoint; the mid-epoch one was replaced by them.
	for _, name := range []string{"checkpoint_1", "checkpoint_2"} {
		if _, err := ReadPretrainCheckpoint(filepath.Join(first.CheckpointDir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(first.CheckpointDir, "checkpoint_step_3")); !os.IsNotExist(err) {
		t.Errorf("checkpoint_step_3 still there after later checkpoints (%v)", err)
	}
}

// TestPretrainRefusesForeignOutFolder: the final model replaces its folder whole, so a folder holding anything
// else is refused before training starts.
func TestPretrainRefusesForeignOutFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Pretrain(context.Background(), DefaultPretrainConfig(), PretrainRun{Out: dir})
	if err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("err = %v, want a refusal naming notes.txt", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(data) != "mine" {
		t.Errorf("notes.txt was touched")
	}
}

// captureFirstLine keeps the first progress line and closes stop when it is written.
type captureFirstLine struct {
	*stopAtFirstLine
	line string
}

func (w *captureFirstLine) Write(p []byte) (int, error) {
	if w.line == "" {
		w.line = string(p)
	}
	return w.stopAtFirstLine.Write(p)
}

// TestPretrainFollowsShippedLog runs the first 50 steps of the shipped recipe (DefaultPretrainConfig) and checks
// that its progress line matches the first line of world/PRETRAIN_LOG.txt, the log of the run that made
// world/model: the corpus, the tokenizer, the initialisation, the augmentation and the optimiser are the same
// bits as then (loss printed to 4 decimals; the throughput and time are left out).
func TestPretrainFollowsShippedLog(t *testing.T) {
	if testing.Short() {
		t.Skip("50 pretraining steps (about 40 s)")
	}
	data := dataDir(t)
	log, err := os.ReadFile("PRETRAIN_LOG.txt")
	if err != nil {
		t.Fatal(err)
	}
	cut := func(line string) string { // up to the learning rate, without pairs/s and elapsed time
		if i := strings.Index(line, " pairs/s"); i > 0 {
			line = line[:strings.LastIndexByte(line[:i], ' ')]
		}
		return strings.TrimSpace(line)
	}
	want := cut(strings.SplitN(string(log), "\n", 2)[0])
	cfg := DefaultPretrainConfig()
	cfg.Corpus.DataLocation = data
	ctx, stop := stoppable()
	w := &captureFirstLine{stopAtFirstLine: stop}
	_, err = Pretrain(ctx, cfg, PretrainRun{CheckpointDir: t.TempDir(), Log: w})
	var stopped *StoppedError
	if !errors.As(err, &stopped) || stopped.Step != 50 {
		t.Fatalf("want a stop after 50 steps, got %v", err)
	}
	got := cut(w.line)
	t.Logf("step 50: %s", got)
	if got != want {
		t.Errorf("step 50 of the shipped recipe:\n got  %q\n want %q (world/PRETRAIN_LOG.txt)", got, want)
	}
}

// TestPretrainInitFrom: a run with InitFrom starts from that model's weights, not the seed's random ones. With a
// learning rate of 1e-12 and no weight decay, two steps move no weight by more than 1e-6, so the run ends where
// its starting model was; the same run from scratch ends at the random initialisation, far from it. A starting
// folder that holds no model is refused.
func TestPretrainInitFrom(t *testing.T) {
	data := dataDir(t)
	base := DefaultPretrainConfig()
	base.Corpus = CorpusConfig{Pairs: 64, Seed: 1, HandwritingWeight: 0.05, DataLocation: data}
	base.Epochs, base.BatchSize, base.WarmupSteps = 1, 32, 0
	start := filepath.Join(t.TempDir(), "start")
	if _, err := Pretrain(context.Background(), base, PretrainRun{Out: start}); err != nil {
		t.Fatal(err)
	}
	init, err := clipmodel.Load(start)
	if err != nil {
		t.Fatal(err)
	}

	still := base
	still.LR, still.WeightDecay, still.Corpus.Seed, still.Seed = 1e-12, 0, 2, 2 // another initialisation
	fromScratch, err := Pretrain(context.Background(), still, PretrainRun{})
	if err != nil {
		t.Fatal(err)
	}
	still.InitFrom = start
	continued, err := Pretrain(context.Background(), still, PretrainRun{})
	if err != nil {
		t.Fatal(err)
	}
	maxDiff := func(a, b clipmodel.Weights) (worst float64, where string) {
		for name, w := range a {
			for i, v := range w.Data {
				if d := math.Abs(float64(v - b[name].Data[i])); d > worst {
					worst, where = d, name
				}
			}
		}
		return worst, where
	}
	if d, name := maxDiff(continued.Weights, init.Weights); d > 1e-6 {
		t.Errorf("continued from %s, %s moved by %g at a learning rate of 1e-12", start, name, d)
	}
	if d, _ := maxDiff(fromScratch.Weights, init.Weights); d < 1e-2 {
		t.Errorf("the run from scratch ends within %g of the starting model: the check cannot tell them apart", d)
	}
	if still.Recipe() == base.Recipe() || still.Recipe().InitFrom != start {
		t.Errorf("the recipe does not record the starting model: %+v", still.Recipe())
	}

	still.InitFrom = t.TempDir()
	if _, err := Pretrain(context.Background(), still, PretrainRun{}); err == nil || !strings.Contains(err.Error(), "start from") {
		t.Errorf("starting from an empty folder: err = %v, want a refusal", err)
	}
}

// TestCheckInitModel: the shipped model may start a run, but not one of another width or vocabulary (200 merges; the
// captions run out of pairs to merge after about 210, so 300 or more all give the shipped 722 tokens). Nor may a
// model whose tokenizer has the same size but gives two tokens each other's ids, or one without a tokenizer; each
// refusal says why.
func TestCheckInitModel(t *testing.T) {
	merges := DefaultPretrainConfig().Merges
	shipped, err := clipmodel.Load(filepath.Join("..", ShippedModelDir))
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckInitModel(shipped, merges, 0); err != nil {
		t.Fatalf("the shipped model: %v", err)
	}
	if err := CheckInitModel(shipped, merges, 96); err == nil || !strings.Contains(err.Error(), "(wiseft-tiny-w96)") {
		t.Errorf("the shipped model for a run of width 96: err = %v", err)
	}
	if err := CheckInitModel(shipped, 200, 0); err == nil || !strings.Contains(err.Error(), "714-token vocabulary") {
		t.Errorf("the shipped model for a run of 200 merges: err = %v", err)
	}

	dir := t.TempDir()
	if err := shipped.Tokenizer.Save(dir); err != nil {
		t.Fatal(err)
	}
	vocabJSON := filepath.Join(dir, tokenizer.VocabFile)
	data, err := os.ReadFile(vocabJSON)
	if err != nil {
		t.Fatal(err)
	}
	var vocab map[string]int
	if err := json.Unmarshal(data, &vocab); err != nil {
		t.Fatal(err)
	}
	var a, b string
	for tok, id := range vocab {
		switch id {
		case 100:
			a = tok
		case 101:
			b = tok
		}
	}
	vocab[a], vocab[b] = 101, 100
	if data, err = json.Marshal(vocab); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vocabJSON, data, 0o644); err != nil {
		t.Fatal(err)
	}
	swapped, err := tokenizer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	other := *shipped
	other.Tokenizer = swapped
	if err := CheckInitModel(&other, merges, 0); err == nil || !strings.Contains(err.Error(), "has a tokenizer (vocab.json, merges.txt) that is not the world's") {
		t.Errorf("a tokenizer with the ids of %q and %q swapped: err = %v", a, b, err)
	}
	other.Tokenizer = nil
	if err := CheckInitModel(&other, merges, 0); err == nil || !strings.Contains(err.Error(), "has no tokenizer") {
		t.Errorf("no tokenizer: err = %v", err)
	}
}

// TestPretrainWidth: a run of another width trains and saves that architecture, and its recipe records it (so a
// checkpoint of one width cannot be resumed at another).
func TestPretrainWidth(t *testing.T) {
	cfg := DefaultPretrainConfig()
	cfg.Corpus = CorpusConfig{Pairs: 64, Seed: 1, HandwritingWeight: 0.05, DataLocation: dataDir(t)}
	cfg.Epochs, cfg.BatchSize, cfg.WarmupSteps, cfg.Width = 1, 32, 0, 32
	out := filepath.Join(t.TempDir(), "w32")
	m, err := Pretrain(context.Background(), cfg, PretrainRun{Out: out})
	if err != nil {
		t.Fatal(err)
	}
	back, err := clipmodel.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []clipmodel.Config{m.Config, back.Config} {
		if c.Vision.Width != 32 || c.Text.Width != 32 || c.Vision.MLPWidth != 128 || c.ProjectionDim != 64 {
			t.Errorf("width 32: the model's config is %+v", c)
		}
	}
	if err := back.Weights.Check(WidthConfig(back.Config.Text.VocabSize, 32)); err != nil {
		t.Error(err)
	}
	shipped, explicit := cfg, cfg
	shipped.Width, explicit.Width = 0, DefaultWidth
	if cfg.Recipe() == shipped.Recipe() {
		t.Error("the recipe does not record the width")
	}
	if explicit.Recipe() != shipped.Recipe() {
		t.Error("width 64 and width 0 (both the shipped width) give different recipes")
	}
}
