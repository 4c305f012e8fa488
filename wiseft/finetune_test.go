package wiseft

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

const ftFixtureDir = "../clipmodel/testdata/clip"

// ftShapes is a synthetic training set: coloured squares, discs and bars on a grey background, labelled by
// colour (an easy task). It counts Example calls so tests can see whether images were decoded.
type ftShapes struct {
	name   string
	imgs   []*image.RGBA
	labels []int
	calls  atomic.Int64
}

var ftShapeColours = []color.RGBA{{220, 30, 30, 255}, {30, 200, 40, 255}, {40, 60, 230, 255}, {230, 210, 30, 255}}

func newFTShapes(n int, seed uint64) *ftShapes {
	r := rand.New(rand.NewPCG(seed, 7))
	d := &ftShapes{name: "shapes"}
	const size = 36
	for i := range n {
		label := i % len(ftShapeColours)
		img := image.NewRGBA(image.Rect(0, 0, size, size))
		for p := 0; p < len(img.Pix); p += 4 {
			g := uint8(100 + r.IntN(40))
			img.Pix[p], img.Pix[p+1], img.Pix[p+2], img.Pix[p+3] = g, g, g, 255
		}
		cx, cy, rad := 10+r.IntN(16), 10+r.IntN(16), 6+r.IntN(5)
		kind := r.IntN(3)
		for y := range size {
			for x := range size {
				dx, dy := x-cx, y-cy
				in := false
				switch kind {
				case 0:
					in = ftAbs(dx) <= rad && ftAbs(dy) <= rad
				case 1:
					in = dx*dx+dy*dy <= rad*rad
				default:
					in = ftAbs(dx) <= rad && ftAbs(dy) <= rad/3
				}
				if in {
					img.SetRGBA(x, y, ftShapeColours[label])
				}
			}
		}
		d.imgs = append(d.imgs, img)
		d.labels = append(d.labels, label)
	}
	return d
}

func ftAbs(x int) int { return max(x, -x) }

func (d *ftShapes) Name() string         { return d.name }
func (d *ftShapes) ClassNames() []string { return []string{"red", "green", "blue", "yellow"} }
func (d *ftShapes) Templates() []string  { return []string{"a photo of a {} shape."} }
func (d *ftShapes) Len() int             { return len(d.imgs) }
func (d *ftShapes) Example(i int) (image.Image, int, error) {
	d.calls.Add(1)
	return d.imgs[i], d.labels[i], nil
}

