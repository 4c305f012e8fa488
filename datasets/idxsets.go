package datasets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// idxFiles names the four files of an MNIST-style set, per split.
var idxFiles = map[Split][2]string{
	Train: {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"},
	Test:  {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"},
}

// idxCache keeps parsed idx image/label pairs by absolute path, so that the many datasets built on MNIST
// (its shifts) share one copy in memory and the files are read once per process.
var idxCache struct {
	sync.Mutex
	m map[string]*idxCacheEntry
}

type idxCacheEntry struct {
	once sync.Once
	data *grayImages
	err  error
}

// loadIDXPair reads (or takes from the cache) the images and labels of one split of an MNIST-style set found
// in the first of dirs that holds the image file. dataset and step go into the missing-file error.
func loadIDXPair(dataset string, dirs []string, split Split, step string) (*grayImages, error) {
	names, ok := idxFiles[split]
	if !ok {
		return nil, fmt.Errorf("datasets: %s: unknown split %q", dataset, split)
	}
	dir := ""
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, names[0])); err == nil {
			dir = d
			break
		}
	}
	if dir == "" {
		return nil, &MissingFileError{Dataset: dataset, Path: filepath.Join(dirs[0], names[0]), Step: step}
	}
	imgPath, lblPath := filepath.Join(dir, names[0]), filepath.Join(dir, names[1])
	key, err := filepath.Abs(imgPath)
	if err != nil {
		key = imgPath
	}
	idxCache.Lock()
	if idxCache.m == nil {
		idxCache.m = map[string]*idxCacheEntry{}
	}
	e := idxCache.m[key]
	if e == nil {
		e = &idxCacheEntry{}
		idxCache.m[key] = e
	}
	idxCache.Unlock()
	e.once.Do(func() { e.data, e.err = readIDXPair(dataset, imgPath, lblPath, step) })
	if e.err != nil {
		// A failed load is not cached, so that a later call after running the set-up can succeed.
		idxCache.Lock()
		if idxCache.m[key] == e {
			delete(idxCache.m, key)
		}
		idxCache.Unlock()
	}
	return e.data, e.err
}

// readIDXPair reads an images file ([n, rows, cols]) and a labels file ([n]) and checks that they match.
func readIDXPair(dataset, imgPath, lblPath, step string) (*grayImages, error) {
	imgs, err := readIDXFile(imgPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &MissingFileError{Dataset: dataset, Path: imgPath, Step: step}
	} else if err != nil {
		return nil, err
	}
	lbls, err := readIDXFile(lblPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &MissingFileError{Dataset: dataset, Path: lblPath, Step: step}
	} else if err != nil {
		return nil, err
	}
	if len(imgs.Dims) != 3 {
		return nil, fmt.Errorf("datasets: %s: %s has dimensions %v, want [n rows cols]", dataset, imgPath, imgs.Dims)
	}
	if len(lbls.Dims) != 1 || lbls.Dims[0] != imgs.Dims[0] {
		return nil, fmt.Errorf("datasets: %s: %s has dimensions %v, want [%d]", dataset, lblPath, lbls.Dims, imgs.Dims[0])
	}
	for i, l := range lbls.Data {
		if l > 9 {
			return nil, fmt.Errorf("datasets: %s: %s: label %d of example %d out of range", dataset, lblPath, l, i)
		}
	}
	return &grayImages{w: imgs.Dims[2], h: imgs.Dims[1], pix: imgs.Data, labels: lbls.Data}, nil
}
