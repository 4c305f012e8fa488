//go:build unix

package main

import (
	"crypto/sha256"
	bin "encoding/binary"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/wiseft"
)

// rewriteSafetensors copies the safetensors file src to dst after edit changed its JSON header; headerLen, when
// set, replaces the header length written in the first 8 bytes, and cut, when positive, keeps only that many
// bytes of the result.
func rewriteSafetensors(t *testing.T, src, dst string, edit func(h map[string]any), headerLen func(n uint64) uint64, cut func(size int) int) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	n := bin.LittleEndian.Uint64(data)
	var h map[string]any
	if err := json.Unmarshal(data[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	body := data[8+n:]
	if edit != nil {
		edit(h)
	}
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	length := uint64(len(js))
	if headerLen != nil {
		length = headerLen(length)
	}
	out := bin.LittleEndian.AppendUint64(nil, length)
	out = append(append(out, js...), body...)
	if cut != nil {
		out = out[:cut(len(out))]
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// corruptModel lays out the fixture model (config, tokenizer) with a damaged model.safetensors.
func corruptModel(t *testing.T, edit func(h map[string]any), headerLen func(uint64) uint64, cut func(int) int) string {
	dir := modelWithTokenizer(t)
	rewriteSafetensors(t, fixture+"/model.safetensors", filepath.Join(dir, "model.safetensors"), edit, headerLen, cut)
	return dir
}

// corruptInputs writes a damaged copy of the golden inputs file.
func corruptInputs(t *testing.T, edit func(h map[string]any), headerLen func(uint64) uint64, cut func(int) int) string {
	path := filepath.Join(t.TempDir(), "inputs.safetensors")
	rewriteSafetensors(t, fixture+"/golden.safetensors", path, edit, headerLen, cut)
	return path
}

// Header edits: a shape that needs more bytes than its offsets give, offsets past the data, a huge header length.
func lieAboutSize(name string) func(map[string]any) {
	return func(h map[string]any) {
		e := h[name].(map[string]any)
		shape := e["shape"].([]any)
		shape[0] = shape[0].(float64) * 2
	}
}

func lieAboutOffsets(name string) func(map[string]any) {
	return func(h map[string]any) {
		e := h[name].(map[string]any)
		off := e["data_offsets"].([]any)
		e["data_offsets"] = []any{off[0], off[1].(float64) + 1<<20}
	}
}

func hugeHeaderLength(uint64) uint64 { return 1<<63 + 5 }
func half(size int) int              { return size / 2 }
func inHeader(int) int               { return 100 }

// snapshot hashes every file under dir.
func snapshot(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out[path] = sha256.Sum256(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// badRow is one case of TestBadInputTable: the command line, what the one error line must contain, and
// environment variables to add.
type badRow struct {
	name string
	args []string
	want string
	env  []string
}

// TestBadInputTable runs the real binary on every kind of bad input a user can give: each must end with exit
// status != 0, exactly one line on standard error naming the problem, no panic trace, and leave the output files
// that existed before untouched (and no new file beside them).
func TestBadInputTable(t *testing.T) {
	model := modelWithTokenizer(t)
	work := t.TempDir()

	// Outputs that already exist: a failed command must not touch them.
	outs := filepath.Join(work, "outputs")
	embedOut := filepath.Join(outs, "embeds.safetensors")
	mergeOut := filepath.Join(outs, "merged")
	save := filepath.Join(outs, "run")
	resultsDB := filepath.Join(outs, "results.jsonl")
	for path, content := range map[string]string{
		embedOut: "precious embeddings",
		filepath.Join(mergeOut, "model.safetensors"):         "precious merge",
		filepath.Join(save, "zeroshot", "model.safetensors"): "precious classifier",
		resultsDB: `{"alpha":0.5,"MNIST:top1":0.9}` + "\n",
		// A folder of the user's that holds a model and a file of theirs, an earlier pretrained model, figures,
		// a benchmark log, notes, and binary weights named where a results log is expected.
		filepath.Join(outs, "withreadme", "model.safetensors"): "precious model",
		filepath.Join(outs, "withreadme", "README"):            "my notes",
		filepath.Join(outs, "pretrained", "model.safetensors"): "precious pretrained",
		filepath.Join(outs, "figures", "average.svg"):          "<svg/>",
		filepath.Join(outs, "bench.jsonl"):                     `{"case":"matmul:8x8x8"}` + "\n",
		filepath.Join(outs, "notes.txt"):                       "# my notes\nnot a log\n",
		filepath.Join(outs, "weights.safetensors"):             "\x58\x01\x00\x00\x00\x00\x00\x00{\"a\":1}\x00\x01",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Two classifiers that cannot be interpolated: 10 and 3 classes (different shapes), and one without a head
	// (different keys).
	base, err := clipmodel.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	classifier := func(classes int) string {
		names := make([]string, classes)
		for i := range names {
			names[i] = string(rune('a' + i))
		}
		c, err := wiseft.NewClassifier(base, names, clipmodel.NewTensor(classes, base.Config.ProjectionDim), nil)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(work, "classifier", string(rune('0'+classes)))
		if err := c.Save(dir); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	ten, three := classifier(10), classifier(3)

	// Images that do not decode: text with an image's extension, and a JPEG cut after its header.
	notImage := filepath.Join(work, "notes.png")
	os.WriteFile(notImage, []byte("not an image at all"), 0o644)
	jpeg, err := os.ReadFile("../../clipmodel/preprocess/testdata/photo_64x48.jpg")
	if err != nil {
		t.Fatal(err)
	}
	cutJPEG := filepath.Join(work, "cut.jpg")
	os.WriteFile(cutJPEG, jpeg[:len(jpeg)/3], 0o644)
	imageFolder := filepath.Join(work, "photos")
	os.MkdirAll(imageFolder, 0o755)
	os.WriteFile(filepath.Join(imageFolder, "a.jpg"), jpeg, 0o644)
	os.WriteFile(filepath.Join(imageFolder, "b.jpg"), jpeg[:len(jpeg)/3], 0o644)

	// Class lists with no class.
	emptyClasses := filepath.Join(work, "empty-classes.txt")
	os.WriteFile(emptyClasses, nil, 0o644)
	commentClasses := filepath.Join(work, "comment-classes.txt")
	os.WriteFile(commentClasses, []byte("# no classes yet\n\n   \n"), 0o644)

	words := make([]string, 200)
	for i := range words {
		words[i] = "word"
	}
	longText := strings.Join(words, " ")

	// runArgs passes --overwrite, so that each row shows its own error, and that even with --overwrite a run that
	// fails touches nothing; runOver is the same run without it.
	runOver := func(extra ...string) []string {
		return append([]string{"run", "--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST",
			"--save", save, "--results-db", resultsDB}, extra...)
	}
	runArgs := func(extra ...string) []string { return runOver(append([]string{"--overwrite"}, extra...)...) }
	embedModel := func(dir string) []string { return []string{"embed", "--model", dir, "--text", "a cat"} }
	embedInputs := func(path string) []string {
		return []string{"embed", "--model", fixture, "--inputs", path, "--out", embedOut, "--overwrite"}
	}
	editedConfig := func(edit func(string) string) string {
		dir := modelWithTokenizer(t)
		cfg, _ := os.ReadFile(filepath.Join(dir, "config.json"))
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(edit(string(cfg))), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	notJSON := editedConfig(func(string) string { return "{not json" })
	otherArch := editedConfig(func(s string) string { return strings.Replace(s, `"projection_dim": 32`, `"projection_dim": 48`, 1) })

	// Rows that reach the data: a pair of classifiers that do not fit the dataset, a damaged checkpoint.
	data, _ := filepath.Abs("../../data")
	haveData := true
	if _, err := os.Stat(filepath.Join(data, "mnist")); err != nil {
		haveData = false
	}
	tornCheckpoint := filepath.Join(work, "checkpoints", "checkpoint_step_7")
	os.MkdirAll(tornCheckpoint, 0o755)
	for _, name := range []string{"config.json", "vocab.json", "merges.txt"} {
		b, _ := os.ReadFile(filepath.Join(ten, name))
		os.WriteFile(filepath.Join(tornCheckpoint, name), b, 0o644)
	}
	weights, _ := os.ReadFile(filepath.Join(ten, "model.safetensors"))
	os.WriteFile(filepath.Join(tornCheckpoint, "model.safetensors"), weights[:len(weights)/2], 0o644)
	os.WriteFile(filepath.Join(tornCheckpoint, "state.json"), []byte(`{"epoch":0,"step":7,"step_in_epoch":7,"steps_per_epoch":8}`), 0o644)

	bareCut := filepath.Join(work, "bare", "clip.safetensors")
	rewriteSafetensors(t, fixture+"/model.safetensors", bareCut, nil, nil, half)

	h := hostileInputs(t, work, model, ten, outs)
	cases := []badRow{
		{"--model: header lies about a size", embedModel(corruptModel(t, lieAboutSize("visual_projection.weight"), nil, nil)), "needs 16384 bytes", nil},
		{"--model: header lies about offsets", embedModel(corruptModel(t, lieAboutOffsets("visual_projection.weight"), nil, nil)), "outside", nil},
		{"--model: huge header length", embedModel(corruptModel(t, nil, hugeHeaderLength, nil)), "exceeds", nil},
		{"--model: truncated in the data", embedModel(corruptModel(t, nil, nil, half)), "outside", nil},
		{"--model: truncated in the header", embedModel(corruptModel(t, nil, nil, inHeader)), "truncated", nil},
		{"--model: bare .safetensors file truncated", embedModel(bareCut), "clip.safetensors", nil},
		{"--inputs: header lies about a size", embedInputs(corruptInputs(t, lieAboutSize("pixel_values"), nil, nil)), "needs 98304 bytes", nil},
		{"--inputs: header lies about offsets", embedInputs(corruptInputs(t, lieAboutOffsets("pixel_values"), nil, nil)), "outside", nil},
		{"--inputs: huge header length", embedInputs(corruptInputs(t, nil, hugeHeaderLength, nil)), "exceeds", nil},
		{"--inputs: truncated", embedInputs(corruptInputs(t, nil, nil, half)), "outside", nil},
		{"--model: config.json is not JSON", embedModel(notJSON), "config.json", nil},
		{"--model: weights of another architecture", embedModel(otherArch), "the config expects [48 32]", nil},
		{"merge: different shapes", []string{"merge", "--overwrite", "--out", mergeOut, "--alpha", "0.5", ten, three}, "shape", nil},
		{"merge: different keys", []string{"merge", "--overwrite", "--out", mergeOut, "--alpha", "0.5", ten, model}, "missing", nil},
		{"merge: corrupt model", []string{"merge", "--overwrite", "--out", mergeOut, "--alpha", "0.5", ten, bareCut}, "clip.safetensors", nil},
		{"merge: alpha above 1", []string{"merge", "--overwrite", "--out", mergeOut, "--alpha", "1.5", ten, ten}, "--allow-extrapolation", nil},
		{"merge: alpha below 0", []string{"merge", "--overwrite", "--out", mergeOut, "--alpha", "-0.1", ten, ten}, "--allow-extrapolation", nil},
		{"run: alpha outside [0,1]", runArgs("--alpha", "0,0.5,1.2"), "--allow-extrapolation", nil},
		{"run: unknown training dataset", []string{"run", "--model", model, "--train-dataset", "NoSuchSet", "--eval-datasets", "MNIST", "--save", save}, `unknown dataset "NoSuchSet"`, nil},
		{"run: unknown evaluation dataset", runArgs("--eval-datasets", "MNIST,ImageNet-Q"), `unknown dataset "ImageNet-Q"`, nil},
		{"run: unknown template", runArgs("--template", "no_such_template"), "no_such_template", nil},
		{"run: unknown model", []string{"run", "--model", "ViT-Q/99", "--train-dataset", "MNIST", "--eval-datasets", "MNIST", "--save", save}, "ViT-Q/99", nil},
		{"run: empty class-names file", runArgs("--class-names", emptyClasses), "holds no class names", nil},
		{"run: class-names file without a name", runArgs("--class-names", commentClasses), "holds no class names", nil},
		{"run --load: classifiers that do not fit the dataset", runArgs("--data-location", data, "--load", ten+","+three), "3 classes, 10 class names", nil},
		{"run --resume: damaged checkpoint", []string{"run", "--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST", "--data-location", data,
			"--save", filepath.Join(work, "fresh"), "--resume", tornCheckpoint}, "checkpoint_step_7", nil},
		{"embed: file that is not an image", []string{"embed", "--model", model, "--images", notImage, "--out", embedOut, "--overwrite"}, "notes.png", nil},
		{"embed: truncated JPEG", []string{"embed", "--model", model, "--images", cutJPEG, "--out", embedOut, "--overwrite"}, "cut.jpg", nil},
		{"embed: folder with a truncated JPEG", []string{"embed", "--model", model, "--images", imageFolder, "--out", embedOut, "--overwrite"}, "b.jpg", nil},
		{"embed: text longer than the context", []string{"embed", "--model", model, "--text", "a cat", longText, "--out", embedOut, "--overwrite"}, `--text value 2 ("word word word`, nil},
		{"run: --results-db is a folder", runArgs("--results-db", t.TempDir()), "is a folder", nil},
		{"run: --results-db under a file", runArgs("--results-db", filepath.Join(notImage, "r.jsonl")), "not a directory", nil},
		{"bench: --json in a folder that does not exist", []string{"bench", "--cases", "matmul:8x8x8", "--json", filepath.Join(t.TempDir(), "no", "b.jsonl")}, "does not exist", nil},
		{"bench: unknown case", []string{"bench", "--cases", "forward:1,warp:9"}, "warp:9", nil},
	}
	cases = append(cases, h.rows...)
	before := snapshot(t, outs)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if slices.Contains(c.args, data) && !haveData {
				t.Skip("no data (run scripts/setup.sh)")
			}
			stdout, stderr, code := runEnv(t, c.env, c.args...)
			if code == 0 {
				t.Fatalf("exit 0; stdout %q", stdout)
			}
			line := strings.TrimSuffix(stderr, "\n")
			if line == "" || strings.Contains(line, "\n") {
				t.Errorf("want exactly one line on standard error, got %q", stderr)
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
				t.Errorf("a panic reached the user: %s", stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("error %q does not mention %q", line, c.want)
			}
			if len(line) > maxLine+100 {
				t.Errorf("an error line of %d bytes: long values must be cut", len(line))
			}
			t.Logf("exit %d: %s", code, line)
			after := snapshot(t, outs)
			if len(after) != len(before) {
				t.Errorf("%d files under the outputs folder, %d before: %v", len(after), len(before), after)
			}
			for path, sum := range before {
				if after[path] != sum {
					t.Errorf("%s was modified", path)
				}
			}
		})
	}

	// The same long text is accepted with --truncate.
	if _, stderr, code := run(t, "embed", "--model", model, "--text", longText, "--truncate"); code != 0 {
		t.Errorf("--truncate: exit %d: %s", code, stderr)
	}
}
