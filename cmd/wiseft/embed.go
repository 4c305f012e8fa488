package main

import (
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/internal/console"
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

func printEmbedTable(images []string, nImages int, texts []string, nTexts int, imageEmb, textEmb, logits []float32, dim int) {
	label := func(names []string, i int, kind string) string {
		if i < len(names) {
			return names[i]
		}
		return fmt.Sprintf("%s %d", kind, i)
	}
	var rows [][]string
	if logits != nil {
		// Probabilities over the texts for each image, as CLIP's zero-shot demo shows them.
		head := []string{"image"}
		for j := 0; j < nTexts; j++ {
			head = append(head, strconv.Quote(label(texts, j, "text")))
		}
		rows = append(rows, head)
		for i := 0; i < nImages; i++ {
			row := logits[i*nTexts : (i+1)*nTexts]
			maxv := slices.Max(row)
			var sum float64
			for _, l := range row {
				sum += math.Exp(float64(l - maxv))
			}
			cells := []string{label(images, i, "image")}
			for _, l := range row {
				cells = append(cells, fmt.Sprintf("%5.1f%% (%.2f)", 100*math.Exp(float64(l-maxv))/sum, l))
			}
			rows = append(rows, cells)
		}
		_ = console.Table(stdout, rows)
		fmt.Fprintln(stdout, "\ncells: probability over the texts (logit)")
		return
	}
	show := func(names []string, n int, emb []float32, kind string) {
		for i := 0; i < n; i++ {
			v := emb[i*dim : (i+1)*dim]
			rows = append(rows, []string{label(names, i, kind), fmt.Sprintf("[% .4f ...]", v[:min(4, dim)]), fmt.Sprintf("%d dims", dim)})
		}
	}
	show(images, nImages, imageEmb, "image")
	show(texts, nTexts, textEmb, "text")
	_ = console.Table(stdout, rows)
}

// noopValue lets a multi-valued flag appear in the flag set's help; parseFlags collects its values.
type noopValue struct{}

func (noopValue) String() string   { return "" }
func (noopValue) Set(string) error { return nil }
