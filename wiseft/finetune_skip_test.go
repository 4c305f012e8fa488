package wiseft

import (
	"context"
	"errors"
	"image"
	"strings"
	"testing"
)

// ftBroken is ftShapes with some examples that cannot be read, as a corrupt file in an image folder.
type ftBroken struct {
	*ftShapes
	broken map[int]bool
}

func (d *ftBroken) Example(i int) (image.Image, int, error) {
	if d.broken[i] {
		return nil, 0, errors.New("image: unknown format")
	}
	return d.ftShapes.Example(i)
}

// ftInOrder is ftShapes fine-tuned on in index order (datasets.InOrder).
type ftInOrder struct{ *ftShapes }

func (ftInOrder) TrainInOrder() bool { return true }

// TestFineTuneSkipsUnreadableExamples: an unreadable training example is left out of its step and reported, and
// the step is exactly the step on the readable examples alone: a one-step run over 8 examples, 2 of them broken,
// ends with the weights (to rounding) of a one-step run over the 6 readable ones in the order the first run's permutation visits them. A step of broken examples only fails.
func TestFineTuneSkipsUnreadableExamples(t *testing.T) {
	zs := ftClassifier(t)
	all := newFTShapes(8, 5)
	broken := map[int]bool{2: true, 5: true}
	cfg := FineTuneConfig{Epochs: 1, BatchSize: 8, LR: 1e-3, GradClipNorm: 1, Seed: 9}
	var skipped []string
	run := TrainRun{OnSkip: func(err error) { skipped = append(skipped, err.Error()) }}
	got, err := FineTune(context.Background(), zs, &ftBroken{all, broken}, cfg, run)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 2 || !strings.Contains(strings.Join(skipped, " "), "shapes example 2: image: unknown format") ||
		!strings.Contains(strings.Join(skipped, " "), "shapes example 5:") {
		t.Errorf("skips reported: %q", skipped)
	}
	readable := &ftShapes{name: all.name}
	for _, i := range epochPermutation(cfg.Seed, 0, 8) {
		if !broken[i] {
			readable.imgs, readable.labels = append(readable.imgs, all.imgs[i]), append(readable.labels, all.labels[i])
		}
	}
	want, err := FineTune(context.Background(), zs, ftInOrder{readable}, cfg, TrainRun{})
	if err != nil {
		t.Fatal(err)
	}
	// The reference's batch has 6 rows where the run's has 8 (2 of weight 0), so sums may round apart by an ulp;
	// a step that trained on anything else would move the weights by the order of the update itself.
	var off, moved float64
	for k, w := range got.Model.Weights {
		off = max(off, ftMaxAbsDiff(w, want.Model.Weights[k]))
		moved = max(moved, ftMaxAbsDiff(w, zs.Model.Weights[k]))
	}
	if off > 1e-6 || moved < 1e-4 {
		t.Errorf("the step with skipped examples is %g away from the step on the readable ones (the step moved the "+
			"weights by %g)", off, moved)
	}
	none := map[int]bool{}
	for i := range 8 {
		none[i] = true
	}
	_, err = FineTune(context.Background(), zs, &ftBroken{all, none}, cfg, TrainRun{})
	if err == nil || !strings.Contains(err.Error(), "none of its 8 examples can be read") {
		t.Errorf("a step of unreadable examples: %v", err)
	}
}
