package parallel

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

func TestForVisitsEveryIndexOnce(t *testing.T) {
	for _, c := range []struct{ n, workers int }{{0, 4}, {1, 0}, {7, 3}, {100, 0}, {5, 50}} {
		counts := make([]atomic.Int32, c.n)
		For(c.n, c.workers, func(i int) { counts[i].Add(1) })
		for i := range counts {
			if got := counts[i].Load(); got != 1 {
				t.Errorf("n=%d workers=%d: index %d visited %d times", c.n, c.workers, i, got)
			}
		}
	}
}

func TestForErrReturnsAnErrorAndRecoversPanics(t *testing.T) {
	if err := ForErr(10, 3, func(int) error { return nil }); err != nil {
		t.Fatalf("no failing call: %v", err)
	}
	boom := errors.New("boom")
	if err := ForErr(50, 4, func(i int) error {
		if i == 17 {
			return boom
		}
		return nil
	}); !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
	err := ForErr(5, 2, func(i int) error {
		if i == 3 {
			panic("decoder bug")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "decoder bug") {
		t.Errorf("a panic gave %v, want an error naming it", err)
	}
}
