// Package pipeline feeds a datasets.Dataset to training or evaluation in batches of preprocessed pixels, decoding
// and transforming examples on all cores while the consumer works on the previous batches.
//
//	l, err := pipeline.New(ds, pipeline.Config{BatchSize: 256, Transform: preprocess.New(224), Train: true, Seed: 1, Epoch: e})
//	if err != nil { ... }
//	defer l.Close()
//	for b := range l.All() {
//		step(b.Pixels, b.Labels) // b.N examples, NCHW
//	}
//	log.Print(l.Summary()) // e.g. "pipeline: ImageNet: 1281167 examples in 5005 batches, 0 skipped"
//
// The order is deterministic: sequential for evaluation, a permutation drawn from (Seed, Epoch) for training. The
// training augmentation of an example draws from a generator seeded by (Seed, Epoch, dataset index), so batches do
// not depend on the number of workers or their scheduling. An example whose Example call fails (a corrupt file) or
// whose label is out of range is skipped and counted; its place is taken by the next example, so every batch but
// the last is full.
//
// At most Prefetch batches' worth of examples are decoded ahead of the consumer: the loader holds at most
// Prefetch*BatchSize examples that Next has not returned yet.
package pipeline
