package main

import (
	"fmt"
	"image"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/preprocess"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/internal/fileio"
)

func runEmbed(args []string) error {
	fs := newFlags("embed", "--model DIR [--inputs FILE | --images PATH... | --text STRING...] [--out FILE]")
	model := fs.String("model", "", "CLIP model: a Hugging Face folder or a .safetensors file")
	inputs := fs.String("inputs", "", "safetensors file with pixel_values [N,3,H,W] float32 (normalised) and/or input_ids [M,context] int64")
	out := fs.String("out", "", "write image_embeds, text_embeds and logits_per_image to this safetensors file (default: print a table)")
	batch := fs.Int("batch-size", 32, "images or texts per forward pass (images are also decoded this many at a time)")
	truncate := fs.Bool("truncate", false, "cut texts longer than the model's context (keeping the end token) instead of refusing them")
	overwrite := fs.Bool(overwriteFlag, false, "replace --out when it exists ("+overwriteHelp+")")
	var images, texts []string
	fs.Var(noopValue{}, "images", "image files or folders (JPEG/PNG), preprocessed as CLIP does; takes several values")
	fs.Var(noopValue{}, "text", "texts to embed; takes several values")
	rest, err := parseFlags(fs, args, map[string]*[]string{"images": &images, "text": &texts})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("unexpected argument %s", quoteValue(rest[0]))
	}
	if *model == "" {
		return usagef("--model is required")
	}
	if *inputs == "" && len(images) == 0 && len(texts) == 0 {
		return usagef("give --inputs, --images or --text")
	}
	if *batch < 1 {
		return usagef("--batch-size must be at least 1")
	}
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			return fmt.Errorf("--text value %d is empty", i+1)
		}
	}
	if *out != "" {
		ins := modelInputs("model", *model)
		if *inputs != "" {
			ins = append(ins, ioPath{flag: "inputs", path: *inputs})
		}
		for _, p := range images {
			fi, err := os.Stat(p)
			ins = append(ins, ioPath{flag: "images", path: p, dir: err == nil && fi.IsDir()})
		}
		if err := checkOutputs([]ioPath{{flag: "out", path: *out, kind: outFile}}, ins, *overwrite); err != nil {
			return err
		}
	}
	m, err := clipmodel.Load(*model)
	if err != nil {
		return err
	}
	in, err := gatherInputs(m, *inputs, images, texts, *truncate)
	if err != nil {
		return err
	}
	pixels, nImages, ids, nTexts := in.pixels, in.nImages, in.ids, in.nTexts
	enc, err := clipmodel.NewEncoder(m)
	if err != nil {
		return err
	}
	enc.BatchSize = *batch
	if nImages > 0 {
		b := min(*batch, nImages)
		if err := m.Config.CheckImageBatch(fmt.Sprintf("--batch-size %d (a batch of images)", b), b, false); err != nil {
			return usageError{err.Error()}
		}
	}
	var imageEmb, textEmb []float32
	switch {
	case in.imageFiles != nil:
		if imageEmb, err = encodeImageFiles(enc, m, in.imageFiles, *batch); err != nil {
			return err
		}
	case nImages > 0:
		if imageEmb, err = enc.EncodeImages(pixels, nImages); err != nil {
			return err
		}
	}
	if nTexts > 0 {
		if textEmb, err = enc.EncodeTexts(ids, nTexts); err != nil {
			return err
		}
	}
	if err := finiteEmbeddings("image", imageEmb, dim(m), in.imageNames); err != nil {
		return err
	}
	if err := finiteEmbeddings("text", textEmb, dim(m), texts); err != nil {
		return err
	}
	var logits []float32
	if nImages > 0 && nTexts > 0 {
		scale, err := enc.LogitScale()
		if err != nil {
			return err
		}
		logits = clipmodel.LogitsPerImage(imageEmb, nImages, textEmb, nTexts, scale)
	}
	dim := m.Config.ProjectionDim
	if *out != "" {
		tensors := map[string]*safetensors.Tensor{}
		if nImages > 0 {
			tensors["image_embeds"] = safetensors.FromFloat32(imageEmb, nImages, dim)
		}
		if nTexts > 0 {
			tensors["text_embeds"] = safetensors.FromFloat32(textEmb, nTexts, dim)
		}
		if logits != nil {
			tensors["logits_per_image"] = safetensors.FromFloat32(logits, nImages, nTexts)
		}
		return safetensors.WriteFile(*out, tensors, map[string]string{"producer": "wiseft embed"})
	}
	printEmbedTable(in.imageNames, nImages, texts, nTexts, imageEmb, textEmb, logits, dim)
	return nil
}

