package clipmodel

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel/safetensors"
)

const fixtureDir = "testdata/clip"

// goldenTolerance is the bound for every stage against the reference implementation.
const goldenTolerance = 1e-4

func loadGolden(t *testing.T) *safetensors.File {
	t.Helper()
	f, err := safetensors.ReadFile(filepath.Join(fixtureDir, "golden.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func fixtureContext(t *testing.T) (Config, *context.Context) {
	t.Helper()
	cfg, err := ReadHFConfig(filepath.Join(fixtureDir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(filepath.Join(fixtureDir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := WeightsFromSafetensors(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Check(cfg); err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	SetWeights(ctx, w)
	return cfg, ctx
}

func goldenTensor(t *testing.T, g *safetensors.File, name string) *tensors.Tensor {
	t.Helper()
	gt, ok := g.Tensors[name]
	if !ok {
		t.Fatalf("golden file has no %q", name)
	}
	if gt.DType == safetensors.I64 {
		v, _ := gt.Int64()
		return tensors.FromFlatDataAndDimensions(v, gt.Shape...)
	}
	v, err := gt.Float32()
	if err != nil {
		t.Fatal(err)
	}
	return tensors.FromFlatDataAndDimensions(v, gt.Shape...)
}

func compare(t *testing.T, g *safetensors.File, name string, got *tensors.Tensor) {
	t.Helper()
	want, err := g.Tensors[name].Float32()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	data, err := tensors.CopyFlatData[float32](got)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(data) != len(want) {
		t.Fatalf("%s: %d values (shape %s), golden has %d %v", name, len(data), got.Shape(), len(want), g.Tensors[name].Shape)
	}
	worst := 0.0
	for i := range want {
		worst = math.Max(worst, math.Abs(float64(data[i]-want[i])))
	}
	if worst > goldenTolerance {
		t.Errorf("%s: max abs difference %.3g > %g", name, worst, goldenTolerance)
	} else {
		t.Logf("%s: max abs difference %.2g", name, worst)
	}
}

// runTraced executes a tower and returns every traced stage by name.
func runTraced(t *testing.T, ctx *context.Context, build func(ctx *context.Context, x *graph.Node, trace TraceFn), input *tensors.Tensor) map[string]*tensors.Tensor {
	t.Helper()
	var names []string
	exec, err := context.NewExec(testBackend(t), ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
		var outs []*graph.Node
		names = names[:0]
		build(ctx, x, func(name string, n *graph.Node) {
			names = append(names, name)
			outs = append(outs, n)
		})
		return outs
	})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := exec.Exec(input)
	if err != nil {
		t.Fatal(err)
	}
	res := make(map[string]*tensors.Tensor, len(outs))
	for i, o := range outs {
		res[names[i]] = o
	}
	return res
}

func TestGoldenVisionStages(t *testing.T) {
	cfg, ctx := fixtureContext(t)
	g := loadGolden(t)
	got := runTraced(t, ctx, func(ctx *context.Context, x *graph.Node, trace TraceFn) {
		f := cfg.ImageFeatures(ctx, x, trace)
		trace("image_embeds", Normalize(f))
	}, goldenTensor(t, g, "pixel_values"))
	for _, name := range []string{"vision_embeddings", "vision_pre_layrnorm", "vision_layer_0", "vision_layer_1",
		"vision_last_hidden_state", "vision_pooled", "image_features", "image_embeds"} {
		compare(t, g, name, got[name])
	}
}

func TestGoldenTextStages(t *testing.T) {
	cfg, ctx := fixtureContext(t)
	g := loadGolden(t)
	got := runTraced(t, ctx, func(ctx *context.Context, x *graph.Node, trace TraceFn) {
		f := cfg.TextFeatures(ctx, x, trace)
		trace("text_embeds", Normalize(f))
	}, goldenTensor(t, g, "input_ids"))
	for _, name := range []string{"text_embeddings", "text_layer_0", "text_layer_1", "text_last_hidden_state",
		"text_pooled", "text_features", "text_embeds"} {
		compare(t, g, name, got[name])
	}
}

// testBackend is the process backend, or the test's end.
func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := Backend()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