// ftClassifier is the tiny fixture CLIP with a random head of the dataset's 4 classes (the fixture has no
// tokenizer, so no zero-shot head).
func ftClassifier(t testing.TB) *Classifier {
	t.Helper()
	m, err := clipmodel.Load(ftFixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	head := clipmodel.NewTensor(4, m.Config.ProjectionDim)
	for i := range head.Data {
		head.Data[i] = float32(r.NormFloat64())
	}
	c, err := NewClassifier(m, []string{"red", "green", "blue", "yellow"}, head, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ftSameTensor(a, b *clipmodel.Tensor) bool {
	if len(a.Data) != len(b.Data) {
		return false
	}
	for i := range a.Data {
		if math.Float32bits(a.Data[i]) != math.Float32bits(b.Data[i]) {
			return false
		}
	}
	return true
}

func ftMaxAbsDiff(a, b *clipmodel.Tensor) float64 {
	var m float64
	for i := range a.Data {
		m = max(m, math.Abs(float64(a.Data[i]-b.Data[i])))
	}
	return m
}

func TestFineTuneEndToEnd(t *testing.T) {
	zs := ftClassifier(t)
	before := zs.Model.Weights.Clone()
	ds := newFTShapes(32, 1)
	var infos []ProgressInfo
	cfg := FineTuneConfig{Epochs: 6, BatchSize: 8, LR: 2e-3, WeightDecay: 0.1, WarmupSteps: 3, GradClipNorm: 1, Seed: 11}
	run := TrainRun{Progress: func(p ProgressInfo) { infos = append(infos, p) }}
	start := time.Now()
	ft, err := FineTune(context.Background(), zs, ds, cfg, run)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if len(infos) != 24 {
		t.Fatalf("%d progress reports, want 24", len(infos))
	}
	last := infos[len(infos)-1]
	t.Logf("24 steps of 8 images in %v; last report %+v", elapsed, last)
	if last.Step != 24 || last.TotalSteps != 24 || last.Epoch != 6 || last.ImagesPerSec <= 0 || last.ETA != 0 {
		t.Errorf("last progress report %+v", last)
	}
	for i, p := range infos {
		if want := CosineLR(2e-3, 3, 24, i); math.Abs(p.LR-want) > 1e-12 {
			t.Errorf("step %d: lr %g, want %g", i+1, p.LR, want)
		}
	}
	mean := func(ps []ProgressInfo) float64 {
		var s float64
		for _, p := range ps {
			s += p.Loss
		}
		return s / float64(len(ps))
	}
	first, final := mean(infos[:4]), mean(infos[len(infos)-4:])
	t.Logf("mean loss: first epoch %.4f, last epoch %.4f", first, final)
	if !(final < 0.5*first) {
		t.Errorf("the loss did not decrease enough: first epoch %.4f, last epoch %.4f", first, final)
	}

	// zs untouched; text tower and logit_scale unchanged; every image-tower tensor and the head trained.
	for k, w := range before {
		if !ftSameTensor(w, zs.Model.Weights[k]) {
			t.Errorf("FineTune modified the zero-shot classifier's %s", k)
		}
		changed := !ftSameTensor(w, ft.Model.Weights[k])
		trainable := isImageFeatureWeight(k) || strings.HasPrefix(k, clipmodel.HeadPrefix)
		if changed != trainable {
			t.Errorf("%s: changed %v, trainable %v", k, changed, trainable)
		}
	}
	textTensors := 0
	for k := range before {
		if strings.HasPrefix(k, "text_model.") || k == "text_projection.weight" || k == "logit_scale" {
			textTensors++
			if !ftSameTensor(before[k], ft.Model.Weights[k]) {
				t.Errorf("%s changed", k)
			}
		}
	}
	if textTensors < 10 || len(ft.Model.Weights) != len(before) {
		t.Errorf("%d text-side tensors checked; %d tensors after fine-tuning, %d before", textTensors,
			len(ft.Model.Weights), len(before))
	}
}

func TestResumeMatchesUninterruptedRun(t *testing.T) {
	zs := ftClassifier(t)
	ds := newFTShapes(20, 2) // 3 steps per epoch, the last one padded
	dirA, dirB := t.TempDir(), t.TempDir()
	cfg := FineTuneConfig{Epochs: 2, BatchSize: 8, LR: 1e-3, WeightDecay: 0.1, WarmupSteps: 2, LabelSmoothing: 0.1,
		GradClipNorm: 1, Seed: 5}

	a, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{CheckpointDir: dirA})
	if err != nil {
		t.Fatal(err)
	}

	var stopped *StoppedError
	_, err = FineTune(context.Background(), zs, ds, cfg, TrainRun{CheckpointDir: dirB, StopAfterEpoch: 1})
	if !errors.As(err, &stopped) || stopped.Checkpoint != CheckpointPath(dirB, 1) || stopped.Step != 3 {
		t.Fatalf("StopAfterEpoch 1: err = %v, want a stop after step 3 with checkpoint_1", err)
	}
	if _, err := os.Stat(CheckpointPath(dirB, 2)); !os.IsNotExist(err) {
		t.Fatalf("the stopped run wrote a second checkpoint (%v)", err)
	}
	runB := TrainRun{CheckpointDir: dirB, ResumeFrom: CheckpointPath(dirB, 1)}
	b, err := FineTune(context.Background(), zs, ds, cfg, runB)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dirA)
	if len(entries) != 2 || entries[0].Name() != "checkpoint_1" || entries[1].Name() != "checkpoint_2" {
		t.Errorf("checkpoint folder holds %v", entries)
	}
	for k, w := range a.Model.Weights {
		if d := ftMaxAbsDiff(w, b.Model.Weights[k]); d > 1e-6 {
			t.Errorf("%s: resumed run differs by %g", k, d)
		} else if d > 0 {
			t.Logf("%s: resumed run differs by %g (not bitwise)", k, d)
		}
	}

	// Checkpoint contents: the optimizer state of both runs after epoch 2 agree, and hold Adam's moments for every
	// trainable tensor plus the step counters.
	optA, err := safetensors.ReadFile(filepath.Join(CheckpointPath(dirA, 2), OptimizerFile))
	if err != nil {
		t.Fatal(err)
	}
	optB, err := safetensors.ReadFile(filepath.Join(CheckpointPath(dirB, 2), OptimizerFile))
	if err != nil {
		t.Fatal(err)
	}
	moments := 0
	for k, ta := range optA.Tensors {
		if strings.HasSuffix(k, "_1st_moment") || strings.HasSuffix(k, "_2nd_moment") {
			moments++
		}
		tb := optB.Tensors[k]
		if tb == nil || !bytes.Equal(ta.Data, tb.Data) {
			t.Errorf("optimizer variable %s differs between the runs", k)
		}
	}
	if want := 2 * len(trainableKeys(zs.Model.Weights, false, false)); moments != want {
		t.Errorf("%d Adam moments saved, want %d", moments, want)
	}
	for _, k := range []string{"/global_step", "/AdamOptimizer/global_step"} {
		steps, err := optA.Tensors[k].Int64()
		if err != nil || len(steps) != 1 || steps[0] != 6 {
			t.Errorf("%s = %v (%v), want 6", k, steps, err)
		}
	}
	c, state, err := LoadCheckpoint(CheckpointPath(dirA, 2))
	if err != nil {
		t.Fatal(err)
	}
	if state.Epoch != 2 || state.Step != 6 || len(c.ClassNames) != 4 || !ftSameTensor(c.Model.Weights[HeadWeight], a.Model.Weights[HeadWeight]) {
		t.Errorf("checkpoint 2: state %+v, classes %v", state, c.ClassNames)
	}

	// A resume with other settings is refused.
	bad := cfg
	bad.LR = 2e-3
	if _, err := FineTune(context.Background(), zs, ds, bad, runB); err == nil {
		t.Error("resuming with another learning rate was accepted")
	}
}

func TestLinearProbeTrainsOnlyTheHeadAndCachesFeatures(t *testing.T) {
	zs := ftClassifier(t)
	ds := newFTShapes(24, 3)
	cache := t.TempDir()
	cfg := FineTuneConfig{Epochs: 5, BatchSize: 8, LR: 1e-2, WeightDecay: 0.1, WarmupSteps: 2, GradClipNorm: 1, Seed: 9,
		FreezeEncoder: true}
	var losses []float64
	run := TrainRun{CacheDir: cache, Progress: func(p ProgressInfo) { losses = append(losses, p.Loss) }}
	ft, err := FineTune(context.Background(), zs, ds, cfg, run)
	if err != nil {
		t.Fatal(err)
	}
	if ds.calls.Load() != int64(ds.Len()) {
		t.Errorf("the first run decoded %d images, want %d (once each)", ds.calls.Load(), ds.Len())
	}
	files, _ := filepath.Glob(filepath.Join(cache, "features_shapes_*.safetensors"))
	if len(files) != 1 {
		t.Fatalf("feature cache files: %v", files)
	}
	for k, w := range zs.Model.Weights {
		changed := !ftSameTensor(w, ft.Model.Weights[k])
		if changed != strings.HasPrefix(k, clipmodel.HeadPrefix) {
			t.Errorf("%s: changed %v", k, changed)
		}
	}
	if !(losses[len(losses)-1] < losses[0]) {
		t.Errorf("linear probe loss went from %.4f to %.4f", losses[0], losses[len(losses)-1])
	}

	ds.calls.Store(0)
	run.Progress = nil
	again, err := FineTune(context.Background(), zs, ds, cfg, run)
	if err != nil {
		t.Fatal(err)
	}
	if n := ds.calls.Load(); n != 0 {
		t.Errorf("the second run decoded %d images instead of reading the cache", n)
	}
	for _, k := range []string{HeadWeight, HeadBias} {
		if !ftSameTensor(again.Model.Weights[k], ft.Model.Weights[k]) {
			t.Errorf("%s differs between two identical runs", k)
		}
	}

	// The cached features are those of the encoder.
	feats, err := DatasetFeatures(zs.Model, ds, "")
	if err != nil {
		t.Fatal(err)
	}
	cached, err := DatasetFeatures(zs.Model, ds, cache)
	if err != nil {
		t.Fatal(err)
	}
	for i := range feats.Data {
		if feats.Data[i] != cached.Data[i] {
			t.Fatalf("cached feature %d: %g, computed %g", i, cached.Data[i], feats.Data[i])
		}
	}
}

// TestConfigZeroMeansZero: the zero values of FineTuneConfig are taken as given (no decay, no warmup, no
// clipping), Epochs 0 trains nothing, and values outside their ranges are refused by name.
func TestConfigZeroMeansZero(t *testing.T) {
	d := DefaultFineTuneConfig()
	if d.Epochs != 10 || d.BatchSize != 512 || d.LR != 3e-5 || d.WeightDecay != 0.1 || d.WarmupSteps != 500 || d.GradClipNorm != 1 {
		t.Errorf("the paper's defaults: %+v", d)
	}
	if err := (FineTuneConfig{BatchSize: 1}).Validate(); err != nil {
		t.Errorf("all-zero settings with batch 1 refused: %v", err)
	}
	for _, c := range []struct {
		cfg  FineTuneConfig
		want string
	}{
		{FineTuneConfig{}, "batch size 0"},
		{FineTuneConfig{BatchSize: 8, Epochs: -1}, "-1 epochs"},
		{FineTuneConfig{BatchSize: 8, LR: math.NaN()}, "learning rate NaN"},
		{FineTuneConfig{BatchSize: 8, WeightDecay: -0.1}, "weight decay -0.1"},
		{FineTuneConfig{BatchSize: 8, WarmupSteps: -1}, "-1 warmup steps"},
		{FineTuneConfig{BatchSize: 8, LabelSmoothing: 1}, "label smoothing 1"},
		{FineTuneConfig{BatchSize: 8, GradClipNorm: math.Inf(1)}, "clipping norm +Inf"},
	} {
		if err := c.cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err = %v, want %q", c.cfg, err, c.want)
		}
	}
	zs := ftClassifier(t)
	var steps int
	ft, err := FineTune(context.Background(), zs, newFTShapes(8, 1), FineTuneConfig{BatchSize: 8, LR: 1},
		TrainRun{Progress: func(ProgressInfo) { steps++ }})
	if err != nil {
		t.Fatal(err)
	}
	for k, w := range zs.Model.Weights {
		if !ftSameTensor(w, ft.Model.Weights[k]) || steps != 0 {
			t.Fatalf("0 epochs: %s changed (%d steps run)", k, steps)
		}
	}
}

