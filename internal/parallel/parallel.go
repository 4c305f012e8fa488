// Package parallel runs the iterations of a loop on several goroutines, each taking the next index as it frees up.
package parallel

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f(i) for every i in [0, n) on up to workers goroutines (workers ≤ 0: GOMAXPROCS) and returns when all
// calls have returned. The calls for different i may run at the same time.
//
//	parallel.For(len(imgs), 0, func(i int) { out[i] = decode(imgs[i]) })
func For(n, workers int, f func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

// ForErr is For for calls that can fail: a goroutine stops at its first error, and ForErr returns the first error
// to occur. A panic in f becomes an error: on another goroutine it could not be recovered by the caller and would
// end the process with a stack trace.
func ForErr(n, workers int, f func(i int) error) error {
	var (
		errOnce  sync.Once
		firstErr error
		failed   atomic.Bool
	)
	For(n, workers, func(i int) {
		if failed.Load() {
			return
		}
		if err := Recovered(func() error { return f(i) }); err != nil {
			errOnce.Do(func() { firstErr = err })
			failed.Store(true)
		}
	})
	return firstErr
}

// Recovered calls f and turns a panic into an error.
func Recovered(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v", r)
		}
	}()
	return f()
}
