package pipeline

import (
	"bytes"
	"fmt"
	"image"
	"runtime"
	"testing"
	"time"

	"github.com/gowiseft/wiseft/clipmodel/preprocess"
)

// jpegSet is a dataset of JPEG files held in memory, decoded on every Example call as a folder dataset's files are.
type jpegSet struct{ files [][]byte }

func (j *jpegSet) Name() string         { return "jpegs" }
func (j *jpegSet) ClassNames() []string { return []string{"a", "b"} }
func (j *jpegSet) Templates() []string  { return []string{"{}"} }
func (j *jpegSet) Len() int             { return len(j.files) }

func (j *jpegSet) Example(i int) (image.Image, int, error) {
	img, err := preprocess.Decode(bytes.NewReader(j.files[i]))
	return img, i % 2, err
}

// BenchmarkDecodePreprocess224 measures the pipeline's throughput on 64 photo-like 500×375 JPEGs (ImageNet's
// typical size): JPEG decode, resize and crop to 224×224, normalise, batch, on runtime.NumCPU() workers.
func BenchmarkDecodePreprocess224(b *testing.B) {
	files := make([][]byte, 64)
	size := 0
	for i := range files {
		files[i] = encodeJPEG(b, photoLike(500, 375, uint64(i)))
		size += len(files[i])
	}
	ds := &jpegSet{files: files}
	for _, train := range []bool{false, true} {
		b.Run(fmt.Sprintf("train=%v", train), func(b *testing.B) {
			cfg := Config{BatchSize: 32, Transform: preprocess.New(224), Train: train, Seed: 1}
			start := time.Now()
			images := 0
			for e := 0; b.Loop(); e++ {
				cfg.Epoch = e
				l, err := New(ds, cfg)
				if err != nil {
					b.Fatal(err)
				}
				for batch := range l.All() {
					images += batch.N
					l.Recycle(batch)
				}
				l.Close()
			}
			secs := time.Since(start).Seconds()
			b.ReportMetric(float64(images)/secs, "images/s")
			b.ReportMetric(float64(images)/secs/float64(runtime.NumCPU()), "images/s/cpu")
			b.ReportMetric(float64(size)/float64(len(files))/1024, "KiB/jpeg")
		})
	}
}
