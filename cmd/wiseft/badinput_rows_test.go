//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/clipmodel"
	"github.com/gowiseft/wiseft/clipmodel/safetensors"
	"github.com/gowiseft/wiseft/clipmodel/tokenizer"
	"github.com/gowiseft/wiseft/wiseft"
	"github.com/gowiseft/wiseft/world"
)

// hostileRows are the rows of TestBadInputTable for reliability issue 11: outputs that would damage the user's
// files, numbers that are not what ran or not finite, files that lie or never end, special files, absurd sizes,
// late or unclear errors; and the same kinds of input for every other command, file and number.
type hostileRows struct{ rows []badRow }

func hostileInputs(t *testing.T, work, model, ten, outs string) hostileRows {
	dir := filepath.Join(work, "hostile")
	os.MkdirAll(dir, 0o755)
	save := filepath.Join(outs, "run")
	resultsDB := filepath.Join(outs, "results.jsonl")
	embedOut := filepath.Join(outs, "embeds.safetensors")
	mergeOut := filepath.Join(outs, "merged")
	withReadme := filepath.Join(outs, "withreadme")
	pretrained := filepath.Join(outs, "pretrained")

	// A second 10-class classifier with another head, for merges whose result overflows.
	base, err := clipmodel.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	head := clipmodel.NewTensor(10, base.Config.ProjectionDim)
	for i := range head.Data {
		head.Data[i] = 1
	}
	c, err := wiseft.NewClassifier(base, strings.Split("a b c d e f g h i j", " "), head, nil)
	if err != nil {
		t.Fatal(err)
	}
	ten2 := filepath.Join(dir, "ten2")
	if err := c.Save(ten2); err != nil {
		t.Fatal(err)
	}
	tenCopy, ten2Copy := copyFiles(t, ten, filepath.Join(dir, "ten-copy")), copyFiles(t, ten2, filepath.Join(dir, "ten2-copy"))

	golden := fixture + "/golden.safetensors"
	goldenCopy := filepath.Join(dir, "inputs.safetensors")
	data, _ := os.ReadFile(golden)
	os.WriteFile(goldenCopy, data, 0o644)
	hardLink := filepath.Join(dir, "link.safetensors")
	os.Link(goldenCopy, hardLink)

	// A model of the world's architecture whose vocabulary is not the world's (200 merges: 714 tokens, not 722): it
	// passes a check of the architecture alone, and would fail only inside the pretraining, after the output and
	// checkpoint folders were locked and made.
	otherTok, err := tokenizer.Train(world.AllCaptions(), 200)
	if err != nil {
		t.Fatal(err)
	}
	otherCfg := world.TinyConfig(otherTok.VocabSize())
	otherVocab := filepath.Join(dir, "other-vocab")
	if err := (&clipmodel.Model{Config: otherCfg, Weights: clipmodel.RandomWeights(otherCfg, 1), Tokenizer: otherTok}).Save(otherVocab); err != nil {
		t.Fatal(err)
	}

	fifoModel := mkfifo(t, filepath.Join(dir, "pipe.safetensors"))
	fifoText := mkfifo(t, filepath.Join(dir, "pipe.txt"))
	fifoPNG := mkfifo(t, filepath.Join(dir, "pipe.png"))
	fifoInside := modelWithTokenizer(t)
	os.Remove(filepath.Join(fifoInside, clipmodel.WeightsFile))
	mkfifo(t, filepath.Join(fifoInside, clipmodel.WeightsFile))
	loop := filepath.Join(dir, "loop")
	os.Symlink(loop, loop)

	const thirtyGB = 30 << 30
	sparseZeros := sparseFile(t, filepath.Join(dir, "zeros.safetensors"), nil, thirtyGB)
	sparseClaim := sparseFile(t, filepath.Join(dir, "claim.safetensors"), claimsHuge(thirtyGB), thirtyGB+int64(len(claimsHuge(thirtyGB))))
	sparseText := sparseFile(t, filepath.Join(dir, "classes.txt"), []byte("zero\n"), thirtyGB)

	bomb := filepath.Join(dir, "bombs")
	writeFile(t, filepath.Join(bomb, "a.png"), string(pngHeader(16000, 16000)))

	emptyMerges := modelWithTokenizer(t)
	os.WriteFile(filepath.Join(emptyMerges, clipmodel.MergesFile), nil, 0o644)
	hugeToken := modelWithTokenizer(t)
	os.WriteFile(filepath.Join(hugeToken, clipmodel.MergesFile), []byte("#version: 0.2\n"+long(5<<20)+" z\n"), 0o644)
	dupClasses := writeFile(t, filepath.Join(dir, "dup-classes.txt"), "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\none\n")
	longClass := writeFile(t, filepath.Join(dir, "long-classes.txt"), "zero\n"+long(1<<20)+"\n")
	readme := filepath.Join(outs, "notes.txt")
	weights := filepath.Join(outs, "weights.safetensors")
	binaryLog := writeFile(t, filepath.Join(dir, "binary.jsonl"), "\x00\x01\x02{not a log}\n\xff\xfe")
	garbageLog := writeFile(t, filepath.Join(dir, "garbage.jsonl"), strings.Repeat("not json\n", 20))
	nanFisher := fisherFile(t, ten, filepath.Join(dir, "fisher-nan.safetensors"), float32(math.NaN()))
	negFisher := fisherFile(t, ten, filepath.Join(dir, "fisher-neg.safetensors"), -1)
	nanInputs := nanPixels(t, filepath.Join(dir, "nan-inputs.safetensors"))
	intDType := editedWeights(t, func(m map[string]*safetensors.Tensor) {
		m["vision_model.pre_layrnorm.bias"] = safetensors.FromInt64(make([]int64, 64), 64)
	})

	// Folder datasets: a 2-class ImageNet-layout one to fine-tune on, a 3-class and a 2-class evaluation-only one
	// with other class folders (the files only need to be listed: the check comes before any image is read).
	folderSets := filepath.Join(dir, "folders")
	for _, f := range []string{"two/train/cat/1.png", "two/train/dog/2.png", "two/val/cat/3.png", "two/val/dog/4.png",
		"three/ant/1.png", "three/bee/2.png", "three/cow/3.png", "other/cat/1.png", "other/eel/2.png"} {
		writeFile(t, filepath.Join(folderSets, f), string(pngHeader(4, 4)))
	}
	for k := range 10 { // a 10-class evaluation-only one, for the 10-class classifiers
		writeFile(t, filepath.Join(folderSets, "ten", fmt.Sprintf("c%d", k), "1.png"), string(pngHeader(4, 4)))
	}
	folderRun := func(eval string, extra ...string) []string {
		return append([]string{"run", "--model", model, "--folder-dataset", "Two=" + filepath.Join(folderSets, "two"),
			"--folder-dataset", "Three=" + filepath.Join(folderSets, "three"), "--folder-dataset",
			"Other=" + filepath.Join(folderSets, "other"), "--train-dataset", "Two", "--eval-datasets", eval,
			"--save", save, "--results-db", resultsDB, "--overwrite"}, extra...)
	}

	embed := func(m string, extra ...string) []string {
		return append([]string{"embed", "--model", m, "--text", "a cat"}, extra...)
	}
	runWith := func(m string, extra ...string) []string {
		return append([]string{"run", "--model", m, "--train-dataset", "MNIST", "--eval-datasets", "MNIST",
			"--save", save, "--results-db", resultsDB, "--overwrite"}, extra...)
	}
	run := func(extra ...string) []string { return runWith(model, extra...) }
	methodsLog := writeFile(t, filepath.Join(dir, "methods.jsonl"),
		`{"alpha":0,"method":"lp-ft","eval_datasets":["MNIST","MNIST-Inverted"],"MNIST:top1":0.9,"MNIST-Inverted:top1":0.5}`+"\n"+
			`{"alpha":1,"method":"flyp","eval_datasets":["MNIST","MNIST-Inverted"],"MNIST:top1":0.8,"MNIST-Inverted:top1":0.6}`+"\n")
	plotBy := func(keys string) []string {
		return []string{"plot", "--results-db", methodsLog, "--save", filepath.Join(work, "fig-by"), "--group-by", keys}
	}
	// Checkpoints of other methods, with the settings run(... "--shards", "1") asks for.
	runCfg := wiseft.DefaultFineTuneConfig()
	runCfg.BatchSize, runCfg.LR, runCfg.Shards = paperBatchSize, paperLR, 1
	probeCfg := runCfg
	probeCfg.Epochs, probeCfg.LR, probeCfg.FreezeEncoder = 10, 0.01, true
	flypCfg := runCfg
	flypCfg.FLYP = true
	ftCheckpoint := fakeCheckpoint(t, filepath.Join(dir, "ck-ft"), ten, wiseft.FineTuneRecipe{Config: runCfg, Method: "ft"})
	lpftCheckpoint := fakeCheckpoint(t, filepath.Join(dir, "ck-lpft"), ten,
		wiseft.FineTuneRecipe{Config: runCfg, Method: "lp-ft", Probe: &probeCfg})
	flypCheckpoint := fakeCheckpoint(t, filepath.Join(dir, "ck-flyp"), ten, wiseft.FineTuneRecipe{Config: flypCfg})
	merge := func(extra ...string) []string { return append([]string{"merge"}, extra...) }
	loadRun := func(extra ...string) []string {
		return append([]string{"run", "--load", ten + "," + ten, "--eval-datasets", "MNIST"}, extra...)
	}

	rows := []badRow{
		{"run --eval-datasets a folder dataset with another class count", folderRun("Two,Three"), "Three has 3 classes, but the classifier fine-tuned on Two has 2: an evaluation set must have the classifier's classes", nil},
		{"run --held-out a folder dataset with another class count", folderRun("Two", "--held-out", "Three"), "Three has 3 classes, but the classifier fine-tuned on Two has 2: an evaluation set must have the classifier's classes", nil},
		{"run --load with a folder dataset of another class count", []string{"run", "--load", ten + "," + ten, "--folder-dataset", "Ten=" + filepath.Join(folderSets, "ten"), "--folder-dataset", "Three=" + filepath.Join(folderSets, "three"), "--eval-datasets", "Ten,Three"}, "Three has 3 classes, but the classifier loaded from " + ten + " has 10: an evaluation set", nil},
		{"run --eval-datasets a folder dataset with other class folders", folderRun("Two,Other"), `Other's class 1 is "eel", but the classifier's (fine-tuned on Two) is "dog"`, nil},
		// Overwriting or damaging the user's files.
		{"embed --out inside the model folder", embed(model, "--out", filepath.Join(model, "model.safetensors"), "--overwrite"), "lies inside --model", nil},
		{"embed --out an existing file", embed(model, "--out", embedOut), "already exists: pass --overwrite to replace it", nil},
		{"embed --out the --inputs file", []string{"embed", "--model", fixture, "--inputs", goldenCopy, "--out", goldenCopy, "--overwrite"}, "is also an input (--inputs", nil},
		{"embed --out a hard link of the --inputs file", []string{"embed", "--model", fixture, "--inputs", goldenCopy, "--out", hardLink, "--overwrite"}, "is also an input", nil},
		{"merge --out one of its inputs", merge("--out", ten, ten, ten2), "is also an input (--model", nil},
		{"merge --out inside an input", merge("--out", filepath.Join(ten, "sub"), ten, ten2), "lies inside --model", nil},
		{"merge --out a folder holding an input", merge("--overwrite", "--out", filepath.Dir(ten), ten, ten2), "would hold --model", nil},
		{"merge --out a model folder holding a README, even with --overwrite", merge("--overwrite", "--out", withReadme, ten, ten2), `holds "README", which is not part of a model`, nil},
		{"merge --out an existing model", merge("--out", mergeOut, ten, ten2), "already holds a model: pass --overwrite", nil},
		{"merge --out a file", merge("--out", embedOut, ten, ten2), "not a folder", nil},
		{"run --results-db the model's weights", run("--results-db", filepath.Join(model, "model.safetensors")), "lies inside --model", nil},
		{"run --results-db a binary file", run("--results-db", weights), "holds binary data", nil},
		{"run --results-db a text file that is not a log", run("--results-db", readme), "no line is a record", nil},
		{"run --results-db a device", run("--results-db", "/dev/null"), "is a character device, not a results log", nil},
		{"run --save over an earlier run", []string{"run", "--model", model, "--train-dataset", "MNIST", "--eval-datasets", "MNIST", "--save", save}, "already holds a model: pass --overwrite", nil},
		{"run --plots inside the model folder", run("--eval-datasets", "MNIST,MNIST-Inverted", "--plots", filepath.Join(model, "plots")), "lies inside --model", nil},
		{"run --cache-dir inside the model folder", run("--freeze-encoder", "--cache-dir", filepath.Join(model, "cache")), "lies inside --model", nil},
		{"run --class-names is --results-db", run("--class-names", resultsDB), "is also an input (--class-names", nil},
		{"pretrain --out an existing model folder", []string{"pretrain", "--out", pretrained}, "already holds a model: pass --overwrite", nil},
		{"pretrain --checkpoint-dir inside --out", []string{"pretrain", "--out", filepath.Join(work, "pt"), "--checkpoint-dir", filepath.Join(work, "pt", "ck")}, "a model folder this command replaces whole", nil},
		{"plot --save a folder with files", []string{"plot", "--results-db", resultsDB, "--save", filepath.Join(outs, "figures")}, "already holds files: pass --overwrite", nil},
		{"bench --json an existing file", []string{"bench", "--cases", "matmul:8x8x8", "--json", filepath.Join(outs, "bench.jsonl")}, "already exists: pass --overwrite", nil},

		// What the log records must be what ran.
		{"run --epochs 0", run("--epochs", "0"), "--epochs 0 would not fine-tune", nil},
		{"run --lr 0", run("--lr", "0"), "--lr must be above 0", nil},
		{"run --batch-size 0", run("--batch-size", "0"), "--batch-size must be at least 1", nil},
		{"run --epochs -1", run("--epochs", "-1"), "--epochs must be at least 1", nil},
		{"run --lr -1e-3", run("--lr", "-1e-3"), "--lr must be above 0, got -0.001", nil},
		{"run --batch-size -8", run("--batch-size", "-8"), "--batch-size must be at least 1", nil},
		{"run --shards 0", run("--shards", "0"), "--shards must be at least 1", nil},
		{"run --shards above --batch-size", run("--shards", "4", "--batch-size", "2"), "--shards 4 is more than --batch-size 2", nil},
		{"run --warmup-length -1", run("--warmup-length", "-1"), "--warmup-length -1 is negative", nil},
		{"run --eval-limit -1", run("--eval-limit", "-1"), "--eval-limit -1 is negative", nil},
		{"run --train-limit -5", run("--train-limit", "-5"), "--train-limit -5 is negative", nil},
		{"run --eval-batch-size 0", run("--eval-batch-size", "0"), "--eval-batch-size must be at least 1", nil},
		{"run --wd NaN", run("--wd", "NaN"), "--wd NaN is not a finite number", nil},
		{"run --wd -0.1", run("--wd", "-0.1"), "--wd -0.1 is negative", nil},
		{"run --lr NaN", run("--lr", "NaN"), "--lr NaN is not a finite number", nil},
		{"run --lr +Inf", run("--lr", "+Inf"), "--lr +Inf is not a finite number", nil},
		{"run --ls 2", run("--ls", "2"), "--ls 2 is outside [0, 1)", nil},
		{"run --ls NaN", run("--ls", "NaN"), "--ls NaN is not a finite number", nil},
		{"run --fisher-floor NaN", run("--fisher-floor", "NaN"), "--fisher-floor NaN is not a finite number", nil},
		{"run --fisher-floor -1", run("--fisher-floor", "-1"), "--fisher-floor -1 is negative", nil},
		{"run --fisher-examples -1", run("--fisher", "compute", "--fisher-examples", "-1"), "--fisher-examples -1 is negative", nil},
		{"run --fisher-epochs -2", run("--fisher", "compute", "--fisher-epochs", "-2"), "--fisher-epochs -2 is negative", nil},
		{"run --fisher-split val", run("--fisher", "compute", "--fisher-split", "val"), `--fisher-split "val": want train or test`, nil},
		{"run --classnames other", run("--classnames", "clip"), `--classnames "clip": only "openai"`, nil},
		{"run --ensemble logits", run("--ensemble", "logits"), `--ensemble: ensemble "logits": want`, nil},
		{"run --ensemble with --fisher", loadRun("--ensemble", "both", "--fisher", "compute"), "give one of them", nil},
		{"run one --load with --fisher", []string{"run", "--load", ten, "--eval-datasets", "MNIST", "--fisher", "compute"}, "evaluates that classifier alone", nil},
		{"run one --load with --ensemble", []string{"run", "--load", ten, "--eval-datasets", "MNIST", "--ensemble", "outputs"}, "evaluates that classifier alone", nil},
		{"run three --load folders", []string{"run", "--load", ten + "," + ten + "," + ten, "--eval-datasets", "MNIST"}, "--load takes two folders, ZEROSHOT,FINETUNED (or one classifier to evaluate); got 3", nil},
		{"run --eval-every-epoch with --load", loadRun("--eval-every-epoch"), "--eval-every-epoch evaluates during fine-tuning; --load does not fine-tune", nil},
		{"run --progress-every -1s", run("--progress-every", "-1s"), "--progress-every -1s is negative", nil},
		{"run --alpha NaN", run("--alpha", "0,NaN"), `--alpha: "NaN" is not a number`, nil},
		{"run --alpha twice", run("--alpha", "0,0.5,0.5"), "--alpha lists 0.5 twice", nil},
		{"NaN weight (embed)", embed(editedWeights(t, setWeight("vision_model.post_layernorm.weight", 3, float32(math.NaN())))), `"vision_model.post_layernorm.weight" holds NaN at index 3`, nil},
		{"Inf weight (run)", runWith(editedWeights(t, setWeight("text_projection.weight", 0, float32(math.Inf(1))))), `"text_projection.weight" holds +Inf at index 0`, nil},
		{"NaN logit_scale", embed(editedWeights(t, setWeight("logit_scale", 0, float32(math.NaN())))), `"logit_scale" holds NaN`, nil},
		{"huge logit_scale", embed(editedWeights(t, setWeight("logit_scale", 0, 1e10))), `"logit_scale" is 1e+10, outside [-10, 10]`, nil},
		{"layer_norm_eps 0", embed(editedConfigJSON(t, "vision_config", "layer_norm_eps", 0)), "vision_config.layer_norm_eps 0 is outside (0, 0.5]", nil},
		{"layer_norm_eps negative", embed(editedConfigJSON(t, "text_config", "layer_norm_eps", -1)), "text_config.layer_norm_eps -1 is outside", nil},
		{"integer dtype on a weight", embed(intDType), `"vision_model.pre_layrnorm.bias" has dtype I64; a weight must be F32, F16, BF16 or F64`, nil},
		{"NaN Fisher file", loadRun("--fisher", nanFisher+","+nanFisher), `holds NaN at index 3`, nil},
		{"negative Fisher file", loadRun("--fisher", negFisher+","+negFisher), "Fisher values are never negative", nil},
		{"NaN pixel inputs", []string{"embed", "--model", fixture, "--inputs", nanInputs}, `"pixel_values" holds NaN at index 10`, nil},
		{"merge α = 1e300 with --allow-extrapolation", merge("--out", filepath.Join(work, "m1"), "--alpha", "1e300", "--allow-extrapolation", ten, ten2), `extrapolate: α = 1e+300: the merged tensor "classification_head.weight" holds +Inf`, nil},
		{"merge λ = -1e300", merge("--mode", "task-vector", "--out", filepath.Join(work, "m2"), "--lambda", "-1e300", ten, ten2), `task vector: λ = -1e+300: the merged tensor`, nil},
		{"duplicate tensor name", embed(duplicateNameModel(t)), `the header names "logit_scale" twice`, nil},
		{"data bytes no tensor covers", embed(gapModel(t)), "8 bytes after the tensors", nil},
		{"empty merges.txt", embed(emptyMerges), "merges.txt holds no merges", nil},
		{"repeated class names", run("--class-names", dupClasses), `names "one" twice (lines 2 and 10)`, nil},

		// Crashes and hangs.
		{"config.json: 100,000,000 layers", embed(editedConfigJSON(t, "vision_config", "num_hidden_layers", 100000000)), "vision_config.num_hidden_layers 100000000 is outside [0, 1024]", nil},
		{"config.json: 1e12 layers", embed(editedConfigJSON(t, "text_config", "num_hidden_layers", 1000000000000)), "text_config.num_hidden_layers 1000000000000 is outside [0, 1024]", nil},
		{"config.json: absurd width", embed(editedConfigJSON(t, "vision_config", "hidden_size", 1<<40)), "vision_config.hidden_size 1099511627776 is outside", nil},
		{"config.json: absurd image size", embed(editedConfigJSON(t, "vision_config", "image_size", 1<<20)), "vision_config.image_size 1048576 is outside [1, 4096]", nil},
		{"30 GB sparse file as --model", embed(sparseZeros), "safetensors header is not valid JSON", nil},
		{"30 GB sparse file claiming 30 GB of tensors as --inputs", []string{"embed", "--model", fixture, "--inputs", sparseClaim}, "of memory, more than the", nil},
		{"30 GB sparse file as --class-names", run("--class-names", sparseText), "more than the 64.0 MiB such a file may hold", nil},
		{"/dev/zero as --model", embed("/dev/zero"), "/dev/zero is a character device", nil},
		{"/dev/zero as --inputs", []string{"embed", "--model", fixture, "--inputs", "/dev/zero"}, "/dev/zero is a character device, not a regular file", nil},
		{"/dev/zero as --class-names", run("--class-names", "/dev/zero"), "/dev/zero is a character device, not a regular file", nil},
		{"--eval-batch-size 1000000000", run("--eval-batch-size", "1000000000"), "--eval-batch-size 1000000000 (an evaluation batch) needs about", nil},
		{"a folder of 16000x16000 PNGs", []string{"embed", "--model", model, "--images", bomb}, "16000x16000 is 256000000 pixels, more than the 178956970 allowed", nil},
		{"GOMLX_BACKEND=go", embed(model), "use GOMLX_BACKEND=go:ops_sequential", []string{"GOMLX_BACKEND=go"}},
		{"GOMLX_BACKEND=go:ops_parallel", run(), "use GOMLX_BACKEND=go:ops_sequential", []string{"GOMLX_BACKEND=go:ops_parallel"}},
		{"bench --backend go", []string{"bench", "--backend", "go", "--cases", "matmul:8x8x8"}, "use GOMLX_BACKEND=go:ops_sequential", nil},
		{"a named pipe as --model", embed(fifoModel), "is a named pipe (FIFO), not a model folder or a .safetensors file", nil},
		{"a named pipe as model.safetensors", embed(fifoInside), "model.safetensors is a named pipe (FIFO), not a regular file", nil},
		{"a named pipe as --inputs", []string{"embed", "--model", fixture, "--inputs", fifoModel}, "is a named pipe (FIFO)", nil},
		{"a named pipe as --images", []string{"embed", "--model", model, "--images", fifoPNG}, "pipe.png is a named pipe (FIFO)", nil},
		{"a named pipe as --class-names", run("--class-names", fifoText), "pipe.txt is a named pipe (FIFO)", nil},
		{"a named pipe as --fisher", loadRun("--fisher", fifoModel+","+fifoModel), "is a named pipe (FIFO)", nil},
		{"a named pipe as plot's --results-db", []string{"plot", "--results-db", fifoText, "--save", filepath.Join(work, "fig")}, "is a named pipe (FIFO)", nil},
		{"a named pipe as tokenize --model", []string{"tokenize", "--model", fifoText, "hi"}, "is a named pipe (FIFO), not a folder", nil},

		// Errors that came late or were unclear.
		{"run: a flag that does not parse", run("--epochs", "x"), `invalid value "x" for flag -epochs: parse error; see wiseft run --help`, nil},
		{"embed: an unknown flag", embed(model, "--nope"), "flag provided but not defined: -nope; see wiseft embed --help", nil},
		{"merge: an unknown flag", merge("--frob"), "see wiseft merge --help", nil},
		{"plot: a flag without its value", []string{"plot", "--save"}, "flag needs an argument: -save; see wiseft plot --help", nil},
		{"pretrain: a bad number", []string{"pretrain", "--pairs", "many"}, "see wiseft pretrain --help", nil},
		{"bench: a bad duration", []string{"bench", "--time", "soon"}, "see wiseft bench --help", nil},
		{"tokenize: an unknown flag", []string{"tokenize", "--x"}, "see wiseft tokenize --help", nil},
		{"an unknown command", []string{"frobnicate"}, `unknown command "frobnicate"; the commands are bench, embed`, nil},
		{"run: the same evaluation set twice", run("--eval-datasets", "MNIST,MNIST-Inverted,MNIST"), `--eval-datasets lists "MNIST" twice`, nil},
		{"run: --held-out the in-distribution set", run("--held-out", "MNIST"), "the held-out set MNIST is also the in-distribution test set", nil},
		{"run: an unknown --held-out", run("--held-out", "Nope"), `unknown dataset "Nope"`, nil},
		{"plot on a binary file", []string{"plot", "--results-db", binaryLog, "--save", filepath.Join(work, "fig")}, "holds binary data", nil},
		{"plot on the model's weights", []string{"plot", "--results-db", filepath.Join(model, "model.safetensors"), "--save", filepath.Join(work, "fig")}, "not a JSON-lines results log", nil},
		{"plot on a text file of many bad lines", []string{"plot", "--results-db", garbageLog, "--save", filepath.Join(work, "fig")}, "11 lines are not JSON objects", nil},
		{"a 1 MB class name", run("--class-names", longClass), "line 2 is a name of 1048576 bytes", nil},
		{"a 5 MB token in merges.txt", embed(hugeToken), `xxx"… (5242880 bytes)`, nil},
		{"a 100 KB dataset name", run("--eval-datasets", long(100<<10)), `(102400 bytes); known:`, nil},
		{"a 100 KB flag", run("--" + long(100<<10)), "bytes cut", nil},
		{"a 100 KB model name", []string{"run", "--model", long(100 << 10), "--train-dataset", "MNIST", "--eval-datasets", "MNIST", "--save", filepath.Join(work, "s")}, "(102400 bytes) is longer than the file system allows", nil},
		{"a symbolic link loop as run --model", run("--model", loop), "loop is a symbolic link loop", nil},
		{"a symbolic link loop as embed --model", embed(loop), "loop is a symbolic link loop", nil},
		{"a symbolic link loop as merge's model", merge("--out", filepath.Join(work, "m3"), ten, loop), "loop is a symbolic link loop", nil},

		// The same kinds of input for the other commands and numbers.
		{"merge: an unknown mode, before any model is read", merge("--mode", "blend", "--out", filepath.Join(work, "m4"), loop), `unknown --mode "blend"`, nil},
		{"merge: --lambda NaN", merge("--mode", "task-vector", "--lambda", "NaN", "--out", filepath.Join(work, "m5"), ten, ten2), "must be finite numbers", nil},
		{"merge: --eval-limit -1", merge("--mode", "greedy-soup", "--held-out", "MNIST", "--eval-limit", "-1", "--out", filepath.Join(work, "m6"), ten), "--eval-limit -1 is negative", nil},
		{"merge: greedy soup on an unknown --held-out", merge("--mode", "greedy-soup", "--held-out", "Nope", "--out", filepath.Join(work, "m7"), ten), `unknown dataset "Nope"`, nil},
		{"pretrain --lr NaN", []string{"pretrain", "--lr", "NaN"}, "--lr must be a finite number above 0, got NaN", nil},
		{"pretrain --wd -1", []string{"pretrain", "--wd", "-1"}, "--wd must be a finite number, at least 0, got -1", nil},
		{"pretrain --handwriting NaN", []string{"pretrain", "--handwriting", "NaN"}, "--handwriting NaN is outside [0, 1]", nil},
		{"pretrain --styled-handwriting 0", []string{"pretrain", "--styled-handwriting", "0"}, "--styled-handwriting 0 is outside (0, 1]", nil},
		{"pretrain --styled-handwriting NaN", []string{"pretrain", "--styled-handwriting", "NaN"}, "--styled-handwriting NaN is outside (0, 1]", nil},
		{"pretrain --init-from a folder that does not exist", []string{"pretrain", "--init-from", filepath.Join(work, "nomodel"), "--out", filepath.Join(work, "p1")}, "--init-from: stat", nil},
		{"pretrain --init-from a CLIP of another architecture", []string{"pretrain", "--init-from", model, "--out", filepath.Join(work, "p3")}, "is not a model of the world's architecture", nil},
		{"pretrain --init-from a file", []string{"pretrain", "--init-from", readme, "--out", filepath.Join(work, "p2")}, "is a regular file, not a folder", nil},
		{"pretrain --init-from the world's architecture with another vocabulary, leaving no folder", []string{"pretrain", "--init-from", otherVocab, "--out", filepath.Join(outs, "p4")}, "with its 722-token vocabulary", nil},
		{"pretrain --width not a multiple of the 4 heads", []string{"pretrain", "--width", "30"}, "--width must be a multiple of 4 (the towers' 4 heads) from 4 to 1024, got 30", nil},
		{"pretrain --width 0", []string{"pretrain", "--width", "0"}, "--width must be a multiple of 4", nil},
		{"pretrain --init-from the shipped model at another --width", []string{"pretrain", "--init-from", "../../world/model", "--width", "96", "--out", filepath.Join(outs, "p5")}, "is not a model of the world's architecture (wiseft-tiny-w96)", nil},
		{"pretrain --batch-size 1", []string{"pretrain", "--batch-size", "1"}, "--batch-size must be at least 2", nil},
		{"pretrain --pairs 10^12", []string{"pretrain", "--pairs", "1000000000000"}, "pretraining on 1000000000000 pairs in batches of 128 needs about", nil},
		{"pretrain: an unexpected argument", []string{"pretrain", "now"}, `unexpected argument "now"`, nil},
		{"bench: a matrix product that cannot fit", []string{"bench", "--cases", "matmul:100000x100000x100000"}, "needs about 111.8 GiB of memory", nil},
		{"bench: a forward batch that cannot fit", []string{"bench", "--cases", "forward:100000000"}, `bench case "forward:100000000" needs about`, nil},
		{"bench --time negative", []string{"bench", "--time", "-1s"}, "--time -1s is negative", nil},
		{"embed --batch-size 0", embed(model, "--batch-size", "0"), "--batch-size must be at least 1", nil},
		{"embed --out in a folder that does not exist", embed(model, "--out", filepath.Join(work, "no", "e.safetensors")), "does not exist", nil},
		{"embed --inputs with integer pixels", []string{"embed", "--model", fixture, "--inputs", intPixels(t, dir)}, "pixel_values has dtype I64", nil},
		{"tokenize --model a symbolic link loop", []string{"tokenize", "--model", loop, "hi"}, "loop is a symbolic link loop", nil},
		{"run --data-location that does not exist", run("--data-location", filepath.Join(work, "nodata")), "--data-location: stat", nil},
		{"run --data-location a file", run("--data-location", readme), "is a regular file, not a folder", nil},
		{"run --load a folder that does not exist", []string{"run", "--load", ten + "," + filepath.Join(work, "gone"), "--eval-datasets", "MNIST"}, "--load: stat", nil},
		{"run --resume a path that does not exist", run("--resume", filepath.Join(work, "gone")), "--resume: stat", nil},
		{"run --cache-dir a file", run("--freeze-encoder", "--cache-dir", readme), "--cache-dir " + readme + " is a regular file, not a folder", nil},
		{"run --fisher with α outside [0, 1]", loadRun("--fisher", "compute", "--train-dataset", "MNIST", "--alpha", "0,1.5", "--allow-extrapolation"), "give --alpha values in [0, 1]", nil},
		{"run --template unknown, with a long name", run("--template", long(5000)), "(5000 bytes); known:", nil},
		{"embed --images that does not exist", []string{"embed", "--model", model, "--images", filepath.Join(work, "gone.png")}, "--images: stat", nil},
		{"plot: an unexpected argument", []string{"plot", "--results-db", resultsDB, "--save", filepath.Join(work, "fig"), "extra"}, `unexpected argument "extra"`, nil},
		// The methods of issue 17: --method, the probe's numbers, Model Stock and layer-wise α.
		{"run --method unknown", run("--method", "sgd"), `unknown --method "sgd": ft, lp-ft or flyp`, nil},
		{"run --method model-stock without --load", run("--method", "model-stock"), "sweep the merged one with --load", nil},
		{"run --method lp-ft with --freeze-encoder", run("--method", "lp-ft", "--freeze-encoder"), "--method lp-ft fine-tunes end to end", nil},
		{"run --method flyp with --ls", run("--method", "flyp", "--ls", "0.1"), "--method flyp trains on the contrastive loss", nil},
		{"run --probe-epochs without lp-ft", run("--probe-epochs", "3"), "--probe-epochs and --probe-lr are for --method lp-ft", nil},
		{"run --load with --probe-lr", loadRun("--probe-lr", "0.1"), "--probe-epochs and --probe-lr are for fine-tuning with --method lp-ft, not for --load", nil},
		{"run --load --method lp-ft with --probe-epochs", loadRun("--method", "lp-ft", "--probe-epochs", "7"), "--probe-epochs and --probe-lr are for fine-tuning with --method lp-ft, not for --load", nil},
		{"run --method lp-ft --probe-epochs 0", run("--method", "lp-ft", "--probe-epochs", "0"), "--probe-epochs must be at least 1, got 0", nil},
		{"run --method lp-ft --cache-dir a file", run("--method", "lp-ft", "--cache-dir", readme), "--cache-dir " + readme + " is a regular file, not a folder", nil},
		{"run --method lp-ft --probe-lr NaN", run("--method", "lp-ft", "--probe-lr", "NaN"), "--probe-lr must be a finite number above 0, got NaN", nil},
		{"run --method lp-ft --resume an ft checkpoint", run("--shards", "1", "--method", "lp-ft", "--resume", ftCheckpoint), "other settings than this run asks for: method lp-ft, the checkpoint's ft (start over", nil},
		{"run --method ft --resume an lp-ft checkpoint", run("--shards", "1", "--resume", lpftCheckpoint), "other settings than this run asks for: method ft, the checkpoint's lp-ft (start over", nil},
		{"run --method flyp --resume an ft checkpoint", run("--shards", "1", "--method", "flyp", "--resume", ftCheckpoint), "other settings than this run asks for: method flyp, the checkpoint's ft (start over", nil},
		{"run --resume a flyp checkpoint of before methods were recorded", run("--shards", "1", "--resume", flypCheckpoint), "method ft, the checkpoint's flyp", nil},
		{"run --resume with another --lr and --seed", run("--shards", "1", "--resume", ftCheckpoint, "--lr", "0.01", "--seed", "3"), "asks for: --lr 0.01, the checkpoint's 0.001; --seed 3, the checkpoint's 0 (start over", nil},
		{"run --method lp-ft --resume with another --probe-epochs", run("--shards", "1", "--method", "lp-ft", "--resume", lpftCheckpoint, "--probe-epochs", "7"), "asks for: --probe-epochs 7, the checkpoint's 10 (start over", nil},
		{"run --method lp-ft --resume with another --probe-lr", run("--shards", "1", "--method", "lp-ft", "--resume", lpftCheckpoint, "--probe-lr", "0.1"), "asks for: --probe-lr 0.1, the checkpoint's 0.01 (start over", nil},
		{"plot --group-by a field no record has", plotBy("bogus"), `--group-by "bogus": no record of ` + methodsLog + " has that field", nil},
		{"plot --group-by a field twice", plotBy("method,method"), `--group-by lists "method" twice`, nil},
		{"plot --group-by alpha", plotBy("alpha"), "--group-by alpha: α is what each curve runs along", nil},
		{"plot --group-by a metric", plotBy("MNIST:top1"), `--group-by "MNIST:top1": a metric`, nil},
		{"merge --mode model-stock with one fine-tuned model", merge("--mode", "model-stock", "--out", filepath.Join(work, "ms1"), ten, ten2), "at least 2 fine-tuned ones, got 2 models", nil},
		{"merge --mode model-stock with --alpha", merge("--mode", "model-stock", "--alpha", "0.3", "--out", filepath.Join(work, "ms2"), ten, ten2, tenCopy), "--alpha is not for --mode model-stock", nil},
		{"merge --mode model-stock with --lambda", merge("--mode", "model-stock", "--lambda", "2", "--out", filepath.Join(work, "ms3"), ten, ten2, tenCopy), "--lambda is not for --mode model-stock", nil},
		{"merge --mode model-stock with --held-out", merge("--mode", "model-stock", "--held-out", "MNIST", "--out", filepath.Join(work, "ms4"), ten, ten2, tenCopy), "--held-out is not for --mode model-stock", nil},
		{"merge --layer-alphas empty", merge("--layer-alphas", "", "--out", filepath.Join(work, "la0"), ten, ten2), "--layer-alphas is empty", nil},
		{"merge --mode model-stock: a fine-tuned model twice", merge("--mode", "model-stock", "--out", filepath.Join(work, "ms5"), ten, ten2, ten2), "fine-tuned model 1 " + `"` + ten2 + `"` + " and fine-tuned model 2", nil},
		{"merge --mode model-stock: a folder and its weights file", merge("--mode", "model-stock", "--out", filepath.Join(work, "ms6"), ten, ten2, filepath.Join(ten2, clipmodel.WeightsFile)), "are the same weights file", nil},
		{"merge --mode model-stock: the zero-shot model as a fine-tuned one", merge("--mode", "model-stock", "--out", filepath.Join(work, "ms7"), ten, ten, ten2), "the zero-shot model " + `"` + ten + `"` + " and fine-tuned model 1", nil},
		{"merge --mode model-stock: two copies of one fine-tuned model", merge("--mode", "model-stock", "--out", filepath.Join(work, "ms8"), tenCopy, ten2, ten2Copy), "fine-tuned model 2 " + `"` + ten2Copy + `"` + " has the weights of fine-tuned model 1", nil},
		{"merge --mode model-stock: a copy of the zero-shot model as a fine-tuned one", merge("--mode", "model-stock", "--out", filepath.Join(work, "ms9"), ten, ten2, tenCopy), "fine-tuned model 2 " + `"` + tenCopy + `"` + " has the weights of the zero-shot model", nil},
		{"merge --layer-alphas with --alpha", merge("--alpha", "0.3", "--layer-alphas", "*=0.5", "--out", filepath.Join(work, "la1"), ten, ten2), "not both", nil},
		{"merge --layer-alphas with another mode", merge("--mode", "uniform-soup", "--layer-alphas", "*=0.5", "--out", filepath.Join(work, "la2"), ten, ten2), "--layer-alphas is for --mode interpolate", nil},
		{"merge --layer-alphas not group=α", merge("--layer-alphas", "0.5", "--out", filepath.Join(work, "la3"), ten, ten2), `"0.5" is not group=α`, nil},
		{"merge --layer-alphas an unknown block", merge("--layer-alphas", "vision layr 0=1,*=0", "--out", filepath.Join(work, "la4"), ten, ten2), `"vision layr 0" is not a block`, nil},
		{"merge --layer-alphas α outside [0, 1]", merge("--layer-alphas", "head=1.5,*=0", "--out", filepath.Join(work, "la5"), ten, ten2), "head=1.5 is outside [0, 1]", nil},
		{"merge --layer-alphas NaN", merge("--layer-alphas", "head=NaN,*=0", "--out", filepath.Join(work, "la6"), ten, ten2), "must be a finite number", nil},
		{"merge --layer-alphas missing a block", merge("--layer-alphas", "head=1", "--out", filepath.Join(work, "la7"), ten, ten2), "layer-wise α: no α for vision embeddings", nil},
		{"merge --layer-alphas a block the models lack", merge("--layer-alphas", "vision layer 99=1,*=0", "--out", filepath.Join(work, "la8"), ten, ten2), `the models have no block "vision layer 99"`, nil},
	}
	if data, err := filepath.Abs("../../data"); err == nil {
		if _, err := os.Stat(filepath.Join(data, "mnist")); err == nil {
			rows = append(rows,
				badRow{"run --load with α = 1e300 and --allow-extrapolation", []string{"run", "--load", ten + "," + ten2, "--eval-datasets", "MNIST",
					"--data-location", data, "--eval-limit", "8", "--alpha", "0,1e300", "--allow-extrapolation", "--results-db", resultsDB},
					"--alpha 1e+300: extrapolate: α = 1e+300: the merged tensor", nil})
		}
	}
	return hostileRows{rows: rows}
}

