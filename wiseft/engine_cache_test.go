package wiseft

import (
	"context"
	"testing"
)

// An evaluator with a batch above 256 keeps a program for every batch size passBatch can give (multiples of 8): 34
// set sizes in a row, more than GoMLX's default cache of 32 programs, all evaluate.
func TestEvaluatorManySetSizes(t *testing.T) {
	ev, err := NewEvaluator(randomClassifier(t, 4, 61), EvalOptions{BatchSize: 512, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	ds := syntheticDataset("small", 4, 300, 63)
	for k := range 34 {
		if _, err := ev.Evaluate(context.Background(), ds, 8*k+1); err != nil {
			t.Fatalf("limit %d: %v", 8*k+1, err)
		}
	}
}
