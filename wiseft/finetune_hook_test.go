package wiseft

import (
	"context"
	"errors"
	"image"
	"slices"
	"sync"
	"testing"
)

// orderRecorder records the order in which fine-tuning asks for examples.
type orderRecorder struct {
	*ftShapes
	mu    sync.Mutex
	order []int
}

func (r *orderRecorder) Example(i int) (image.Image, int, error) {
	r.mu.Lock()
	r.order = append(r.order, i)
	r.mu.Unlock()
	return r.ftShapes.Example(i)
}

// batches returns the sorted example sets of each batch of size b, in the order asked for (a batch's examples are
// decoded in parallel, the batches one after another).
func (r *orderRecorder) batches(b int) [][]int {
	var out [][]int
	for lo := 0; lo < len(r.order); lo += b {
		out = append(out, slices.Sorted(slices.Values(r.order[lo:min(lo+b, len(r.order))])))
	}
	return out
}

// inOrderSet is a training set the paper's code does not shuffle (datasets.InOrder).
type inOrderSet struct{ *orderRecorder }

func (inOrderSet) TrainInOrder() bool { return true }

// TestFineTuneOrderAndAfterEpoch: an InOrder training set is visited in index order every epoch, another in a
// seeded permutation; AfterEpoch sees every epoch (0-based) with the classifier trained so far, and its error stops
// the run.
func TestFineTuneOrderAndAfterEpoch(t *testing.T) {
	zs := ftClassifier(t)
	cfg := FineTuneConfig{Epochs: 2, BatchSize: 4, LR: 1e-3, WarmupSteps: 1, Seed: 5}
	var run TrainRun
	ordered := inOrderSet{&orderRecorder{ftShapes: newFTShapes(8, 2)}}
	var epochs []int
	var snaps []*Classifier
	run.AfterEpoch = func(epoch int, c *Classifier) error {
		epochs = append(epochs, epoch)
		snaps = append(snaps, c.Clone())
		return nil
	}
	ft, err := FineTune(context.Background(), zs, ordered, cfg, run)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{0, 1, 2, 3}, {4, 5, 6, 7}, {0, 1, 2, 3}, {4, 5, 6, 7}}
	if got := ordered.batches(4); !slices.EqualFunc(got, want, slices.Equal[[]int]) {
		t.Errorf("in-order batches %v, want %v", got, want)
	}
	if !slices.Equal(epochs, []int{0, 1}) {
		t.Fatalf("AfterEpoch saw epochs %v", epochs)
	}
	if !ftSameTensor(snaps[1].Model.Weights[HeadWeight], ft.Model.Weights[HeadWeight]) ||
		ftSameTensor(snaps[0].Model.Weights[HeadWeight], ft.Model.Weights[HeadWeight]) ||
		ftSameTensor(snaps[0].Model.Weights[HeadWeight], zs.Model.Weights[HeadWeight]) {
		t.Error("AfterEpoch did not see the classifier as trained after each epoch")
	}

	shuffled := &orderRecorder{ftShapes: newFTShapes(8, 2)}
	if _, err := FineTune(context.Background(), zs, shuffled, cfg, TrainRun{}); err != nil {
		t.Fatal(err)
	}
	got := shuffled.batches(4)
	if slices.EqualFunc(got, want, slices.Equal[[]int]) || len(got) != 4 {
		t.Errorf("a shuffled set was visited in index order: %v", got)
	}

	stop := errors.New("enough")
	run.AfterEpoch = func(int, *Classifier) error { return stop }
	if _, err := FineTune(context.Background(), zs, shuffled, cfg, run); !errors.Is(err, stop) {
		t.Errorf("AfterEpoch's error: got %v", err)
	}
}
