package clipmodel

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// tileTo gives what an explicit broadcast gives, for leading, trailing, middle and several axes, sizes that are
// powers of two and sizes that are not.
func TestTileTo(t *testing.T) {
	b := testBackend(t)
	cases := []struct{ from, to []int }{
		{[]int{1, 5}, []int{11, 5}},
		{[]int{1, 5}, []int{16, 5}},
		{[]int{6, 1}, []int{6, 13}},
		{[]int{1, 1, 4}, []int{3, 7, 4}},
		{[]int{2, 1, 3}, []int{2, 9, 3}},
		{[]int{1, 3, 1}, []int{5, 3, 6}},
		{[]int{1, 1, 1, 17}, []int{2, 4, 17, 17}},
		{[]int{2, 4, 17, 1}, []int{2, 4, 17, 17}},
		{[]int{3, 4}, []int{3, 4}},
	}
	for _, c := range cases {
		size := 1
		for _, d := range c.from {
			size *= d
		}
		data := make([]float32, size)
		for i := range data {
			data[i] = float32(i) + 0.25
		}
		outs, err := graph.MustNewExec(b, func(v *graph.Node) []*graph.Node {
			return []*graph.Node{tileTo(v, c.to), graph.BroadcastToDims(v, c.to...)}
		}).Exec(tensors.FromFlatDataAndDimensions(data, c.from...))
		if err != nil {
			t.Fatalf("%v → %v: %v", c.from, c.to, err)
		}
		got, want := tensors.MustCopyFlatData[float32](outs[0]), tensors.MustCopyFlatData[float32](outs[1])
		if !outs[0].Shape().Equal(outs[1].Shape()) {
			t.Fatalf("%v → %v: shape %s, want %s", c.from, c.to, outs[0].Shape(), outs[1].Shape())
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v → %v: element %d is %g, want %g", c.from, c.to, i, got[i], want[i])
			}
		}
	}
}

// Broadcasting by copy changes no bit of any stage of either tower: every element is the same float operation on
// the same two values. Checked on the golden fixture's inputs and on a batch of 5 random images (17 tokens, a size
// that is not a power of two).
func TestCopyBroadcastSameOutputs(t *testing.T) {
	cfg, plain := fixtureContext(t)
	_, copied := fixtureContext(t)
	SetCopyBroadcast(copied, true)
	g := loadGolden(t)
	rng := rand.New(rand.NewPCG(3, 4))
	v := cfg.Vision
	random := make([]float32, 5*v.Channels*v.ImageSize*v.ImageSize)
	for i := range random {
		random[i] = float32(rng.NormFloat64())
	}
	vision := func(ctx *context.Context, x *graph.Node, trace TraceFn) {
		trace("image_embeds", Normalize(cfg.ImageFeatures(ctx, x, trace)))
	}
	text := func(ctx *context.Context, x *graph.Node, trace TraceFn) {
		trace("text_embeds", Normalize(cfg.TextFeatures(ctx, x, trace)))
	}
	for _, run := range []struct {
		name  string
		build func(ctx *context.Context, x *graph.Node, trace TraceFn)
		input *tensors.Tensor
	}{
		{"golden images", vision, goldenTensor(t, g, "pixel_values")},
		{"random images", vision, tensors.FromFlatDataAndDimensions(random, 5, v.Channels, v.ImageSize, v.ImageSize)},
		{"golden texts", text, goldenTensor(t, g, "input_ids")},
	} {
		want := runTraced(t, plain, run.build, run.input)
		got := runTraced(t, copied, run.build, run.input)
		if len(got) != len(want) || len(want) < 5 {
			t.Fatalf("%s: %d stages with copies, %d without", run.name, len(got), len(want))
		}
		for name, w := range want {
			wd, gd := tensors.MustCopyFlatData[float32](w), tensors.MustCopyFlatData[float32](got[name])
			for i := range wd {
				if math.Float32bits(wd[i]) != math.Float32bits(gd[i]) {
					t.Fatalf("%s, stage %s, element %d: %g with copies, %g without", run.name, name, i, gd[i], wd[i])
				}
			}
		}
	}
}

// A forward-only program's image features (the last layer at the class token only, broadcasts by copy on SimpleGo)
// equal the full program's, bit for bit on SimpleGo, on the golden fixture and on the shipped world's model shape
// at the batch sizes the evaluator runs (where SimpleGo switches between its two matrix-product algorithms).
func TestPooledLastLayerSameOutputs(t *testing.T) {
	be := testBackend(t)
	fixtureCfg, _ := fixtureContext(t)
	worldCfg, err := ReadHFConfig("../world/model/config.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		cfg     Config
		batches []int
	}{{fixtureCfg, []int{1, 4}}, {worldCfg, []int{1, 32, 160, 256}}} {
		w := RandomWeights(c.cfg, 7)
		plain, fwd := context.New(), context.New()
		SetWeights(plain, w)
		SetWeights(fwd, w)
		SetForwardOnly(fwd, be)
		v := c.cfg.Vision
		for _, n := range c.batches {
			rng := rand.New(rand.NewPCG(uint64(n), 5))
			px := make([]float32, n*v.Channels*v.ImageSize*v.ImageSize)
			for i := range px {
				px[i] = float32(rng.NormFloat64())
			}
			in := tensors.FromFlatDataAndDimensions(px, n, v.Channels, v.ImageSize, v.ImageSize)
			features := func(ctx *context.Context) []float32 {
				exec, err := context.NewExec(be, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
					return c.cfg.ImageFeatures(ctx, x, nil)
				})
				if err != nil {
					t.Fatal(err)
				}
				out, err := exec.Exec(in)
				if err != nil {
					t.Fatal(err)
				}
				return tensors.MustCopyFlatData[float32](out[0])
			}
			want, got := features(plain), features(fwd)
			// Elsewhere (XLA) the products may sum in another order for fewer rows: within 1e-5.
			same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
			if be.String() != "go" {
				same = func(a, b float32) bool { return math.Abs(float64(a-b)) <= 1e-5*(1+math.Abs(float64(b))) }
			}
			for i := range want {
				if !same(got[i], want[i]) {
					t.Fatalf("%d layers, batch %d, value %d: %g forward-only, %g full", v.Layers, n, i, got[i], want[i])
				}
			}
		}
	}
}
