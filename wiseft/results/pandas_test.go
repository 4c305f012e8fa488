package results

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/pandas_alpha.jsonl from the records of TestPandasReadsAlphaAsFloat")

// pandasRecords are a per-epoch line of the paper's fine-tuning (α the list of the sweep's values) and the
// sweep's lines, with accuracies of exactly 1 and 0.
func pandasRecords() []Record {
	flags := func() Record {
		return Record{"exp_name": nil, "model": "ViT-B/32", "train_dataset": "ImageNet", "epochs": 2, "lr": 0.001,
			"ls": 0.0, "wd": 0.1, "batch_size": 128, "eval_datasets": []string{"ImageNet", "ImageNetV2"}}
	}
	epoch := flags()
	epoch["alpha"], epoch["current_epoch"] = []float64{0, 0.5, 1}, 0
	epoch["ImageNet:top1"], epoch["ImageNetV2:top1"] = 0.75, 0.625
	out := []Record{epoch}
	for _, a := range []float64{0, 0.5, 1} {
		r := flags()
		r["alpha"], r["current_epoch"] = a, 1
		r["ImageNet:top1"], r["ImageNetV2:top1"] = 1.0, 0.5*(1-a)
		out = append(out, r)
	}
	return out
}

// TestPandasReadsAlphaAsFloat checks the log's number format against what pandas makes of it: Append must write
// pandasRecords byte for byte as testdata/pandas_alpha.jsonl, which testdata/pandas_read.py read with the paper's
// pd.read_json(path, lines=True) and α filter; its findings, testdata/pandas_alpha.json, show every sweep line kept
// with a float α (and that the same lines with α written as 0 and 1 lose two of them).
func TestPandasReadsAlphaAsFloat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "results.jsonl")
	if err := Append(path, pandasRecords()...); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("testdata/pandas_alpha.jsonl", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/pandas_alpha.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Append writes\n%s\nthe fixture pandas read is\n%s", got, want)
	}
	for _, frag := range []string{`"alpha":0.0,`, `"alpha":1.0,`, `"alpha":[0.0,0.5,1.0]`, `"ImageNet:top1":1.0`, `"epochs":2,`, `"ls":0.0`} {
		if !bytes.Contains(got, []byte(frag)) {
			t.Errorf("the log lacks %s", frag)
		}
	}
	raw, err := os.ReadFile("testdata/pandas_alpha.json")
	if err != nil {
		t.Fatal(err)
	}
	var pd struct {
		Kept        []float64 `json:"kept_alphas"`
		AlphaTypes  []string  `json:"alpha_types"`
		KeptIntForm []float64 `json:"kept_alphas_if_written_as_ints"`
		Pandas      string    `json:"pandas"`
	}
	if err := json.Unmarshal(raw, &pd); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pd.Kept, []float64{0, 0.5, 1}) || !slices.Equal(pd.AlphaTypes, []string{"list", "float", "float", "float"}) {
		t.Errorf("pandas %s kept α %v (types %v), want the three sweep lines as floats", pd.Pandas, pd.Kept, pd.AlphaTypes)
	}
	if !slices.Equal(pd.KeptIntForm, []float64{0.5}) {
		t.Errorf("with α written as ints pandas kept %v; the fixture no longer shows the failure it guards against", pd.KeptIntForm)
	}
	// Go reads the file back with the sweep's α as numbers and the per-epoch line without an α.
	recs, _ := mustRead(t, "testdata/pandas_alpha.jsonl")
	if _, ok := recs[0].Alpha(); ok {
		t.Error("the per-epoch line (α list) reads as one α")
	}
	for i, w := range []float64{0, 0.5, 1} {
		if a, ok := recs[i+1].Alpha(); !ok || a != w {
			t.Errorf("line %d: α %v, %v", i+2, a, ok)
		}
	}
}
