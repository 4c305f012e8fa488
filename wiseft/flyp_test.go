package wiseft

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"

	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
)

// flypReference computes ContrastiveClassLoss directly, in float64, from its definition.
func flypReference(img, txt [][]float64, classes []int, w []float64, scale float64) float64 {
	n := len(img)
	unit := func(v []float64) []float64 {
		var s float64
		for _, x := range v {
			s += x * x
		}
		out := make([]float64, len(v))
		for i, x := range v {
			out[i] = x / math.Sqrt(s)
		}
		return out
	}
	L := make([][]float64, n)
	for i := range L {
		L[i] = make([]float64, n)
		for j := range L[i] {
			a, b := unit(img[i]), unit(txt[j])
			for k := range a {
				L[i][j] += scale * a[k] * b[k]
			}
		}
	}
	// log softmax over the valid entries of one row (of L or of Lᵀ).
	logSoftmax := func(row func(j int) float64, j int) float64 {
		var z float64
		for k := 0; k < n; k++ {
			if w[k] > 0 {
				z += math.Exp(row(k))
			}
		}
		return row(j) - math.Log(z)
	}
	var num, den float64
	for i := 0; i < n; i++ {
		if w[i] == 0 {
			continue
		}
		var count float64
		for j := 0; j < n; j++ {
			if w[j] > 0 && classes[j] == classes[i] {
				count++
			}
		}
		var i2t, t2i float64
		for j := 0; j < n; j++ {
			if w[j] == 0 || classes[j] != classes[i] {
				continue
			}
			i2t -= logSoftmax(func(k int) float64 { return L[i][k] }, j) / count
			t2i -= logSoftmax(func(k int) float64 { return L[k][i] }, j) / count
		}
		num += w[i] * (i2t + t2i) / 2
		den += w[i]
	}
	return num / den
}

func TestContrastiveClassLossAgainstDirectComputation(t *testing.T) {
	img := [][]float32{{1, 0, 0.5}, {0.2, 1, -0.3}, {-0.5, 0.4, 1}, {0.3, 0.3, 0.3}, {2, -1, 0}}
	txt := [][]float32{{0.9, 0.1, 0.4}, {0, 1, 0}, {-0.2, 0.5, 0.8}, {0.5, 0.1, 0.2}, {1, 1, 1}}
	for _, c := range []struct {
		name    string
		classes []int32
		w       []float32
	}{
		{"distinct classes (CLIP's loss)", []int32{0, 1, 2, 3, 4}, []float32{1, 1, 1, 1, 1}},
		{"same-class pairs and a padding row", []int32{0, 1, 0, 2, 1}, []float32{1, 1, 1, 1, 0}},
		{"weighted", []int32{3, 3, 1, 0, 1}, []float32{0.5, 1, 2, 1, 1}},
	} {
		const scale = 7.5
		f64 := func(m [][]float32) [][]float64 {
			out := make([][]float64, len(m))
			for i, r := range m {
				for _, v := range r {
					out[i] = append(out[i], float64(v))
				}
			}
			return out
		}
		cl := make([]int, len(c.classes))
		w := make([]float64, len(c.w))
		for i := range cl {
			cl[i], w[i] = int(c.classes[i]), float64(c.w[i])
		}
		want := flypReference(f64(img), f64(txt), cl, w, scale)
		out := ftExecGraph(t, func(a, b, y, ww *graph.Node) *graph.Node {
			return ContrastiveClassLoss(a, b, y, ww, scale)
		}, img, txt, c.classes, c.w)
		got := float64(tensors.ToScalar[float32](out[0]))
		if math.Abs(got-want) > 1e-5*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: loss %.7f, direct computation %.7f", c.name, got, want)
		}
		if c.name[0] == 'd' {
			// CLIP's loss written as two cross-entropies against the diagonal, by hand.
			n := len(img)
			L := make([][]float64, n)
			for i := range L {
				L[i] = make([]float64, n)
			}
			norm := func(v []float32) float64 {
				var s float64
				for _, x := range v {
					s += float64(x) * float64(x)
				}
				return math.Sqrt(s)
			}
			for i := range img {
				for j := range txt {
					for k := range img[i] {
						L[i][j] += scale * float64(img[i][k]) * float64(txt[j][k]) / (norm(img[i]) * norm(txt[j]))
					}
				}
			}
			var ce float64
			for i := 0; i < n; i++ {
				var zr, zc float64
				for j := 0; j < n; j++ {
					zr += math.Exp(L[i][j])
					zc += math.Exp(L[j][i])
				}
				ce += (math.Log(zr) - L[i][i] + math.Log(zc) - L[i][i]) / 2
			}
			if math.Abs(ce/float64(n)-got) > 1e-5 {
				t.Errorf("CLIP's loss %.7f, ContrastiveClassLoss %.7f", ce/float64(n), got)
			}
		}
	}
}