// fakeCheckpoint writes dir/checkpoint_1, a checkpoint (one epoch of two steps done) of the classifier folder from
// with the recipe r, and returns its path; its optimizer state is a placeholder (the checks under test come first).
func fakeCheckpoint(t *testing.T, dir, from string, r wiseft.FineTuneRecipe) string {
	ck := wiseft.CheckpointPath(dir, 1)
	if err := os.MkdirAll(ck, 0o755); err != nil {
		t.Fatal(err)
	}
	copyFiles(t, from, ck)
	err := safetensors.WriteFile(filepath.Join(ck, wiseft.OptimizerFile),
		map[string]*safetensors.Tensor{"step": safetensors.FromFloat32([]float32{2}, 1)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	state, _ := json.Marshal(wiseft.CheckpointState{Epoch: 1, Step: 2, StepsPerEpoch: 2, TotalSteps: 4, Recipe: r})
	writeFile(t, filepath.Join(ck, wiseft.StateFile), string(state))
	return ck
}

// copyFiles copies the files of folder from into folder to (created) and returns to.
func copyFiles(t *testing.T, from, to string) string {
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(to, e.Name()), string(b))
	}
	return to
}

// intPixels writes an inputs file whose pixel_values are integers.
func intPixels(t *testing.T, dir string) string {
	path := filepath.Join(dir, "int-pixels.safetensors")
	err := safetensors.WriteFile(path, map[string]*safetensors.Tensor{"pixel_values": safetensors.FromInt64(make([]int64, 3*32*32), 1, 3, 32, 32)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return path
}
