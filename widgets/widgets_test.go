package widgets

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/wiseft/figures"
	"github.com/gowiseft/wiseft/world"
)

// synthSweep is a sweep of 11 α over an in-distribution set and two shifts with the usual WiSE-FT shape.
func synthSweep() *wiseft.SweepResult {
	res := &wiseft.SweepResult{Sets: []string{"ID", "ShiftA", "ShiftB"}}
	for k := 0; k <= 10; k++ {
		a := float64(k) / 10
		res.Alphas = append(res.Alphas, a)
		res.Metrics = append(res.Metrics, []wiseft.Metrics{
			{Dataset: "ID", Top1: 0.6 + 0.35*a},
			{Dataset: "ShiftA", Top1: 0.5 + 0.3*a - 0.5*a*a},
			{Dataset: "ShiftB", Top1: 0.4 + 0.2*a - 0.4*a*a},
		})
	}
	return res
}

// wellFormed checks that s parses as XML (the SVG and HTML fragments this package makes are XHTML-compatible).
func wellFormed(t *testing.T, what, s string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader("<root>" + s + "</root>"))
	d.Strict = true
	d.Entity = xml.HTMLEntity
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("%s is not well-formed: %v\n%.400s", what, err, s)
		}
	}
}

// embeddedSVGs decodes the SVG documents of the <img> data URLs in h.
func embeddedSVGs(t *testing.T, h string) []string {
	t.Helper()
	var out []string
	for _, m := range regexp.MustCompile(`data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)`).FindAllStringSubmatch(h, -1) {
		data, err := base64.StdEncoding.DecodeString(m[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(data))
	}
	return out
}

func TestFrameHTML(t *testing.T) {
	res := synthSweep()
	h, err := FrameHTML(res, "ID", []string{"ShiftA", "ShiftB"}, 0.3, "")
	if err != nil {
		t.Fatal(err)
	}
	s := string(h)
	wellFormed(t, "frame", s)
	if !strings.Contains(s, `data-alpha="0.3"`) {
		t.Errorf("frame lacks data-alpha=0.3")
	}
	// Readout: ID at α=0.3 is 70.50%, the average of the shifts at α=0.3 is ((0.545)+(0.424))/2 = 48.45%.
	for _, want := range []string{"70.50", "48.45", "α = 0 (zero-shot)", "α = 1 (fine-tuned)", "avg. of 2 shifts", "+10.50"} {
		if !strings.Contains(s, want) {
			t.Errorf("frame readout lacks %q", want)
		}
	}
	svgs := embeddedSVGs(t, s)
	if len(svgs) != 2 {
		t.Fatalf("frame has %d embedded SVGs, want 2 (curves and scatter)", len(svgs))
	}
	for i, svg := range svgs {
		if !strings.Contains(svg, "<svg") || !strings.Contains(svg, "α = 0.3") {
			t.Errorf("figure %d lacks the α label", i)
		}
	}
	other, err := FrameHTML(res, "ID", []string{"ShiftA", "ShiftB"}, 0.7, "")
	if err != nil {
		t.Fatal(err)
	}
	if o := embeddedSVGs(t, string(other)); o[0] == svgs[0] || o[1] == svgs[1] {
		t.Errorf("the figures at α = 0.3 and α = 0.7 are identical")
	}
	if _, err := FrameHTML(res, "ID", []string{"ShiftA"}, 0.35, ""); err == nil {
		t.Errorf("α = 0.35 is not in the sweep, want an error")
	}
	if _, err := FrameHTML(res, "ID", []string{"Nope"}, 0.3, ""); err == nil {
		t.Errorf("unknown shift: want an error")
	}
}

func TestAlphaExplorerEvaluate(t *testing.T) {
	res := synthSweep()
	calls := 0
	ex := NewAlphaExplorer(res, "ID", []string{"ShiftA", "ShiftB"})
	ex.Evaluate = func(_ context.Context, a float64) ([]wiseft.Metrics, error) {
		calls++
		return []wiseft.Metrics{{Top1: 0.6 + 0.35*a}, {Top1: 0.5}, {Top1: 0.4}}, nil
	}
	if ps := ex.positions(); len(ps) != 21 || ps[7] != 0.35 {
		t.Fatalf("positions with Evaluate = %v, want 0, 0.05, ..., 1", ps)
	}
	h, err := ex.Frame(0.35)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(h), `data-alpha="0.35"`) || calls != 1 || res.Index(0.35) < 0 {
		t.Errorf("α = 0.35 not evaluated once and recorded (calls %d)", calls)
	}
	if _, err := ex.Frame(0.35); err != nil || calls != 1 {
		t.Errorf("α = 0.35 evaluated again (calls %d, err %v)", calls, err)
	}
	ex.Evaluate = func(context.Context, float64) ([]wiseft.Metrics, error) { return nil, nil }
	if _, err := ex.Frame(0.45); err == nil {
		t.Errorf("Evaluate returning no metrics: want an error")
	}
	ex.Evaluate = nil
	if ps := ex.positions(); len(ps) != 12 { // 11 swept + 0.35
		t.Errorf("positions without Evaluate = %v", ps)
	}
	if got := ex.staticAlphas(ex.positions()); len(got) != 3 || got[1] != 0.5 {
		t.Errorf("static α = %v, want [0 0.5 1]", got)
	}
	ex.StaticAlphas = []float64{0.32, 0.34}
	if got := ex.staticAlphas(ex.positions()); len(got) != 2 || got[0] != 0.3 || got[1] != 0.35 {
		t.Errorf("static α snapped = %v", got)
	}
	static, err := ex.StaticHTML([]float64{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(static), `class="wiseft-alpha-frame"`); n != 2 {
		t.Errorf("static rendering has %d frames, want 2", n)
	}
}

func TestShowOutsideNotebook(t *testing.T) {
	// Outside a notebook Show prints the readouts and returns at once.
	ex := NewAlphaExplorer(synthSweep(), "ID", []string{"ShiftA", "ShiftB"})
	if err := ex.Show(); err != nil {
		t.Fatal(err)
	}
	if got := ReadoutText(synthSweep(), "ID", []string{"ShiftA", "ShiftB"}, 0.5); !strings.Contains(got, "ID 77.50%") {
		t.Errorf("ReadoutText = %q", got)
	}
	bad := NewAlphaExplorer(&wiseft.SweepResult{}, "ID", nil)
	if err := bad.Show(); err == nil {
		t.Errorf("empty explorer: want an error")
	}
}

func TestHeadlessEnv(t *testing.T) {
	t.Setenv(StaticEnv, "1")
	if !Headless() {
		t.Errorf("Headless() = false with %s=1", StaticEnv)
	}
	t.Setenv(StaticEnv, "")
	_ = Headless() // go test is not a headless notebook runner: must not fail either way
	if parentOf(os.Getpid()) != os.Getppid() {
		t.Errorf("parentOf(self) = %d, want %d", parentOf(os.Getpid()), os.Getppid())
	}
}

func TestFrontEndTimeout(t *testing.T) {
	e := NewAlphaExplorer(synthSweep(), "ID", nil)
	for _, c := range []struct {
		field time.Duration
		env   string
		want  time.Duration
		bad   bool
	}{
		{0, "", DefaultFrontEndTimeout, false},
		{0, "90s", 90 * time.Second, false},
		{5 * time.Second, "90s", 5 * time.Second, false}, // the field wins over the environment
		{0, "ninety", 0, true},
		{0, "-1s", 0, true},
	} {
		t.Setenv(FrontEndTimeoutEnv, c.env)
		e.FrontEndTimeout = c.field
		got, err := e.frontEndTimeout()
		if c.bad {
			if err == nil || !strings.Contains(err.Error(), FrontEndTimeoutEnv) {
				t.Errorf("%s=%q: err = %v, want an error naming the variable", FrontEndTimeoutEnv, c.env, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("field %s, %s=%q: got %s, %v; want %s", c.field, FrontEndTimeoutEnv, c.env, got, err, c.want)
		}
	}
}

func TestProgressHTML(t *testing.T) {
	h := string(ProgressHTML("fine-tuning <b>", 0.25, "step 5/20", []float64{2, 1.5, math.NaN(), 1}))
	wellFormed(t, "progress", h)
	for _, want := range []string{"width:25.0%", " 25%", "fine-tuning &lt;b&gt;", "step 5/20", "<polyline"} {
		if !strings.Contains(h, want) {
			t.Errorf("progress lacks %q:\n%s", want, h)
		}
	}
	if h := string(ProgressHTML("x", 7, "", nil)); !strings.Contains(h, "width:100.0%") || strings.Contains(h, "<svg") {
		t.Errorf("clamped progress without losses: %s", h)
	}
	if s := Sparkline([]float64{1, 1, 1}, 100, 20); !strings.Contains(s, "polyline") {
		t.Errorf("constant sparkline: %s", s)
	}
	if s := Sparkline([]float64{math.NaN()}, 100, 20); s != "" {
		t.Errorf("all-NaN sparkline = %q, want empty", s)
	}
}

func TestProgressAdapters(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress("sweep")
	p.out = &buf
	sets := []wiseft.EvalSet{{Name: "a", Dataset: fakeDataset(10)}, {Name: "b", Dataset: fakeDataset(30), Limit: 10}}
	f := p.Sweep([]float64{0, 0.5, 1}, sets)
	f("b", 5, 10)
	// Set b follows the 10 images of a; 20 images in all: (10 + 5) / 20.
	if want := 15.0 / 20; math.Abs(p.frac-want) > 1e-12 {
		t.Errorf("sweep progress = %v, want %v", p.frac, want)
	}
	ft := p.FineTune()
	// The training loop's own figure counts only its steps (a linear head on cached features: hundreds of
	// thousands of images a second); the bar divides by its own clock, which started before the feature pass.
	p.start = time.Now().Add(-10 * time.Second)
	ft(wiseft.ProgressInfo{Epoch: 1, Epochs: 2, Step: 3, TotalSteps: 12, Loss: 0.7, ImagesPerSec: 580690, ExamplesRun: 384})
	if p.frac != 0.25 || len(p.losses) != 1 || !strings.Contains(p.status, "loss 0.7000") {
		t.Errorf("fine-tune progress: frac %v losses %v status %q", p.frac, p.losses, p.status)
	}
	// 384 images in 10 s (a little more by the time the callback runs): 38 img/s, never the loop's 580690.
	if !strings.Contains(p.status, " 38 img/s") || strings.Contains(p.status, "580690") {
		t.Errorf("fine-tune throughput: %q, want 38 img/s (384 images in the bar's 10 s)", p.status)
	}
	p.Done(nil)
	if p.frac != 1 || !strings.Contains(p.status, "done in") {
		t.Errorf("done: %v %q", p.frac, p.status)
	}
	p.Set(0.1, "late")
	if p.frac != 1 {
		t.Errorf("update after Done changed the bar")
	}
	c := NewProgress("cached")
	c.out = &buf
	c.Done(nil)
	if !strings.Contains(c.status, "nothing to run") {
		t.Errorf("Done without updates: %q", c.status)
	}
	q := NewProgress("x")
	q.out = &buf
	q.Done(errors.New("boom"))
	if !strings.Contains(q.status, "failed") || !strings.Contains(buf.String(), "boom") {
		t.Errorf("failed progress: %q / %q", q.status, buf.String())
	}
}

// fakeDataset is n black 4x4 images with labels cycling over 3 classes.
func fakeDataset(n int) datasets.Dataset {
	imgs := make([]*image.Gray, n)
	labels := make([]int, n)
	for i := range imgs {
		imgs[i] = image.NewGray(image.Rect(0, 0, 4, 4))
		imgs[i].Pix[i%16] = 255
		labels[i] = i % 3
	}
	ds, err := datasets.NewInMemory("fake", []string{"a", "b", "c"}, []string{"{}"}, imgs, labels)
	if err != nil {
		panic(err)
	}
	return ds
}

func TestTables(t *testing.T) {
	preds := []wiseft.Prediction{{Label: 0, Predicted: 0}, {Label: 0, Predicted: 1}, {Label: 1, Predicted: 1}, {Label: 2, Predicted: 1}}
	m, err := wiseft.MetricsFromPredictions("fake", []string{"zero", "one & <two>", "two"}, preds)
	if err != nil {
		t.Fatal(err)
	}
	h, err := PerClassTable(NamedMetrics{"zero-shot", m}, NamedMetrics{"fine-tuned", m})
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, "per-class table", string(h))
	for _, want := range []string{"one &amp; &lt;two&gt;", ">50.0<", ">100.0<", ">0.0<", "mean per class", ">50.00<"} {
		if !strings.Contains(string(h), want) {
			t.Errorf("per-class table lacks %q", want)
		}
	}
	if _, err := PerClassTable(); err == nil {
		t.Errorf("empty per-class table: want an error")
	}
	svg, err := ConfusionSVG(m, "zero-shot on fake")
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, "confusion SVG", svg)
	if n := strings.Count(svg, "<rect"); n != 9 {
		t.Errorf("confusion SVG has %d cells, want 9", n)
	}
	if !strings.Contains(svg, ">2</text>") && !strings.Contains(svg, ">1</text>") {
		t.Errorf("confusion SVG lacks counts")
	}
	if _, err := ConfusionSVG(wiseft.Metrics{}, ""); err == nil {
		t.Errorf("empty confusion matrix: want an error")
	}
	cm, err := ConfusionMatrices(NamedMetrics{"zs", m}, NamedMetrics{"ft", m})
	if err != nil || strings.Count(string(cm), "<svg") != 2 {
		t.Errorf("ConfusionMatrices: %v", err)
	}
	st, err := SweepTable(synthSweep(), []string{"ShiftA", "ShiftB"}, "ID")
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, "sweep table", string(st))
	if !strings.Contains(string(st), "avg. 2 shifts") || !strings.Contains(string(st), "α = 1, the best on ID") {
		t.Errorf("sweep table:\n%s", st)
	}
	if _, err := SweepTable(synthSweep(), []string{"nope"}, ""); err == nil {
		t.Errorf("unknown shift: want an error")
	}
}