// embedInputs are the model inputs gathered from the command line.
type embedInputs struct {
	pixels     []float32 // from --inputs
	imageFiles []string  // from --images: decoded batch by batch (see encodeImageFiles)
	nImages    int
	imageNames []string
	ids        []int64
	nTexts     int
}

// gatherInputs reads pixels and ids from --inputs, lists the files of --images (checking that each is an image
// before any is decoded) and tokenizes --text; each kind may come from one source only.
func gatherInputs(m *clipmodel.Model, inputs string, images, texts []string, truncate bool) (*embedInputs, error) {
	in := &embedInputs{}
	var err error
	if inputs != "" {
		f, err := safetensors.ReadFile(inputs)
		if err != nil {
			return nil, err
		}
		pv, hasPixels := f.Tensors["pixel_values"]
		ii, hasIDs := f.Tensors["input_ids"]
		if !hasPixels && !hasIDs {
			return nil, fmt.Errorf("%s holds neither pixel_values nor input_ids", inputs)
		}
		if hasPixels {
			v := m.Config.Vision
			want := []int{-1, v.Channels, v.ImageSize, v.ImageSize}
			if len(pv.Shape) != 4 || pv.Shape[1] != want[1] || pv.Shape[2] != want[2] || pv.Shape[3] != want[3] || pv.Shape[0] == 0 {
				return nil, fmt.Errorf("%s: pixel_values has shape %s, the model expects [N %d %d %d]",
					inputs, safetensors.ShapeString(pv.Shape), want[1], want[2], want[3])
			}
			if pv.DType != safetensors.F32 && pv.DType != safetensors.F16 && pv.DType != safetensors.BF16 && pv.DType != safetensors.F64 {
				return nil, fmt.Errorf("%s: pixel_values has dtype %s; pixels are floats (normalised)", inputs, pv.DType)
			}
			if in.pixels, err = pv.Float32(); err != nil {
				return nil, fmt.Errorf("%s: pixel_values: %w", inputs, err)
			}
			pt := &clipmodel.Tensor{Shape: pv.Shape, Data: in.pixels}
			if err := pt.CheckFinite("pixel_values"); err != nil {
				return nil, fmt.Errorf("%s: %w", inputs, err)
			}
			in.nImages = pv.Shape[0]
		}
		if hasIDs {
			ctxLen := m.Config.Text.ContextLength
			if len(ii.Shape) != 2 || ii.Shape[1] != ctxLen || ii.Shape[0] == 0 {
				return nil, fmt.Errorf("%s: input_ids has shape %s, the model expects [M %d]",
					inputs, safetensors.ShapeString(ii.Shape), ctxLen)
			}
			if in.ids, err = ii.Int64(); err != nil {
				return nil, fmt.Errorf("%s: input_ids: %w", inputs, err)
			}
			in.nTexts = ii.Shape[0]
		}
	}
	if len(images) > 0 {
		if in.nImages > 0 {
			return nil, usagef("pixel_values come from --inputs already; drop --images")
		}
		files, err := expandImages(images)
		if err != nil {
			return nil, err
		}
		for _, path := range files {
			if err := checkImageHeader(path); err != nil {
				return nil, err
			}
		}
		in.imageFiles, in.nImages, in.imageNames = files, len(files), files
	}
	if len(texts) > 0 {
		if in.nTexts > 0 {
			return nil, usagef("input_ids come from --inputs already; drop --text")
		}
		if in.ids, err = tokenizeTexts(m, texts, truncate); err != nil {
			return nil, err
		}
		in.nTexts = len(texts)
	}
	return in, nil
}

// tokenizeTexts tokenizes the --text values; a text longer than the model's context is an error naming it,
// unless truncate is set.
func tokenizeTexts(m *clipmodel.Model, texts []string, truncate bool) ([]int64, error) {
	if m.Tokenizer == nil {
		return nil, clipmodel.ErrNoTokenizer
	}
	ctxLen := m.Config.Text.ContextLength
	if !truncate {
		for i, t := range texts {
			if n := len(m.Tokenizer.Encode(t)); n > ctxLen {
				return nil, fmt.Errorf("--text value %d (%q) is %d tokens long with the start and end tokens, more "+
					"than the model's context of %d: shorten it, or pass --truncate to cut it", i+1, shorten(t, 40), n, ctxLen)
			}
		}
	}
	return m.Tokenizer.Batch(texts, ctxLen, truncate)
}

// shorten returns the first n runes of s, with "…" when s is longer.
func shorten(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}

