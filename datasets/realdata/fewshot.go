package realdata

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/gowiseft/wiseft/internal/detrand"

	"github.com/gowiseft/wiseft/datasets"
)

// FewShotK are the shots per class of the registered few-shot ImageNet subsets "ImageNet1" ... "ImageNet600",
// the values of the paper's code (ks in src/datasets/imagenet.py).
var FewShotK = []int{1, 2, 4, 8, 16, 25, 32, 50, 64, 128, 600}

// ImageNetK opens the few-shot ImageNet "ImageNet{k}": its Train split keeps k training images of every class
// (all of a class's images when it has fewer), chosen at random by opts.Seed, so that the same seed keeps the same
// images; its Test split is ImageNet's validation set. The paper's code picks the k images the same way (with
// NumPy's global random state, unseeded) and feeds them through a sampler that yields them in index order, class
// by class, every epoch: the Train split is ordered the same way (the k images of the first class in file order,
// then the next class's) and implements datasets.InOrder, so fine-tuning visits it unshuffled, as the paper's does.
func ImageNetK(opts datasets.Options, k int) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	name := "ImageNet" + strconv.Itoa(k)
	if k <= 0 {
		return nil, fmt.Errorf("datasets: %s: shots per class must be positive, got %d", name, k)
	}
	d, err := openImageNet(name, opts)
	if err != nil {
		return nil, err
	}
	if opts.Split != datasets.Train {
		d.limit(opts.Limit)
		return d, nil
	}
	d.samples = fewShot(d.samples, len(d.classes), k, opts.Seed)
	d.limit(opts.Limit)
	return inOrderFolder{d}, nil
}

// inOrderFolder is a folder dataset the paper's code trains on unshuffled.
type inOrderFolder struct{ *folderSet }

// TrainInOrder is true: see datasets.InOrder.
func (inOrderFolder) TrainInOrder() bool { return true }

// fewShot keeps k samples of every label, chosen with a random generator seeded by (seed, label), keeping the
// samples' order within a label, and orders them by label: all of label 0's, then label 1's, ...
func fewShot(samples []sample, numClasses, k int, seed uint64) []sample {
	byClass := make([][]sample, numClasses)
	for _, s := range samples {
		byClass[s.label] = append(byClass[s.label], s)
	}
	for c, ss := range byClass {
		if len(ss) > k {
			keep := choose(len(ss), k, rand.New(rand.NewPCG(seed, uint64(c))))
			kept := make([]sample, len(keep))
			for i, j := range keep {
				kept[i] = ss[j]
			}
			byClass[c] = kept
		}
	}
	return slices.Concat(byClass...)
}

// choose returns k distinct indices of [0, n), sorted, drawn uniformly with a partial Fisher-Yates shuffle.
// It uses only rng.Uint64, whose sequence the PCG source fixes, so the choice does not change between Go versions.
func choose(n, k int, rng *rand.Rand) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for i := range k {
		j := i + int(detrand.Uniform(rng, uint64(n-i)))
		idx[i], idx[j] = idx[j], idx[i]
	}
	out := idx[:k]
	slices.Sort(out)
	return out
}