func TestDataOrderIsDeterministic(t *testing.T) {
	a, b := epochPermutation(1, 3, 50), epochPermutation(1, 3, 50)
	c := epochPermutation(1, 4, 50)
	same := true
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("the permutation of an epoch is not deterministic")
		}
		same = same && a[i] == c[i]
	}
	if same {
		t.Error("two epochs have the same order")
	}
	if augmentationRNG(1, 2, 3).Uint64() != augmentationRNG(1, 2, 3).Uint64() ||
		augmentationRNG(1, 2, 3).Uint64() == augmentationRNG(1, 2, 4).Uint64() ||
		augmentationRNG(1, 2, 3).Uint64() == augmentationRNG(1, 3, 3).Uint64() {
		t.Error("augmentation generators are not keyed by (seed, epoch, step)")
	}
}

// TestLinearProbeMatchesReferenceAdamW replays a linear-probe run on the host in float64 with PyTorch's AdamW
// algorithm (decoupled decay θ ← θ − lr·wd·θ, then θ ← θ − lr·m̂/(√v̂ + ε)), clip_grad_norm_ and the label-smoothed
// loss, over two epochs of a full and a padded partial batch.
func TestLinearProbeMatchesReferenceAdamW(t *testing.T) {
	zs := ftClassifier(t)
	ds := newFTShapes(12, 4)
	cfg := FineTuneConfig{Epochs: 2, BatchSize: 8, LR: 0.05, WeightDecay: 0.1, WarmupSteps: 2, LabelSmoothing: 0.1,
		GradClipNorm: 0.3, Seed: 21, FreezeEncoder: true}
	var norms []float64
	run := TrainRun{Progress: func(p ProgressInfo) { norms = append(norms, p.GradNorm) }}
	ft, err := FineTune(context.Background(), zs, ds, cfg, run)
	if err != nil {
		t.Fatal(err)
	}
	feats, err := DatasetFeatures(zs.Model, ds, "")
	if err != nil {
		t.Fatal(err)
	}

	classes, dim := zs.NumClasses(), feats.Dim
	nParams := classes*dim + classes // W row-major, then b
	theta := make([]float64, nParams)
	for i, v := range zs.Model.Weights[HeadWeight].Data {
		theta[i] = float64(v)
	}
	m, v := make([]float64, nParams), make([]float64, nParams)
	const b1, b2, eps = 0.9, 0.999, 1e-8
	stepsPerEpoch, total, step := 2, 4, 0
	clipped := 0
	for epoch := range cfg.Epochs {
		perm := epochPermutation(cfg.Seed, epoch, ds.Len())
		for s := range stepsPerEpoch {
			idx := batchIndices(perm, s, cfg.BatchSize)
			grad := make([]float64, nParams)
			for _, e := range idx {
				f := feats.Data[e*dim : (e+1)*dim]
				logits := make([]float64, classes)
				maxLogit := math.Inf(-1)
				for c := range classes {
					z := theta[classes*dim+c]
					for k := range dim {
						z += theta[c*dim+k] * float64(f[k])
					}
					logits[c] = z
					maxLogit = math.Max(maxLogit, z)
				}
				var sum float64
				for c := range classes {
					sum += math.Exp(logits[c] - maxLogit)
				}
				for c := range classes {
					p := math.Exp(logits[c]-maxLogit) / sum
					target := cfg.LabelSmoothing / float64(classes)
					if c == feats.Labels[e] {
						target += 1 - cfg.LabelSmoothing
					}
					dz := (p - target) / float64(len(idx))
					for k := range dim {
						grad[c*dim+k] += dz * float64(f[k])
					}
					grad[classes*dim+c] += dz
				}
			}
			var norm float64
			for _, g := range grad {
				norm += g * g
			}
			norm = math.Sqrt(norm)
			if math.Abs(norm-norms[step]) > 1e-5*norm {
				t.Errorf("step %d: gradient norm %g, reference %g", step+1, norms[step], norm)
			}
			if coef := cfg.GradClipNorm / (norm + 1e-6); coef < 1 {
				clipped++
				for i := range grad {
					grad[i] *= coef
				}
			}
			lr := CosineLR(cfg.LR, cfg.WarmupSteps, total, step)
			step++
			bc1, bc2 := 1-math.Pow(b1, float64(step)), 1-math.Pow(b2, float64(step))
			for i, g := range grad {
				theta[i] -= lr * cfg.WeightDecay * theta[i]
				m[i] = b1*m[i] + (1-b1)*g
				v[i] = b2*v[i] + (1-b2)*g*g
				theta[i] -= lr * (m[i] / bc1) / (math.Sqrt(v[i]/bc2) + eps)
			}
		}
	}
	if clipped == 0 || clipped == total {
		t.Logf("clipping was active in %d of %d steps", clipped, total)
	}
	got := append(append([]float32{}, ft.Model.Weights[HeadWeight].Data...), ft.Model.Weights[HeadBias].Data...)
	var worst float64
	for i := range theta {
		worst = math.Max(worst, math.Abs(float64(got[i])-theta[i]))
	}
	t.Logf("largest difference from the float64 reference: %.3g (clipped %d of %d steps)", worst, clipped, total)
	if worst > 1e-5 {
		t.Errorf("the head differs from the reference AdamW by %g", worst)
	}
}

// BenchmarkFineTune measures end-to-end training throughput on the fixture model (32x32 images, batch 32).
func BenchmarkFineTune(b *testing.B) {
	zs := ftClassifier(b)
	ds := newFTShapes(128, 1)
	for b.Loop() {
		var last ProgressInfo
		cfg := DefaultFineTuneConfig()
		cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.Seed = 2, 32, 1e-4, 1
		_, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{Progress: func(p ProgressInfo) { last = p }})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(last.ImagesPerSec, "images/s")
	}
}