// checkImageHeader reads only the header of an image file, so that a file that is not an image fails before any
// image is decoded. Errors name the file, as preprocess.LoadImage's do.
func checkImageHeader(path string) error {
	f, _, err := fileio.Open(path) // a named pipe or a device is refused, not waited on
	if err != nil {
		return fmt.Errorf("preprocess: %w", err)
	}
	defer f.Close()
	if _, _, err := image.DecodeConfig(f); err != nil {
		return fmt.Errorf("preprocess: %s: decoding image: %w", path, err)
	}
	return nil
}

// encodeImageFiles decodes, preprocesses and embeds the image files batch images at a time, so that only one
// batch of pixels is held in memory whatever the number of files. Each image is preprocessed as soon as it is
// decoded, so only one decoded image (up to preprocess.MaxPixels) is held at a time, never a batch of them.
func encodeImageFiles(enc *clipmodel.Encoder, m *clipmodel.Model, files []string, batch int) ([]float32, error) {
	var emb []float32
	per := m.Transform.Len()
	for lo := 0; lo < len(files); lo += batch {
		hi := min(lo+batch, len(files))
		pixels := make([]float32, 0, (hi-lo)*per)
		for _, path := range files[lo:hi] {
			img, err := preprocess.LoadImage(path)
			if err != nil {
				return nil, err
			}
			pixels = append(pixels, m.Transform.Eval(img)...)
		}
		e, err := enc.EncodeImages(pixels, hi-lo)
		if err != nil {
			return nil, err
		}
		emb = append(emb, e...)
	}
	return emb, nil
}

var imageExtensions = []string{".jpg", ".jpeg", ".png", ".gif"}

// expandImages replaces folders by the image files under them (sorted); files named directly are kept whatever
// their extension, so a non-image file named on the command line gets a decoding error naming it.
func expandImages(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := fileio.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("--images: %w", err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && slices.Contains(imageExtensions, strings.ToLower(filepath.Ext(path))) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("folder %s holds no JPEG, PNG or GIF image", p)
		}
		slices.Sort(found)
		out = append(out, found...)
	}
	return out, nil
}

func printEmbedTable(images []string, nImages int, texts []string, nTexts int, imageEmb, textEmb, logits []float32, dim int) {
	w := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	defer w.Flush()
	label := func(names []string, i int, kind string) string {
		if i < len(names) {
			return names[i]
		}
		return fmt.Sprintf("%s %d", kind, i)
	}
	if logits != nil {
		// Probabilities over the texts for each image, as CLIP's zero-shot demo shows them.
		fmt.Fprint(w, "image")
		for j := 0; j < nTexts; j++ {
			fmt.Fprintf(w, "\t%q", label(texts, j, "text"))
		}
		fmt.Fprintln(w)
		for i := 0; i < nImages; i++ {
			row := logits[i*nTexts : (i+1)*nTexts]
			maxv := slices.Max(row)
			var sum float64
			for _, l := range row {
				sum += math.Exp(float64(l - maxv))
			}
			fmt.Fprint(w, label(images, i, "image"))
			for _, l := range row {
				fmt.Fprintf(w, "\t%5.1f%% (%.2f)", 100*math.Exp(float64(l-maxv))/sum, l)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "\ncells: probability over the texts (logit)")
		return
	}
	show := func(names []string, n int, emb []float32, kind string) {
		for i := 0; i < n; i++ {
			v := emb[i*dim : (i+1)*dim]
			fmt.Fprintf(w, "%s\t[% .4f ...]\t%d dims\n", label(names, i, kind), v[:min(4, dim)], dim)
		}
	}
	show(images, nImages, imageEmb, "image")
	show(texts, nTexts, textEmb, "text")
}

func dim(m *clipmodel.Model) int { return m.Config.ProjectionDim }

// finiteEmbeddings refuses embeddings that are not finite numbers (weights that overflow in the forward pass):
// a table of NaN% or a file of NaN is not a result.
func finiteEmbeddings(kind string, emb []float32, dim int, names []string) error {
	for i, v := range emb {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			which := fmt.Sprintf("%s %d", kind, i/dim+1)
			if k := i / dim; k < len(names) {
				which = fmt.Sprintf("%s %s", kind, quoteValue(names[k]))
			}
			return fmt.Errorf("the embedding of %s is not finite (%g): the model's weights overflow on this input", which, v)
		}
	}
	return nil
}

// noopValue lets a multi-valued flag appear in the flag set's help; parseFlags collects its values.
type noopValue struct{}

func (noopValue) String() string   { return "" }
func (noopValue) Set(string) error { return nil }
