package realdata

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/templates"
)

// CIFAR101 opens CIFAR-10.1 (v6) from Location/CIFAR-10.1/cifar10.1_v6_data.npy ([N,32,32,3] uint8) and
// cifar10.1_v6_labels.npy (the folder may also be named cifar-10.1, or the files lie in Location itself). It has
// only the Test split; class names are CIFAR-10's.
func CIFAR101(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "CIFAR101"
	if err := evalOnly(name, opts.Split); err != nil {
		return nil, err
	}
	dirs := []string{filepath.Join(opts.Location, "CIFAR-10.1"), filepath.Join(opts.Location, "cifar-10.1"), opts.Location}
	dir := dirs[0]
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "cifar10.1_v6_data.npy")); err == nil {
			dir = d
			break
		}
	}
	expected := "CIFAR-10.1 v6 in " + dir + "/cifar10.1_v6_data.npy and cifar10.1_v6_labels.npy"
	images, err := readNpyFile(name, filepath.Join(dir, "cifar10.1_v6_data.npy"), expected)
	if err != nil {
		return nil, err
	}
	labels, err := readNpyFile(name, filepath.Join(dir, "cifar10.1_v6_labels.npy"), expected)
	if err != nil {
		return nil, err
	}
	return imagesAndLabels(name, filepath.Join(dir, "cifar10.1_v6_data.npy"), expected, images, labels, opts.Limit)
}

// CIFAR102 opens CIFAR-10.2 from Location/CIFAR-10.2/cifar102_train.npz (Train) or cifar102_test.npz (Test),
// each holding 'images' ([N,32,32,3] uint8) and 'labels'. The paper code's cifar102_{train,test}.npy (a pickled
// dict with the same two arrays) is read when the .npz is absent. Class names are CIFAR-10's.
func CIFAR102(opts datasets.Options) (datasets.Dataset, error) {
	opts = withDefaults(opts)
	const name = "CIFAR102"
	if err := checkSplit(name, opts.Split); err != nil {
		return nil, err
	}
	part := "test"
	if opts.Split == datasets.Train {
		part = "train"
	}
	dir := filepath.Join(opts.Location, "CIFAR-10.2")
	npz := filepath.Join(dir, "cifar102_"+part+".npz")
	npy := filepath.Join(dir, "cifar102_"+part+".npy")
	expected := "CIFAR-10.2 in " + npz + " (arrays 'images' [N,32,32,3] uint8 and 'labels')"
	var images, labels *ndarray
	if _, err := os.Stat(npz); err != nil && fileExists(npy) {
		a, err := readNpyFile(name, npy, expected)
		if err != nil {
			return nil, err
		}
		images, labels, err = dictArrays(a)
		if err != nil {
			return nil, &LayoutError{Dataset: name, Path: npy, Problem: err.Error(), Expected: expected}
		}
		npz = npy
	} else {
		if err := requireFile(name, npz, expected); err != nil {
			return nil, err
		}
		raw, err := os.ReadFile(npz)
		if err != nil {
			return nil, fmt.Errorf("datasets: %s: %w", name, err)
		}
		arrays, err := readNpz(raw, "images", "labels")
		if err != nil {
			return nil, &LayoutError{Dataset: name, Path: npz, Problem: err.Error(), Expected: expected}
		}
		images, labels = arrays["images"], arrays["labels"]
	}
	return imagesAndLabels(name, npz, expected, images, labels, opts.Limit)
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// dictArrays returns the 'images' and 'labels' arrays of a 0-d object array holding a dict.
func dictArrays(a *ndarray) (images, labels *ndarray, err error) {
	if len(a.objects) != 1 {
		return nil, nil, fmt.Errorf("want an object array holding one dict, got shape %v", a.shape)
	}
	d, ok := a.objects[0].(*pyDict)
	if !ok {
		return nil, nil, fmt.Errorf("the object array holds %T, not a dict", a.objects[0])
	}
	images, ok1 := d.m["images"].(*ndarray)
	labels, ok2 := d.m["labels"].(*ndarray)
	if !ok1 || !ok2 {
		return nil, nil, fmt.Errorf("the dict lacks the arrays 'images' and 'labels'")
	}
	return images, labels, nil
}

// readNpyFile reads a .npy file.
func readNpyFile(name, path, expected string) (*ndarray, error) {
	if err := requireFile(name, path, expected); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", name, err)
	}
	a, err := parseNpy(raw)
	if err != nil {
		return nil, &LayoutError{Dataset: name, Path: path, Problem: err.Error(), Expected: expected}
	}
	return a, nil
}

// imagesAndLabels builds a CIFAR-10-class dataset from an [N,32,32,3] uint8 array and N integer labels.
func imagesAndLabels(name, path, expected string, images, labels *ndarray, limit int) (datasets.Dataset, error) {
	bad := func(problem string) error {
		return &LayoutError{Dataset: name, Path: path, Problem: problem, Expected: expected}
	}
	pix, err := images.bytesU8()
	if err != nil {
		return nil, bad("images: " + err.Error())
	}
	if s := images.shape; len(s) != 4 || s[1] != 32 || s[2] != 32 || s[3] != 3 {
		return nil, bad(fmt.Sprintf("images have shape %v, want [N 32 32 3]", images.shape))
	}
	lab, err := labels.ints()
	if err != nil {
		return nil, bad("labels: " + err.Error())
	}
	if len(lab) != images.shape[0] {
		return nil, bad(fmt.Sprintf("%d images but %d labels", images.shape[0], len(lab)))
	}
	d, err := newArraySet(name, CIFAR10ClassNames, templates.CIFAR, 32, 32, false, pix, lab)
	if err != nil {
		return nil, err
	}
	d.limit(limit)
	return d, nil
}
