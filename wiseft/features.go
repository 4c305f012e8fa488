package wiseft

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/datasets"
	"github.com/gowiseft/wiseft/datasets/pipeline"
)

// Features are the L2-normalised image features of every example of a dataset, in example order: the input of a
// linear classifier (FineTuneConfig.FreezeEncoder).
type Features struct {
	// N examples of Dim values each.
	N, Dim int
	// Data is row-major [N, Dim].
	Data []float32
	// Labels are the examples' labels.
	Labels []int
}

// featureChunk is how many images are decoded, preprocessed and encoded at once.
const featureChunk = 256

// DatasetFeatures computes the L2-normalised image features of every example of ds with m's image tower and the
// evaluation transform (no augmentation). With a non-empty cacheDir the features are kept there in a safetensors
// file named after the dataset and a hash of everything they depend on (FeatureCachePath); a later call with the
// same model and dataset reads the file instead of encoding again. The file is written atomically.
func DatasetFeatures(m *clipmodel.Model, ds datasets.Dataset, cacheDir string) (*Features, error) {
	if ds.Len() == 0 {
		return nil, fmt.Errorf("features of %s: the dataset is empty", ds.Name())
	}
	var path, key string
	if cacheDir != "" {
		path, key = FeatureCachePath(m, ds, cacheDir)
		if f, err := readFeatureCache(path, key, ds.Len(), m.Config.ProjectionDim); err == nil {
			return f, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			// A stale or damaged cache is recomputed and overwritten rather than trusted.
			fmt.Fprintf(os.Stderr, "wiseft: ignoring feature cache %s: %v\n", path, err)
		}
	}
	f, err := computeFeatures(m, ds)
	if err != nil {
		return nil, err
	}
	if path != "" {
		if err := os.MkdirAll(cacheDir, 0o755); err != nil {
			return nil, err
		}
		labels := make([]int64, f.N)
		for i, l := range f.Labels {
			labels[i] = int64(l)
		}
		err := safetensors.WriteFile(path, map[string]*safetensors.Tensor{
			"features": safetensors.FromFloat32(f.Data, f.N, f.Dim),
			"labels":   safetensors.FromInt64(labels, f.N),
		}, map[string]string{"dataset": ds.Name(), "key": key})
		if err != nil {
			return nil, fmt.Errorf("writing the feature cache: %w", err)
		}
	}
	return f, nil
}

// FeatureCachePath returns where DatasetFeatures caches the features of ds under m in cacheDir, and the full
// hash naming them: SHA-256 over the dataset's name and length, the evaluation transform and every weight of the
// image tower and visual projection (the head and the text tower do not change the features).
func FeatureCachePath(m *clipmodel.Model, ds datasets.Dataset, cacheDir string) (path, key string) {
	h := sha256.New()
	t := modelTransform(m)
	fmt.Fprintf(h, "wiseft-features-v1\x00%s\x00%d\x00%d\x00%v\x00%v\x00", ds.Name(), ds.Len(), t.Size, t.Mean, t.Std)
	buf := make([]byte, 0, 1<<16)
	for _, name := range m.Weights.Names() {
		if !isImageFeatureWeight(name) {
			continue
		}
		w := m.Weights[name]
		fmt.Fprintf(h, "%s\x00%v\x00", name, w.Shape)
		for _, v := range w.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) {
				h.Write(buf)
				buf = buf[:0]
			}
		}
		h.Write(buf)
		buf = buf[:0]
	}
	key = hex.EncodeToString(h.Sum(nil))
	return filepath.Join(cacheDir, "features_"+sanitizeFileName(ds.Name())+"_"+key[:16]+".safetensors"), key
}

// isImageFeatureWeight reports whether a parameter feeds the image features.
func isImageFeatureWeight(name string) bool {
	return strings.HasPrefix(name, "vision_model.") || name == "visual_projection.weight"
}

func sanitizeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			return r
		}
		return '_'
	}, s)
}

func modelTransform(m *clipmodel.Model) preprocess.Transform {
	if m.Transform.Size > 0 {
		return m.Transform
	}
	return preprocess.New(m.Config.Vision.ImageSize)
}

func readFeatureCache(path, key string, n, dim int) (*Features, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if f.Metadata["key"] != key {
		return nil, fmt.Errorf("hash mismatch")
	}
	ft, lt := f.Tensors["features"], f.Tensors["labels"]
	if ft == nil || lt == nil || len(ft.Shape) != 2 || ft.Shape[0] != n || ft.Shape[1] != dim ||
		len(lt.Shape) != 1 || lt.Shape[0] != n {
		return nil, fmt.Errorf("unexpected content (want features [%d %d] and labels [%d])", n, dim, n)
	}
	data, err := ft.Float32()
	if err != nil {
		return nil, err
	}
	if err := (&clipmodel.Tensor{Shape: ft.Shape, Data: data}).CheckFinite("features"); err != nil {
		return nil, err
	}
	labels64, err := lt.Int64()
	if err != nil {
		return nil, err
	}
	labels := make([]int, n)
	for i, l := range labels64 {
		if l < 0 || l > 1<<31 {
			return nil, fmt.Errorf("label %d of example %d is not a class", l, i)
		}
		labels[i] = int(l)
	}
	return &Features{N: n, Dim: dim, Data: data, Labels: labels}, nil
}

func computeFeatures(m *clipmodel.Model, ds datasets.Dataset) (*Features, error) {
	enc, err := clipmodel.NewEncoder(m)
	if err != nil {
		return nil, err
	}
	n, dim := ds.Len(), m.Config.ProjectionDim
	t := modelTransform(m)
	f := &Features{N: n, Dim: dim, Data: make([]float32, 0, n*dim), Labels: make([]int, 0, n)}
	loader, err := pipeline.New(ds, pipeline.Config{BatchSize: featureChunk, Transform: t})
	if err != nil {
		return nil, fmt.Errorf("features of %s: %w", ds.Name(), err)
	}
	defer loader.Close()
	for b := range loader.All() {
		// The cache is indexed by example: every example of the training set must be read.
		if loader.Skipped() > 0 {
			s := loader.Skips()[0]
			return nil, fmt.Errorf("features of %s: example %d: %w", ds.Name(), s.Index, s.Err)
		}
		emb, err := enc.EncodeImages(b.Pixels, b.N)
		if err != nil {
			return nil, fmt.Errorf("features of %s: %w", ds.Name(), err)
		}
		if err := (&clipmodel.Tensor{Shape: []int{b.N, dim}, Data: emb}).CheckFinite("features"); err != nil {
			return nil, fmt.Errorf("features of %s (batch from example %d): %w", ds.Name(), b.Indices[0], err)
		}
		f.Data = append(f.Data, emb...)
		f.Labels = append(f.Labels, b.Labels...)
		loader.Recycle(b)
	}
	if loader.Skipped() > 0 {
		s := loader.Skips()[0]
		return nil, fmt.Errorf("features of %s: example %d: %w", ds.Name(), s.Index, s.Err)
	}
	return f, nil
}