func TestImageGrid(t *testing.T) {
	big := image.NewRGBA(image.Rect(0, 0, 640, 480))
	h, err := ImageGrid([]GridItem{
		{Image: image.NewGray(image.Rect(0, 0, 28, 28)), Caption: "true: <7>",
			Lines: []GridLine{{Text: "zs: 1 90%", Wrong: true}, {Text: "ft: 7 99%", Correct: true}}},
		{Image: big, Caption: "photo"},
	}, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := string(h)
	wellFormed(t, "grid", s)
	for _, want := range []string{"true: &lt;7&gt;", "#c0392b", "#2a7d2a", "image-rendering:pixelated", "data:image/png;base64,", "repeat(4,"} {
		if !strings.Contains(s, want) {
			t.Errorf("grid lacks %q", want)
		}
	}
	if b := thumbnail(big, 168).Bounds(); b.Dx() != 168 || b.Dy() != 126 {
		t.Errorf("thumbnail of 640x480 = %v, want 168x126", b)
	}
	if _, err := ImageGrid([]GridItem{{}}, 0, 0); err == nil {
		t.Errorf("item without image: want an error")
	}
}

// tinyClassifier is the world's CLIP with random weights and a random 3-class head.
func tinyClassifier(t *testing.T, seed uint64) *wiseft.Classifier {
	t.Helper()
	m := &clipmodel.Model{Config: world.TinyConfig(64)}
	m.Weights = clipmodel.RandomWeights(m.Config, seed)
	head := clipmodel.NewTensor(3, m.Config.ProjectionDim)
	for i := range head.Data {
		head.Data[i] = float32(math.Sin(float64(i)*0.7+float64(seed))) * 5
	}
	c, err := wiseft.NewClassifier(m, []string{"a", "b", "c"}, head, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPredictGridAndInterpolation(t *testing.T) {
	zs, ft := tinyClassifier(t, 1), tinyClassifier(t, 2)
	ds := fakeDataset(12)
	idx := []int{3, 0, 7}
	preds, err := Predict(ds, idx, NamedClassifier{"zs", zs}, NamedClassifier{"ft", ft})
	if err != nil {
		t.Fatal(err)
	}
	if len(preds) != 2 || len(preds[0].Predictions) != 3 || preds[0].Predictions[0].Index != 3 || preds[1].Predictions[2].Label != 1 {
		t.Fatalf("predictions: %+v", preds)
	}
	h, err := PredictionGrid(ds, idx, preds, 3)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(h), "<img"); n != 3 {
		t.Errorf("grid has %d images, want 3", n)
	}
	if _, err := Predict(ds, []int{12}, NamedClassifier{"zs", zs}); err == nil {
		t.Errorf("index out of range: want an error")
	}

	sets := []wiseft.EvalSet{{Name: "ID", Dataset: ds}, {Name: "ShiftA", Dataset: ds, Limit: 6}}
	sw, err := wiseft.NewSweeper(zs, ft, wiseft.SweepOptions{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	eval := sw.AlphaFunc(sets)
	res, err := sw.Run(context.Background(), []float64{0, 0.5, 1}, sets)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range res.Alphas {
		ms, err := eval(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		for j := range ms {
			if ms[j].Dataset != res.Sets[j] || ms[j].Top1 != res.Metrics[i][j].Top1 {
				t.Errorf("α=%g %s: evaluator %v (%s), sweep %v", a, res.Sets[j], ms[j].Top1, ms[j].Dataset, res.Metrics[i][j].Top1)
			}
		}
	}
}

// EvaluateWith's estimate is the sweep's answer on the subsample (the same predictions as a full evaluation of
// those examples), and its final answer the sweep's on the whole sets.
func TestEvaluateWith(t *testing.T) {
	zs, ft := tinyClassifier(t, 1), tinyClassifier(t, 2)
	ds := fakeDataset(12)
	sets := []wiseft.EvalSet{{Name: "ID", Dataset: ds}, {Name: "ShiftA", Dataset: ds, Limit: 6}}
	res, err := wiseft.Sweep(context.Background(), zs, ft, []float64{0.3}, sets, wiseft.SweepOptions{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := wiseft.Sweep(context.Background(), zs, ft, []float64{0.3}, SubsampleSets(sets, 3), wiseft.SweepOptions{BatchSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	ex := NewAlphaExplorer(res, "ID", []string{"ShiftA"})
	if err := ex.EvaluateWith(zs, ft, wiseft.SweepOptions{BatchSize: 128}, sets, 3); err != nil {
		t.Fatal(err)
	}
	final, err := ex.Evaluate(context.Background(), 0.3)
	if err != nil {
		t.Fatal(err)
	}
	est, err := ex.Estimate(context.Background(), 0.3)
	if err != nil {
		t.Fatal(err)
	}
	for j := range sets {
		if final[j].N != res.Metrics[0][j].N || final[j].Top1 != res.Metrics[0][j].Top1 {
			t.Errorf("%s: final %d images %v, sweep %d images %v", res.Sets[j], final[j].N, final[j].Top1,
				res.Metrics[0][j].N, res.Metrics[0][j].Top1)
		}
		if est[j].N != 3 || est[j].Top1 != sub.Metrics[0][j].Top1 {
			t.Errorf("%s: estimate %d images %v, want 3 images %v", res.Sets[j], est[j].N, est[j].Top1, sub.Metrics[0][j].Top1)
		}
	}
	if err := ex.EvaluateWith(zs, ft, wiseft.SweepOptions{}, []wiseft.EvalSet{{Name: "x"}}, 0); err == nil {
		t.Errorf("a set without a dataset: want an error")
	}
}

func TestCacheAndWorkDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(WorkEnv, dir)
	t.Setenv(QuickEnv, "1")
	w1, err := WorkDir("nb", map[string]int{"epochs": 1})
	if err != nil {
		t.Fatal(err)
	}
	w2, _ := WorkDir("nb", map[string]int{"epochs": 2})
	if w1 == w2 || !strings.HasPrefix(w1, filepath.Join(dir, "nb-quick")) {
		t.Errorf("work dirs %q and %q", w1, w2)
	}
	if _, err := os.Stat(filepath.Join(w1, "settings.json")); err != nil {
		t.Errorf("no settings.json: %v", err)
	}
	if Pick(1, 2) != 2 {
		t.Errorf("Pick in quick mode")
	}
	res := synthSweep()
	res.Metrics[0][0].PerClassAccuracy = []float64{math.NaN(), 1}
	path := filepath.Join(w1, "sweep.gob")
	calls := 0
	mk := func() (*wiseft.SweepResult, error) { calls++; return res, nil }
	for range 2 {
		got, err := CachedSweep(path, mk)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Alphas) != 11 || !math.IsNaN(got.Metrics[0][0].PerClassAccuracy[0]) || got.Metrics[10][0].Top1 != res.Metrics[10][0].Top1 {
			t.Errorf("cached sweep differs")
		}
	}
	if calls != 1 {
		t.Errorf("sweep made %d times, want 1", calls)
	}
	zs := tinyClassifier(t, 1)
	made := 0
	for range 2 {
		c, err := CachedClassifier(filepath.Join(w1, "zs"), zs.ClassNames, func() (*wiseft.Classifier, error) { made++; return zs, nil })
		if err != nil {
			t.Fatal(err)
		}
		if c.Model.Weights[wiseft.HeadWeight].Data[5] != zs.Model.Weights[wiseft.HeadWeight].Data[5] {
			t.Errorf("cached classifier differs")
		}
	}
	if made != 1 {
		t.Errorf("classifier made %d times, want 1", made)
	}
}

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "widgets", "doc.go")); err != nil {
		t.Errorf("RepoRoot = %s, which has no widgets/doc.go", root)
	}
	t.Setenv(RootEnv, t.TempDir())
	if r, _ := RepoRoot(); r == root {
		t.Errorf("%s ignored", RootEnv)
	}
}

func TestMust(t *testing.T) {
	if Must(3, nil) != 3 {
		t.Fail()
	}
	defer func() {
		if recover() == nil {
			t.Errorf("Must with an error did not panic")
		}
	}()
	Must0(errors.New("x"))
}

func TestDistanceTable(t *testing.T) {
	a, b := tinyClassifier(t, 1), tinyClassifier(t, 1)
	b.Model.Weights["vision_model.encoder.layers.1.mlp.fc1.bias"].Data[0] += 3
	ds, err := wiseft.WeightDistances(a.Model.Weights, b.Model.Weights)
	if err != nil {
		t.Fatal(err)
	}
	h := string(DistanceTable(ds))
	wellFormed(t, "distance table", h)
	if !strings.Contains(h, "vision layer 1") || !strings.Contains(h, "total") {
		t.Errorf("distance table:\n%s", h)
	}
}

func TestLines(t *testing.T) {
	f, err := Lines("loss <path>", "α", "loss", []float64{0, 1},
		Series{Name: "train", X: []float64{-0.5, 0, 0.5, 1}, Y: []float64{2, 1, 0.5, math.NaN()}},
		Series{Name: "test", X: []float64{-0.5, 0, 0.5, 1}, Y: []float64{2.5, 1.5, 1, 1.2}, Dashed: true})
	if err != nil {
		t.Fatal(err)
	}
	svg, err := f.SVG()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("train")) || !bytes.Contains(svg, []byte("test")) {
		t.Errorf("the legend lacks the series")
	}
	// Rising data leave the top-left corner free: the legend goes there and the y axis keeps 6 % of the data's
	// span on each side, every labelled step labelled (none left blank for the legend).
	xs := []float64{0, 0.25, 0.5, 0.75, 1}
	g, err := Lines("acc", "α", "%", nil,
		Series{Name: "a", X: xs, Y: []float64{60, 61, 62, 80, 90}}, Series{Name: "b", X: xs, Y: []float64{55, 56, 58, 75, 88}})
	if err != nil {
		t.Fatal(err)
	}
	span := 90.0 - 55
	if math.Abs(g.Plot.Y.Min-(55-0.06*span)) > 1e-9 || math.Abs(g.Plot.Y.Max-(90+0.06*span)) > 1e-9 {
		t.Errorf("y range [%v, %v], want the data [55, 90] padded by 6 %% of the span", g.Plot.Y.Min, g.Plot.Y.Max)
	}
	if !g.Plot.Legend.Top || !g.Plot.Legend.Left {
		t.Errorf("legend top %v left %v, want the free top-left corner", g.Plot.Legend.Top, g.Plot.Legend.Left)
	}
	var labelled []float64
	for _, tk := range g.Plot.Y.Tick.Marker.Ticks(g.Plot.Y.Min, g.Plot.Y.Max) {
		if tk.Label != "" {
			labelled = append(labelled, tk.Value)
		}
	}
	// The range is 52.9..92.1: a fifth of it is 7.8, whose nearest round step is 10, so 60, 70, 80 and 90 are
	// labelled, the top one included.
	if want := []float64{60, 70, 80, 90}; !slices.Equal(labelled, want) {
		t.Errorf("labelled y ticks %v, want %v", labelled, want)
	}
	// Flat data (the linear classifier's two ensembles, identical at every α) get 2 % of their size as span.
	flat, err := Lines("flat", "α", "%", nil, Series{Name: "a", X: xs, Y: []float64{95.8, 95.8, 95.8, 95.8, 95.8}})
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := flat.Plot.Y.Min, flat.Plot.Y.Max; math.Abs(lo-(95.8-0.958-0.06*1.916)) > 1e-9 || math.Abs(hi-(95.8+0.958+0.06*1.916)) > 1e-9 {
		t.Errorf("flat data: y range [%v, %v], want 95.8 ± (0.958 + 6 %% of 1.916)", lo, hi)
	}
	if _, err := Lines("x", "", "", nil); err == nil {
		t.Errorf("no series: want an error")
	}
	if _, err := Lines("x", "", "", nil, Series{X: []float64{1}}); err == nil {
		t.Errorf("mismatched series: want an error")
	}
}

func TestSummaryAndCompare(t *testing.T) {
	res := synthSweep()
	table := SummaryTable(res, "ID", []string{"ShiftA", "ShiftB"})
	lines := strings.Split(table, "\n")
	if !strings.HasPrefix(lines[0], "α ") || !strings.Contains(lines[0], "shifts") || !strings.HasPrefix(lines[1], "0 ") ||
		!strings.Contains(lines[6], "77.50") || !strings.Contains(table, "average of the 2 shift columns") {
		t.Errorf("summary table:\n%s", table)
	}
	recs := res.Records(nil)
	if d := CompareWithRecords(res, recs); len(d) != 0 {
		t.Errorf("identical sweep differs: %v", d)
	}
	recs[3]["ShiftA:top1"] = 0.123
	delete(recs[4], "ID:f1")
	d := CompareWithRecords(res, recs[:10])
	if len(d) != 3 || !strings.Contains(d[0], "ShiftA:top1") || !strings.Contains(d[1], "no ID:f1") || !strings.Contains(d[2], "α = 1: no record") {
		t.Errorf("differences: %q", d)
	}
}

func TestTopKAndSheets(t *testing.T) {
	src := fakeDataset(9)
	if k := TopK(wiseft.Prediction{Probs: []float32{0.1, 0.5, 0.2, 0.2}}, 3); k[0] != 1 || k[1] != 2 || k[2] != 3 {
		t.Errorf("TopK = %v", k)
	}
	h, err := DatasetSheets(5, src, fakeDataset(2))
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, "dataset sheets", string(h))
	if strings.Count(string(h), "<img") != 2 || !strings.Contains(string(h), "9 images") {
		t.Errorf("sheets:\n%s", h)
	}
	strip, err := Strip(src, []int{0, 1, 2})
	if err != nil || strip.Bounds().Dx() != 3*5+1 || strip.Bounds().Dy() != 6 {
		t.Errorf("strip: %v %v", strip.Bounds(), err)
	}
}

func TestLoadSweepOfNothing(t *testing.T) {
	if _, err := LoadSweep(filepath.Join(t.TempDir(), "none.gob")); err == nil {
		t.Errorf("LoadSweep of nothing: want an error")
	}
}

func TestNiceTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{-0.5, 1.5, "-0.5 0.0 0.5 1.0 1.5"},
		{74.3, 99.8, "75 80 85 90 95"},
		{0.05, 0.93, "0.2 0.4 0.6 0.8"},
		{0, 1, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{81, 99.4, "85 90 95"},
		{0.1, 0.9, "0.2 0.4 0.6 0.8"},
	} {
		var labels []string
		for _, tk := range (figures.RoundTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, " "); got != c.want {
			t.Errorf("ticks of [%g, %g] = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
	for _, tk := range (figures.RoundTicks{MaxLabelled: 100}).Ticks(80, 110) {
		if tk.Value > 100 && tk.Label != "" {
			t.Errorf("tick %v above labelsTo is labelled %q", tk.Value, tk.Label)
		}
	}
}
