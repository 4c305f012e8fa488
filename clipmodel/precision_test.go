package clipmodel

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// bf16Tolerance bounds how far the fixture's logits computed in bfloat16 (8 bits of mantissa: relative rounding
// 2⁻⁹ per operation) may land from the float32 ones, relative to the largest logit. SimpleGo lands at 1.5%.
const bf16Tolerance = 0.04

func requireBF16(t *testing.T) {
	t.Helper()
	if !testBackend(t).Capabilities().DTypes[dtypes.BFloat16] {
		t.Skipf("backend %s does not support bfloat16", testBackend(t).Name())
	}
}

// encodeGolden returns the fixture's logits per image with the encoder in its current DType.
func encodeGolden(t *testing.T, enc *Encoder) []float32 {
	t.Helper()
	g := loadGolden(t)
	pixels, _ := g.Tensors["pixel_values"].Float32()
	ids, _ := g.Tensors["input_ids"].Int64()
	img, err := enc.EncodeImages(pixels, 4)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := enc.EncodeTexts(ids, 3)
	if err != nil {
		t.Fatal(err)
	}
	scale, err := enc.LogitScale()
	if err != nil {
		t.Fatal(err)
	}
	return LogitsPerImage(img, 4, txt, 3, scale)
}

func TestEncoderBF16CloseToFloat32(t *testing.T) {
	requireBF16(t)
	m, err := Load(hfFolder(t))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := NewEncoder(m)
	if err != nil {
		t.Fatal(err)
	}
	f32 := encodeGolden(t, enc)
	enc.DType = dtypes.BFloat16
	bf16 := encodeGolden(t, enc)
	enc.DType = dtypes.Float32
	again := encodeGolden(t, enc)
	worst, largest, changed := 0.0, 0.0, false
	for i := range f32 {
		d := math.Abs(float64(bf16[i] - f32[i]))
		worst = math.Max(worst, d)
		largest = math.Max(largest, math.Abs(float64(f32[i])))
		changed = changed || d > 0
		if again[i] != f32[i] {
			t.Fatalf("logit %d: %g in float32, %g after switching back from bfloat16", i, f32[i], again[i])
		}
	}
	t.Logf("bfloat16 vs float32 logits: max abs difference %.3g (largest logit %.3g)", worst, largest)
	if worst > bf16Tolerance*largest {
		t.Errorf("bfloat16 logits differ from float32 ones by up to %.3g > %g·%.3g", worst, bf16Tolerance, largest)
	}
	if !changed {
		t.Errorf("bfloat16 logits are identical to float32 ones: the compute dtype was not applied")
	}
	if d := goldenLogitsDiff(t, m); d > goldenTolerance {
		t.Errorf("float32 logits differ from the reference by %g", d)
	}
}

// The bfloat16 graph keeps float32 variables and float32 outputs, and its gradients reach the float32 weights.
func TestComputeDTypeGradients(t *testing.T) {
	requireBF16(t)
	cfg, ctx := fixtureContext(t)
	SetComputeDType(ctx, dtypes.BFloat16)
	g := loadGolden(t)
	pixels := goldenTensor(t, g, "pixel_values")
	key := "vision_model.encoder.layers.0.mlp.fc1.weight"
	exec, err := context.NewExec(testBackend(t), ctx.Reuse(), func(ctx *context.Context, x *graph.Node) []*graph.Node {
		f := cfg.ImageFeatures(ctx, x, nil)
		loss := graph.ReduceAllSum(graph.Square(f))
		v := ctx.GetVariableByScopeAndName(KeyToScope(key))
		grad := graph.Gradient(loss, v.ValueGraph(x.Graph()))[0]
		return []*graph.Node{f, loss, grad}
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(pixels)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].DType() != dtypes.Float32 || out[2].DType() != dtypes.Float32 {
		t.Fatalf("features %s and gradient %s: want float32", out[0].Shape(), out[2].Shape())
	}
	grad := tensors.MustCopyFlatData[float32](out[2])
	norm := 0.0
	for _, v := range grad {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("non-finite gradient")
		}
		norm += float64(v) * float64(v)
	}
	if norm == 0 {
		t.Fatalf("zero gradient for %s", key)
	}
	if loss := tensors.ToScalar[float32](out[1]); math.IsNaN(float64(loss)) || loss <= 0 {
		t.Fatalf("loss %g", loss)
	}
}
