package main

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowiseft/wiseft/datasets/realdata"
	"github.com/gowiseft/wiseft/wiseft/results"
)

// writeTestImage writes a small solid image (JPEG or PNG by extension) with a shade set by k.
func writeTestImage(t *testing.T, path string, k int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 36))
	for i := range img.Pix {
		img.Pix[i] = uint8(37*k + 11*i)
	}
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if strings.HasSuffix(path, ".png") {
		err = png.Encode(f, img)
	} else {
		err = jpeg.Encode(f, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// makeImageNetFamily lays out, under root, small trees in the real layouts of ImageNet (train and val), ImageNetV2,
// ImageNet-R, ImageNet-A, ImageNet-Sketch and ObjectNet, a few classes each.
func makeImageNetFamily(t *testing.T, root string) {
	wnid := func(label int) string { return realdata.ImageNetWNIDs[label] }
	for k, label := range []int{0, 1, 409, 530} {
		for j := range 2 {
			writeTestImage(t, filepath.Join(root, "imagenet", "train", wnid(label), fmt.Sprintf("t%d.JPEG", j)), k+j)
			writeTestImage(t, filepath.Join(root, "imagenet", "val", wnid(label), fmt.Sprintf("v%d.JPEG", j)), k+2*j)
			writeTestImage(t, filepath.Join(root, "imagenetv2-matched-frequency-format-val", fmt.Sprint(label), fmt.Sprintf("%d.jpeg", j)), k)
			writeTestImage(t, filepath.Join(root, "sketch", wnid(label), fmt.Sprintf("s%d.JPEG", j)), k+3)
		}
	}
	for _, sub := range []struct {
		dir     string
		classes []int
	}{{"imagenet-r", realdata.ImageNetRClasses[:3]}, {"imagenet-a", realdata.ImageNetAClasses[:3]}} {
		for k, label := range sub.classes {
			writeTestImage(t, filepath.Join(root, sub.dir, wnid(label), "x.jpg"), k)
		}
	}
	on := filepath.Join(root, "objectnet-1.0")
	write := func(path, text string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(on, "mappings", "folder_to_objectnet_label.json"), `{"alarm_clock": "Alarm clock", "chair": "Chair"}`)
	write(filepath.Join(on, "mappings", "objectnet_to_imagenet_1k.json"),
		`{"Alarm clock": "analog clock; digital clock", "Chair": "barber chair; folding chair; rocking chair, rocker"}`)
	for k, f := range []string{"alarm_clock", "chair"} {
		writeTestImage(t, filepath.Join(on, "images", f, "a.png"), k)
	}
}

// TestRunImageNetFamily runs `wiseft run` end to end with a small model on generated trees of the ImageNet family:
// a 1,000-class zero-shot head, a short fine-tune on ImageNet, a sweep over the five shifts and ObjectNet.
func TestRunImageNetFamily(t *testing.T) {
	root := t.TempDir()
	makeImageNetFamily(t, root)
	model := modelWithTokenizer(t)
	save, db := filepath.Join(t.TempDir(), "run"), filepath.Join(t.TempDir(), "results.jsonl")
	evals := "ImageNet,ImageNetV2,ImageNetR,ImageNetA,ImageNetSketch,ObjectNet"
	stdout, stderr, code := run(t, "run", "--model", model, "--train-dataset", "ImageNet", "--template", "simple_template",
		"--eval-datasets", evals, "--data-location", root, "--epochs", "1", "--batch-size", "4", "--lr", "1e-4",
		"--warmup-length", "1", "--alpha", "0,0.5,1", "--save", save, "--results-db", db)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	recs, _, err := results.Read(db)
	if err != nil || len(recs) != 3 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	for _, ds := range strings.Split(evals, ",") {
		if _, ok := recs[1].Metric(ds, "top1"); !ok {
			t.Errorf("no %s:top1 in %v", ds, recs[1])
		}
	}
}
