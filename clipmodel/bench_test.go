package clipmodel

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// peakRSSMiB reads the process's peak resident memory (VmHWM) from /proc, 0 where unavailable.
func peakRSSMiB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkViTB32Forward measures the ViT-B/32 image tower (random weights; speed does not depend on the values)
// at batch 1 and 16 on the configured backend, reporting images/s and GFLOP/s. Run with
//
//	go test -run '^$' -bench ViTB32Forward -benchtime 3x ./clipmodel
func BenchmarkViTB32Forward(b *testing.B) {
	cfg, err := ConfigByName("ViT-B/32")
	if err != nil {
		b.Fatal(err)
	}
	m := &Model{Config: cfg, Weights: RandomWeights(cfg, 1)}
	enc, err := NewEncoder(m)
	if err != nil {
		b.Fatal(err)
	}
	flops := VisionFLOPs(cfg)
	for _, batch := range []int{1, 16} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			enc.BatchSize = batch
			pixels := make([]float32, batch*3*224*224)
			for i := range pixels {
				pixels[i] = float32(i%251)/125 - 1
			}
			if _, err := enc.EncodeImages(pixels, batch); err != nil { // compile outside the timer
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := enc.EncodeImages(pixels, batch); err != nil {
					b.Fatal(err)
				}
			}
			secs := time.Since(start).Seconds()
			images := float64(b.N * batch)
			b.ReportMetric(images/secs, "images/s")
			b.ReportMetric(images*flops/secs/1e9, "GFLOP/s")
			b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
		})
	}
}
