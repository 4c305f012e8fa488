package wiseft

import (
	"context"
	"testing"
)

// TestPassBatchDoesNotChangeResults: a set smaller than a full batch per worker is split into one batch per worker
// (passBatch), so the batch a row runs in depends on the worker count; each example's prediction and softmax must
// not, bit for bit. 70 examples on the compiled batch of 64: one worker runs batches of 64 and 6 (padded to 64),
// two run 35-example batches padded to 40 (a multiple of 8), three run batches of 24.
func TestPassBatchDoesNotChangeResults(t *testing.T) {
	zs := randomClassifier(t, 4, 61)
	ft := finetuned(zs, 62, 0.5)
	ds := syntheticDataset("small", 4, 70, 63)
	var want []Prediction
	for _, workers := range []int{1, 2, 3} {
		sw, err := NewSweeper(zs, ft, SweepOptions{BatchSize: 64, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		if got, wantBatch := sw.e.passBatch(ds.Len()), map[int]int{1: 64, 2: 40, 3: 24}[workers]; got != wantBatch {
			t.Errorf("%d workers: batch %d, want %d", workers, got, wantBatch)
		}
		r, err := sw.e.pass(context.Background(), ds, nil, []point{alphaPoint(0.4)}, true, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := r.preds[0]
		if want == nil {
			want = got
			continue
		}
		if len(got) != len(want) {
			t.Fatalf("%d workers: %d predictions, want %d", workers, len(got), len(want))
		}
		for i := range want {
			if got[i].Index != want[i].Index || got[i].Predicted != want[i].Predicted || got[i].Confidence != want[i].Confidence {
				t.Fatalf("%d workers, example %d: %+v, one worker %+v", workers, i, got[i], want[i])
			}
			for c := range want[i].Probs {
				if got[i].Probs[c] != want[i].Probs[c] {
					t.Fatalf("%d workers, example %d class %d: %v, one worker %v", workers, i, c, got[i].Probs[c], want[i].Probs[c])
				}
			}
		}
	}
}
