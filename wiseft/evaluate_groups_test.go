package wiseft

import (
	"context"
	"errors"
	"image"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

// groupsDataset maps each label to several classifier classes, as ObjectNet does.
type groupsDataset struct {
	memDataset
	groups [][]int
}

func (d *groupsDataset) SubsetClassGroups() [][]int { return d.groups }

// brokenDataset fails to read some examples, as a corrupt file in a large dataset does.
type brokenDataset struct {
	memDataset
	broken map[int]bool
}

func (d *brokenDataset) Example(i int) (image.Image, int, error) {
	if d.broken[i] {
		return nil, 0, errors.New("corrupt JPEG")
	}
	return d.memDataset.Example(i)
}

func TestEvaluatorClassGroupsThroughWrappers(t *testing.T) {
	clf := randomClassifier(t, 6, 21)
	base := syntheticDataset("groups", 3, 12, 5)
	ds := &groupsDataset{memDataset: *base, groups: [][]int{{5, 0}, {2}, {1, 3, 4}}}
	ev, err := NewEvaluator(clf, EvalOptions{BatchSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	// A Limit keeps what the wrapped dataset declares.
	limited := datasets.Limit(ds, 10)
	preds, err := ev.Predict(context.Background(), limited, 0)
	if err != nil {
		t.Fatal(err)
	}
	logits := hostLogits(t, clf, ds)
	for i, p := range preds {
		best, bestLogit := 0, -1e300
		for l, g := range ds.groups {
			for _, c := range g {
				if logits[i][c] > bestLogit {
					best, bestLogit = l, logits[i][c]
				}
			}
		}
		if p.Predicted != best {
			t.Errorf("example %d: predicted %d, the group maximum says %d", i, p.Predicted, best)
		}
	}
	if len(preds) != 10 {
		t.Errorf("%d predictions through Limit(10)", len(preds))
	}
}

func TestEvaluatorSkipsUnreadableExamples(t *testing.T) {
	clf := randomClassifier(t, 4, 22)
	base := syntheticDataset("broken", 4, 20, 6)
	ds := &brokenDataset{memDataset: *base, broken: map[int]bool{3: true, 17: true}}
	ev, err := NewEvaluator(clf, EvalOptions{BatchSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	m, err := ev.Evaluate(context.Background(), ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.N != 18 || m.Skipped != 2 || len(m.SkipErrors) != 2 {
		t.Fatalf("N %d, skipped %d (%v): want 18 read and 2 skipped", m.N, m.Skipped, m.SkipErrors)
	}
	// The 18 readable examples get the same predictions as on a clean copy without the two.
	whole, err := ev.Predict(context.Background(), base, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := ev.Predict(context.Background(), ds, 0)
	j := 0
	for _, p := range whole {
		if ds.broken[p.Index] {
			continue
		}
		if got[j].Index != p.Index || got[j].Predicted != p.Predicted {
			t.Fatalf("example %d: %+v vs clean %+v", p.Index, got[j], p)
		}
		j++
	}
	all := &brokenDataset{memDataset: *base, broken: map[int]bool{}}
	for i := range 20 {
		all.broken[i] = true
	}
	if _, err := ev.Evaluate(context.Background(), all, 0); err == nil {
		t.Error("a dataset with no readable example evaluated without error")
	}
}

// TestEvaluatorLabelWithoutClasses: a label with no classifier class (YTBB-Robust's "cow") is never predicted and
// has probability 0; a dataset none of whose labels has a class is refused.
func TestEvaluatorLabelWithoutClasses(t *testing.T) {
	clf := randomClassifier(t, 4, 23)
	base := syntheticDataset("partial", 3, 9, 6)
	ds := &groupsDataset{memDataset: *base, groups: [][]int{{}, {0, 1}, {2, 3}}}
	ev, err := NewEvaluator(clf, EvalOptions{BatchSize: 4, KeepProbs: true})
	if err != nil {
		t.Fatal(err)
	}
	preds, err := ev.Predict(context.Background(), ds, 0)
	if err != nil {
		t.Fatal(err)
	}
	logits := hostLogits(t, clf, ds)
	for i, p := range preds {
		want := 1
		if max(logits[i][2], logits[i][3]) > max(logits[i][0], logits[i][1]) {
			want = 2
		}
		if p.Predicted != want || p.Probs[0] != 0 {
			t.Errorf("example %d: predicted %d (want %d), p(label 0) = %v", i, p.Predicted, want, p.Probs[0])
		}
	}
	none := &groupsDataset{memDataset: *base, groups: [][]int{{}, {}, {}}}
	if _, err := ev.Predict(context.Background(), none, 0); err == nil {
		t.Error("a dataset without any classifier class was evaluated")
	}
}