// flypClassifier is the test fixture with a tokenizer and its zero-shot head for the shapes' colours.
func flypClassifier(t *testing.T) (*Classifier, []string) {
	t.Helper()
	m := loadFixture(t).Clone()
	tok, err := tokenizer.Load("../clipmodel/tokenizer/testdata")
	if err != nil {
		t.Fatal(err)
	}
	m.Tokenizer = tok
	ts := []string{"a photo of a {} shape.", "a {} thing."}
	zs, err := ZeroShotClassifier(m, []string{"red", "green", "blue", "yellow"}, ts)
	if err != nil {
		t.Fatal(err)
	}
	return zs, ts
}

func TestFLYPTrainsBothTowersAndRemakesTheHead(t *testing.T) {
	if testing.Short() {
		t.Skip("trains both towers (seconds)")
	}
	zs, ts := flypClassifier(t)
	before := zs.Model.Weights.Clone()
	ds := newFTShapes(16, 1)
	cfg := FineTuneConfig{Epochs: 3, BatchSize: 8, LR: 2e-3, WeightDecay: 0.1, WarmupSteps: 1, GradClipNorm: 1, Seed: 3}
	var losses []float64
	ft, err := FLYP(context.Background(), zs, ds, ts, cfg, TrainRun{Progress: func(p ProgressInfo) { losses = append(losses, p.Loss) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(losses) != 6 || !(losses[len(losses)-1] < losses[0]) {
		t.Errorf("FLYP losses %v", losses)
	}
	for k, w := range before {
		changed := !ftSameTensor(w, ft.Model.Weights[k])
		text := isTextFeatureWeight(k)
		switch {
		case isImageFeatureWeight(k) || text:
			if !changed {
				t.Errorf("%s did not train", k)
			}
		case k == "logit_scale":
			if changed {
				t.Errorf("logit_scale changed")
			}
		}
		if !ftSameTensor(w, zs.Model.Weights[k]) {
			t.Errorf("FLYP modified the zero-shot classifier's %s", k)
		}
	}
	// The head is the zero-shot head of the fine-tuned text tower, computed independently.
	again, err := ZeroShotClassifier(ft.Model, ft.ClassNames, ts)
	if err != nil {
		t.Fatal(err)
	}
	if !ftSameTensor(again.Model.Weights[HeadWeight], ft.Model.Weights[HeadWeight]) {
		t.Errorf("the head is not the fine-tuned text tower's zero-shot head")
	}
	if ftSameTensor(before[HeadWeight], ft.Model.Weights[HeadWeight]) {
		t.Errorf("the head did not change")
	}
	// WiSE-FT composes: α = 1 is the FLYP model, α = 0.5 lies between.
	mid, err := Mix(zs, ft, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	if d := ftMaxAbsDiff(mid.Model.Weights["text_projection.weight"], ft.Model.Weights["text_projection.weight"]); d == 0 {
		t.Errorf("the interpolation left the text tower at the fine-tuned one")
	}
}

func TestFLYPRefusals(t *testing.T) {
	zs, ts := flypClassifier(t)
	ds := newFTShapes(8, 1)
	cfg := FineTuneConfig{Epochs: 1, BatchSize: 4, LR: 1e-3}
	if _, err := FineTune(context.Background(), zs, ds, FineTuneConfig{Epochs: 1, BatchSize: 4, LR: 1e-3, FLYP: true}, TrainRun{}); err == nil ||
		!strings.Contains(err.Error(), "call FLYP") {
		t.Errorf("FineTune with FLYP set: %v", err)
	}
	if _, err := FLYP(context.Background(), zs, ds, nil, cfg, TrainRun{}); err == nil || !strings.Contains(err.Error(), "templates") {
		t.Errorf("no templates: %v", err)
	}
	bad := cfg
	bad.LabelSmoothing = 0.1
	if _, err := FLYP(context.Background(), zs, ds, ts, bad, TrainRun{}); err == nil || !strings.Contains(err.Error(), "contrastive") {
		t.Errorf("label smoothing: %v", err)
	}
	bad = cfg
	bad.FreezeEncoder = true
	if _, err := FLYP(context.Background(), zs, ds, ts, bad, TrainRun{}); err == nil || !strings.Contains(err.Error(), "both towers") {
		t.Errorf("frozen encoder: %v", err)
	}
	noTok := zs.Clone()
	noTok.Model.Tokenizer = nil
	if _, err := FLYP(context.Background(), noTok, ds, ts, cfg, TrainRun{}); err == nil || !strings.Contains(err.Error(), "tokenizer") {
		t.Errorf("no tokenizer: %v", err)
	}
}

func TestLPFTFirstStageIsTheLinearClassifier(t *testing.T) {
	if testing.Short() {
		t.Skip("fine-tunes end to end (seconds)")
	}
	zs := ftClassifier(t)
	ds := newFTShapes(16, 4)
	probeCfg := FineTuneConfig{Epochs: 3, BatchSize: 8, LR: 1e-2, WeightDecay: 0.1, WarmupSteps: 1, GradClipNorm: 1, Seed: 5}
	ftCfg := FineTuneConfig{Epochs: 2, BatchSize: 8, LR: 1e-3, WeightDecay: 0.1, WarmupSteps: 1, GradClipNorm: 1, Seed: 6}
	probe, ft, err := LPFT(context.Background(), zs, ds, LPFTConfig{Probe: probeCfg, FineTune: ftCfg}, TrainRun{})
	if err != nil {
		t.Fatal(err)
	}
	// The reference: the linear classifier trained on its own.
	linearCfg := probeCfg
	linearCfg.FreezeEncoder = true
	linear, err := FineTune(context.Background(), zs, ds, linearCfg, TrainRun{})
	if err != nil {
		t.Fatal(err)
	}
	if d := sameBits(probe.Model.Weights, linear.Model.Weights); d != "" {
		t.Fatalf("the probe differs from the linear classifier: %s", d)
	}
	// The second stage is end-to-end fine-tuning started from the probe's head, not the zero-shot one.
	fromProbe, err := FineTune(context.Background(), linear, ds, ftCfg, TrainRun{})
	if err != nil {
		t.Fatal(err)
	}
	if d := sameBits(ft.Model.Weights, fromProbe.Model.Weights); d != "" {
		t.Errorf("LP-FT differs from fine-tuning the probe: %s", d)
	}
	fromZS, err := FineTune(context.Background(), zs, ds, ftCfg, TrainRun{})
	if err != nil {
		t.Fatal(err)
	}
	if ftSameTensor(fromZS.Model.Weights[HeadWeight], ft.Model.Weights[HeadWeight]) {
		t.Errorf("LP-FT's head equals plain fine-tuning's: the probe's head was not used")
	}
	if _, _, err := LPFT(context.Background(), zs, ds, LPFTConfig{Probe: probeCfg, FineTune: linearCfg}, TrainRun{}); err == nil ||
		!strings.Contains(err.Error(), "end to end") {
		t.Errorf("a frozen second stage: %v", err)
	}
}

func TestFLYPShardedStepRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains both towers (seconds)")
	}
	zs, ts := flypClassifier(t)
	ds := newFTShapes(10, 2) // the second batch holds 2 real rows of 8: its second shard is all padding
	cfg := FineTuneConfig{Epochs: 1, BatchSize: 8, LR: 1e-3, GradClipNorm: 1, Seed: 1, Shards: 2}
	var losses []float64
	ft, err := FLYP(context.Background(), zs, ds, ts, cfg, TrainRun{Progress: func(p ProgressInfo) { losses = append(losses, p.Loss) }})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range losses {
		if math.IsNaN(l) || math.IsInf(l, 0) || l <= 0 {
			t.Errorf("losses %v", losses)
		}
	}
	if err := ft.Model.Weights.Check(ft.Model.Config); err != nil {
		t.Error(err)
	}
}

func TestFLYPResumeMatchesUninterruptedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains both towers three times (seconds)")
	}
	zs, ts := flypClassifier(t)
	ds := newFTShapes(12, 3) // 2 steps per epoch, the last one padded
	cfg := FineTuneConfig{Epochs: 2, BatchSize: 8, LR: 1e-3, WeightDecay: 0.1, WarmupSteps: 1, GradClipNorm: 1, Seed: 8}
	dirA, dirB := t.TempDir(), t.TempDir()
	a, err := FLYP(context.Background(), zs, ds, ts, cfg, TrainRun{CheckpointDir: dirA})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FLYP(context.Background(), zs, ds, ts, cfg, TrainRun{CheckpointDir: dirB, StopAfterEpoch: 1}); err == nil {
		t.Fatal("StopAfterEpoch 1 did not stop")
	}
	if _, err := FLYP(context.Background(), zs, ds, ts[:1], cfg, TrainRun{ResumeFrom: CheckpointPath(dirB, 1)}); err == nil ||
		!strings.Contains(err.Error(), "prompt templates") {
		t.Errorf("a resume with other templates: %v", err)
	}
	// The checkpoint records its method, and plain fine-tuning or LP-FT does not continue it.
	if st, err := ReadCheckpointState(CheckpointPath(dirB, 1)); err != nil || st.Recipe.Method != MethodFLYP {
		t.Errorf("the checkpoint records method %q (%v), want flyp", st.Recipe.Method, err)
	}
	if _, err := FineTune(context.Background(), zs, ds, cfg, TrainRun{ResumeFrom: CheckpointPath(dirB, 1)}); err == nil ||
		!strings.Contains(err.Error(), "written by method flyp, this run is ft") {
		t.Errorf("a FineTune resume of a FLYP checkpoint: %v", err)
	}
	_, _, err = LPFT(context.Background(), zs, ds, LPFTConfig{Probe: cfg, FineTune: cfg}, TrainRun{ResumeFrom: CheckpointPath(dirB, 1)})
	if err == nil || !strings.Contains(err.Error(), "written by method flyp, this run is lp-ft") {
		t.Errorf("an LPFT resume of a FLYP checkpoint: %v", err)
	}
	b, err := FLYP(context.Background(), zs, ds, ts, cfg, TrainRun{CheckpointDir: dirB, ResumeFrom: CheckpointPath(dirB, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if d := sameBits(a.Model.Weights, b.Model.Weights); d != "" {
		t.Errorf("the resumed FLYP run differs from the uninterrupted one: %s", d)
	}
}
