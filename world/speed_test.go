package world

import (
	"testing"
	"time"

	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gowiseft/wiseft/clipmodel"
)

func BenchmarkPretrainStep(b *testing.B) {
	cfg := TinyConfig(800)
	ctx := context.New()
	clipmodel.SetWeights(ctx, clipmodel.RandomWeights(cfg, 1))
	s, err := newStepper(ctx, cfg, 0.1, 1)
	if err != nil {
		b.Fatal(err)
	}
	batch := 128
	pixels := make([]float32, batch*3*28*28)
	for i := range pixels {
		pixels[i] = float32(i%17) / 17
	}
	ids := make([]int32, batch*16)
	keys := make([]string, batch)
	for i := 0; i < batch; i++ {
		ids[i*16] = 798
		ids[i*16+1] = int32(i % 50)
		ids[i*16+2] = 799
		keys[i] = string(rune('a' + i%10))
	}
	pt := tensors.FromFlatDataAndDimensions(pixels, batch, 3, 28, 28)
	it := tensors.FromFlatDataAndDimensions(ids, batch, 16)
	tt := tensors.FromFlatDataAndDimensions(softTargets(keys), batch, batch)
	if _, err := s.step(1e-3, pt, it, tt); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := s.step(1e-3, pt, it, tt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "pairs/s")
}
