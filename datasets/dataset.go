// Package datasets defines the one interface every image-classification dataset of this project implements,
// the shipped offline world (MNIST, Fashion-MNIST, UCI digits, font renditions and their seeded shifts) and the
// real-data loaders (ImageNet family, CIFAR) alike, plus a registry of datasets by the names the paper's code uses.
//
// A dataset is a finite, indexable list of labelled images with class names and prompt templates:
//
//	ds, err := datasets.Open("MNIST", datasets.Options{Location: "data", Split: datasets.Test})
//	img, label, err := ds.Example(0)
//	fmt.Println(ds.ClassNames()[label])
package datasets

import (
	"image"
)

// Split selects the part of a dataset: the training split or the evaluation split.
type Split string

const (
	// Train is the split used for fine-tuning.
	Train Split = "train"
	// Test is the split used for evaluation.
	Test Split = "test"
)

// Dataset is a finite, randomly indexable list of labelled images.
//
// Implementations must be safe for concurrent calls of Example from several goroutines, so that a pipeline can
// decode in parallel, and deterministic: Example(i) returns the same image every time.
type Dataset interface {
	// Name is the dataset's registry name, e.g. "MNIST" or "MNIST-Inverted".
	Name() string
	// ClassNames are the human-readable class names, indexed by label.
	ClassNames() []string
	// Templates are the prompt templates for the zero-shot head; each contains "{}" where the class name goes.
	Templates() []string
	// Len is the number of examples.
	Len() int
	// Example returns example i (0 <= i < Len()) and its label in [0, len(ClassNames())).
	Example(i int) (image.Image, int, error)
}

// ClassSubset is implemented by evaluation datasets that cover only some classes of the classifier they are
// evaluated with (ImageNet-R and ImageNet-A cover 200 of ImageNet's 1,000): logits are projected to these
// classes before the arg-max, and labels index into this list.
type ClassSubset interface {
	// SubsetClasses lists, for each of the dataset's labels, the index of the matching classifier class.
	SubsetClasses() []int
}

// ClassGroups is implemented by evaluation datasets whose labels each stand for one or more classifier classes
// (ObjectNet's "alarm clock" is two ImageNet classes): a label's logit is the largest of its group's.
type ClassGroups interface {
	// SubsetClassGroups lists, for each of the dataset's labels, the classifier classes it covers.
	SubsetClassGroups() [][]int
}

// Unwrapper is implemented by datasets that wrap another without changing its labels (Limit, Slice, Rename,
// Corrupt), so that what the wrapped dataset declares (ClassSubset, ClassGroups) still applies.
type Unwrapper interface {
	Unwrap() Dataset
}

// SubsetOf returns, for a dataset that covers only some of its classifier's classes (directly or through
// wrappers), the classifier classes of each label, and false for an ordinary dataset.
//
//	groups, ok := datasets.SubsetOf(datasets.Limit(imagenetR, 1000)) // ok: ImageNet-R's 200 classes
func SubsetOf(ds Dataset) ([][]int, bool) {
	for ds != nil {
		if g, ok := ds.(ClassGroups); ok {
			return g.SubsetClassGroups(), true
		}
		if s, ok := ds.(ClassSubset); ok {
			classes := s.SubsetClasses()
			groups := make([][]int, len(classes))
			for i, c := range classes {
				groups[i] = []int{c}
			}
			return groups, true
		}
		u, ok := ds.(Unwrapper)
		if !ok {
			return nil, false
		}
		ds = u.Unwrap()
	}
	return nil, false
}
