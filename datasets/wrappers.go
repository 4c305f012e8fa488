package datasets

import "image"

// limited is a Dataset restricted to the first n examples of another.
type limited struct {
	Dataset
	n int
}

// Limit returns ds restricted to its first n examples; ds itself when n <= 0 or n >= ds.Len().
func Limit(ds Dataset, n int) Dataset {
	if n <= 0 || n >= ds.Len() {
		return ds
	}
	return &limited{Dataset: ds, n: n}
}

// Len is the number of kept examples.
func (l *limited) Len() int { return l.n }

// Example returns example i of the underlying dataset, for i < Len().
func (l *limited) Example(i int) (image.Image, int, error) {
	if i < 0 || i >= l.n {
		return nil, 0, indexError(l.Name(), i, l.n)
	}
	return l.Dataset.Example(i)
}

// renamed is a Dataset with another name and templates.
type renamed struct {
	Dataset
	name      string
	templates []string
}

// Rename returns ds under another name, with the given templates (ds's own when templates is nil).
func Rename(ds Dataset, name string, templates []string) Dataset {
	if templates == nil {
		templates = ds.Templates()
	}
	return &renamed{Dataset: ds, name: name, templates: templates}
}

// Name is the new name.
func (r *renamed) Name() string { return r.name }

// Templates are the new templates.
func (r *renamed) Templates() []string { return r.templates }

// sliced is the examples [lo, hi) of another Dataset.
type sliced struct {
	Dataset
	lo, hi int
}

// Slice returns the examples [lo, hi) of ds, renumbered from 0 (bounds are clamped to [0, ds.Len()]), e.g. to keep
// a held-out part of a training split apart from the part that is trained on.
func Slice(ds Dataset, lo, hi int) Dataset {
	lo, hi = max(lo, 0), min(hi, ds.Len())
	hi = max(hi, lo)
	return &sliced{Dataset: ds, lo: lo, hi: hi}
}

// Len is hi - lo.
func (s *sliced) Len() int { return s.hi - s.lo }

// Example returns example lo+i of the underlying dataset.
func (s *sliced) Example(i int) (image.Image, int, error) {
	if i < 0 || i >= s.Len() {
		return nil, 0, indexError(s.Name(), i, s.Len())
	}
	return s.Dataset.Example(s.lo + i)
}

// Unwrap returns the wrapped dataset.
func (l *limited) Unwrap() Dataset { return l.Dataset }

// Unwrap returns the wrapped dataset.
func (r *renamed) Unwrap() Dataset { return r.Dataset }

// Unwrap returns the wrapped dataset.
func (s *sliced) Unwrap() Dataset { return s.Dataset }
