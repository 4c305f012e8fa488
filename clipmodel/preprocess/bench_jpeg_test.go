package preprocess

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"syscall"
	"testing"
	"time"

	"github.com/gowiseft/wiseft/internal/parallel"
)

// BenchmarkJPEG measures JPEG decoding alone and the whole evaluation
// transform (decode, bicubic resize of the shorter side to 224, centre crop,
// normalise) over the 300 photo-sized JPEGs of benchPhotoDir, read from disk
// on one and on two workers (GOMAXPROCS set to the number of workers, so one
// worker is one core, the garbage collector included; -cpu does not reach
// sub-benchmarks). With
// WISEFT_JPEG_BENCH_DIR set, the same files are left for the Pillow side
// (scripts/bench-jpeg.sh runs both). Metrics: images/s (wall clock), and the
// process's processor time per image (user+system, all threads: the GC's
// work included), which tells a slow core from a busy machine, and the share
// of that time the garbage collector used.
//
// decoder=turbo is libjpeg-turbo (cgo builds), decoder=go image/jpeg;
// eval-dct is the transform with DCTScaling. control is a register-only loop
// of about the transform's duration: how well the machine itself scales from
// one worker to two at the time of the run.
func BenchmarkJPEG(b *testing.B) {
	_, paths := benchPhotoDir(b)
	decoders := []struct {
		name string
		opt  decodeOptions
	}{{"go", decodeOptions{pureGo: true}}}
	if TurboJPEG {
		decoders = append([]struct {
			name string
			opt  decodeOptions
		}{{"turbo", decodeOptions{}}}, decoders...)
	}
	tr := New(224)
	for _, d := range decoders {
		for _, work := range []string{"decode", "eval", "eval-dct"} {
			if work == "eval-dct" && d.name != "turbo" {
				continue
			}
			b.Run("decoder="+d.name+"/"+work, func(b *testing.B) {
				opt := d.opt
				if work == "eval-dct" {
					opt.draftSize = tr.Size
				}
				benchImages(b, len(paths), func(i int) {
					img, err := loadImage(paths[i], opt)
					if err != nil {
						panic(err)
					}
					if work != "decode" {
						tr.Eval(img)
					}
				})
			})
		}
	}
	b.Run("control", func(b *testing.B) {
		benchImages(b, len(paths), func(i int) {
			x := uint64(i) + 1
			for range 4_000_000 {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
			}
			if x == 0 {
				panic("unreachable")
			}
		})
	})
}

// benchImages runs f on every index in [0, n), per iteration, on one and on
// two workers, with GOMAXPROCS equal to the workers, and reports images/s
// and processor milliseconds per image.
func benchImages(b *testing.B, n int, f func(i int)) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(workers))
			runtime.GC()
			gc0, cpu0, start, images := gcCPU(), cpuTime(), time.Now(), 0
			for b.Loop() {
				parallel.For(n, workers, f)
				images += n
			}
			wall, cpu, gc := time.Since(start), cpuTime()-cpu0, gcCPU()-gc0
			b.ReportMetric(float64(images)/wall.Seconds(), "img/s")
			b.ReportMetric(cpu.Seconds()*1000/float64(images), "cpu-ms/img")
			b.ReportMetric(100*gc/cpu.Seconds(), "gc-%")
			b.ReportMetric(0, "ns/op") // one op is 300 images; img/s says it per image
		})
	}
}

// gcCPU is the processor time the garbage collector has used so far, in
// seconds, as the runtime estimates it.
func gcCPU() float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return s[0].Value.Float64()
}

// cpuTime is the process's user + system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
