package realdata

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// cifarPickleSet describes one of the python-batch CIFAR layouts.
type cifarPickleSet struct {
	name, dir     string
	train, test   []string
	meta, metaKey string
	labelKey      string
	classes       []string
}

var (
	cifar10Layout = cifarPickleSet{
		name: "CIFAR10", dir: "cifar-10-batches-py",
		train: []string{"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"},
		test:  []string{"test_batch"}, meta: "batches.meta", metaKey: "label_names", labelKey: "labels",
		classes: CIFAR10ClassNames,
	}
	cifar100Layout = cifarPickleSet{
		name: "CIFAR100", dir: "cifar-100-python", train: []string{"train"}, test: []string{"test"},
		meta: "meta", metaKey: "fine_label_names", labelKey: "fine_labels", classes: CIFAR100ClassNames,
	}
)

// CIFAR10 opens CIFAR-10 from the python batches in Location/cifar-10-batches-py (data_batch_1..5 for Train,
// test_batch for Test), read into memory. Class names are CIFAR10ClassNames, templates templates.CIFAR.
func CIFAR10(opts datasets.Options) (datasets.Dataset, error) {
	return openCIFARPickles(cifar10Layout, withDefaults(opts))
}

// CIFAR100 opens CIFAR-100 (fine labels) from Location/cifar-100-python/{train,test}, read into memory. Class names
// are CIFAR100ClassNames, templates templates.CIFAR. Its Train split implements datasets.InOrder: the paper's
// CIFAR-100 training loader has no shuffle, so fine-tuning visits the images in file order every epoch.
func CIFAR100(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	d, err := openCIFARPickles(cifar100Layout, opts)
	if err != nil || opts.Split != datasets.Train {
		return d, err
	}
	return inOrderArray{d.(*arraySet)}, nil
}

// inOrderArray is an in-memory dataset the paper's code trains on unshuffled.
type inOrderArray struct{ *arraySet }

// TrainInOrder is true: see datasets.InOrder.
func (inOrderArray) TrainInOrder() bool { return true }

// openCIFARPickles reads the batches of the split.
func openCIFARPickles(l cifarPickleSet, opts datasets.Options) (datasets.Dataset, error) {
	if err := checkSplit(l.name, opts.Split); err != nil {
		return nil, err
	}
	dir := filepath.Join(opts.Location, l.dir)
	files := l.test
	if opts.Split == datasets.Train {
		files = l.train
	}
	expected := fmt.Sprintf("the python version of %s (pickled batches %v and %s) in %s", l.name, files, l.meta, dir)
	if err := requireDir(l.name, dir, expected); err != nil {
		return nil, err
	}
	if err := checkCIFARMeta(l, filepath.Join(dir, l.meta), expected); err != nil {
		return nil, err
	}
	var pix []byte
	var labels []int
	for _, f := range files {
		path := filepath.Join(dir, f)
		p, lab, err := readCIFARBatch(l, path, expected)
		if err != nil {
			return nil, err
		}
		if pix == nil && len(files) == 1 {
			pix = p
		} else {
			pix = append(pix, p...)
		}
		labels = append(labels, lab...)
		if opts.Limit > 0 && len(labels) >= opts.Limit {
			break
		}
	}
	d, err := newArraySet(l.name, l.classes, templates.CIFAR, 32, 32, true, pix, labels)
	if err != nil {
		return nil, err
	}
	d.limit(opts.Limit)
	return d, nil
}

// readCIFARBatch reads one pickled batch: its images (N×3072 bytes, three 32×32 planes each) and labels.
func readCIFARBatch(l cifarPickleSet, path, expected string) ([]byte, []int, error) {
	if err := requireFile(l.name, path, expected); err != nil {
		return nil, nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("datasets: %s: %w", l.name, err)
	}
	bad := func(problem string) error {
		return &LayoutError{Dataset: l.name, Path: path, Problem: problem, Expected: expected}
	}
	v, err := unpickle(raw)
	if err != nil {
		return nil, nil, bad(err.Error())
	}
	d, ok := v.(*pyDict)
	if !ok {
		return nil, nil, bad(fmt.Sprintf("the pickle holds %T, not a dict", v))
	}
	arr, ok := d.m["data"].(*ndarray)
	if !ok {
		return nil, nil, bad("no 'data' array")
	}
	pix, err := arr.bytesU8()
	if err != nil || len(arr.shape) != 2 || arr.shape[1] != 3*32*32 {
		return nil, nil, bad(fmt.Sprintf("'data' must be a uint8 array of shape [N, 3072], got %v %v (%v)", arr.shape, arr.dtype, err))
	}
	labels, err := asInts(d.m[l.labelKey])
	if err != nil {
		return nil, nil, bad(fmt.Sprintf("'%s': %v", l.labelKey, err))
	}
	if len(labels) != arr.shape[0] {
		return nil, nil, bad(fmt.Sprintf("%d images but %d labels", arr.shape[0], len(labels)))
	}
	return pix, labels, nil
}

// checkCIFARMeta checks, when the meta file is there, that it names as many classes as the loader knows.
func checkCIFARMeta(l cifarPickleSet, path, expected string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil // the meta file only confirms the class count; the batches are what is read
	}
	bad := func(problem string) error {
		return &LayoutError{Dataset: l.name, Path: path, Problem: problem, Expected: expected}
	}
	v, err := unpickle(raw)
	if err != nil {
		return bad(err.Error())
	}
	d, ok := v.(*pyDict)
	if !ok {
		return bad(fmt.Sprintf("the pickle holds %T, not a dict", v))
	}
	names, err := asStrings(d.m[l.metaKey])
	if err != nil {
		return bad(fmt.Sprintf("'%s': %v", l.metaKey, err))
	}
	if len(names) != len(l.classes) {
		return bad(fmt.Sprintf("'%s' lists %d classes, want %d", l.metaKey, len(names), len(l.classes)))
	}
	return nil
}
