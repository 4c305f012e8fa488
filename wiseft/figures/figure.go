package figures

import (
	"bytes"
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is one drawn figure, ready to save or to change further
// through Plot.
type Figure struct {
	// Name is the file name without extension: the shift dataset,
	// [AverageName], or "alpha" / "alpha-<run>" for [AlphaCurves].
	Name string
	Plot *plot.Plot
}

// SVG renders the figure as an SVG document, [Width] by [Height]. Fonts
// are not embedded; text falls back from Liberation Sans to the
// metric-compatible Arial, then Helvetica.
func (f Figure) SVG() ([]byte, error) {
	c := vgsvg.New(Width, Height)
	f.Plot.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;")), nil
}

// PNG renders the figure as a PNG image, [Width] by [Height] at [DPI]
// (900×750 pixels).
func (f Figure) PNG() ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(DPI))
	f.Plot.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save writes the figure to dir as <Name>.svg and <Name>.png, each
// atomically (see [WriteFileAtomic]), creating dir if needed, and
// returns the paths written. Characters of Name other than letters,
// digits, '.', '_' and '-' become '_' in the file names.
func (f Figure) Save(dir string) ([]string, error) {
	if f.Plot == nil {
		return nil, fmt.Errorf("plot: figure %q has no plot", f.Name)
	}
	base := FileName(f.Name)
	svg, err := f.SVG()
	if err != nil {
		return nil, fmt.Errorf("plot: render %s.svg: %w", base, err)
	}
	png, err := f.PNG()
	if err != nil {
		return nil, fmt.Errorf("plot: render %s.png: %w", base, err)
	}
	var paths []string
	for _, out := range []struct {
		ext  string
		data []byte
	}{{".svg", svg}, {".png", png}} {
		path, err := WriteFileAtomic(dir, base+out.ext, out.data)
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// FileName turns a figure or dataset name into a safe file name: every
// character other than ASCII letters, digits, '.', '_' and '-' becomes
// '_', and a name that is empty or starts with '.' gets a leading '_'.
//
//	FileName("ImageNet-R") == "ImageNet-R"
//	FileName("iwildcam/ood") == "iwildcam_ood"
func FileName(name string) string {
	b := []byte(name)
	for i, c := range b {
		ok := c == '.' || c == '_' || c == '-' ||
			'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !ok {
			b[i] = '_'
		}
	}
	s := string(b)
	if s == "" || strings.HasPrefix(s, ".") {
		s = "_" + s
	}
	return s
}
