package wiseft

import (
	"fmt"
	"math"
	"testing"
)

func TestWeightDistances(t *testing.T) {
	a, b := ftClassifier(t), ftClassifier(t)
	b.Model.Weights["vision_model.encoder.layers.1.mlp.fc1.bias"].Data[0] += 3
	b.Model.Weights[HeadBias].Data[1] += 4
	ds, err := WeightDistances(a.Model.Weights, b.Model.Weights)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	var order []string
	for _, d := range ds {
		got[d.Group] = d.Distance
		order = append(order, d.Group)
	}
	if math.Abs(got["vision layer 1"]-3) > 1e-6 || math.Abs(got["head"]-4) > 1e-6 || math.Abs(got["total"]-5) > 1e-6 ||
		got["vision layer 0"] != 0 || got["text tower"] != 0 {
		t.Errorf("distances %v", got)
	}
	want := []string{"vision embeddings"}
	for l := range a.Model.Config.Vision.Layers {
		want = append(want, fmt.Sprintf("vision layer %d", l))
	}
	want = append(want, "vision final norm", "visual projection", "head")
	for i, w := range want {
		if order[i] != w {
			t.Fatalf("group order %v, want %v first", order, want)
		}
	}
	if order[len(order)-1] != "total" {
		t.Errorf("last group %q, want total", order[len(order)-1])
	}
	if GroupRank("vision layer 10") <= GroupRank("vision layer 9") {
		t.Errorf("layer 10 sorts before layer 9")
	}
	delete(b.Model.Weights, HeadBias)
	if _, err := WeightDistances(a.Model.Weights, b.Model.Weights); err == nil {
		t.Errorf("missing tensor: want an error")
	}
}

func TestMix(t *testing.T) {
	zs, ft := ftClassifier(t), ftClassifier(t)
	for i := range ft.Model.Weights["visual_projection.weight"].Data {
		ft.Model.Weights["visual_projection.weight"].Data[i] += 1
	}
	half, err := Mix(zs, ft, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	name := "visual_projection.weight"
	want := float32(0.5*float64(zs.Model.Weights[name].Data[3]) + 0.5*float64(ft.Model.Weights[name].Data[3]))
	if half.Model.Weights[name].Data[3] != want || half.Model == zs.Model {
		t.Errorf("Mix(0.5) = %v, want %v", half.Model.Weights[name].Data[3], want)
	}
	if _, err := Mix(zs, ft, 2); err == nil {
		t.Errorf("α = 2 without extrapolation: want an error")
	}
}

func TestCrossEntropy(t *testing.T) {
	p := []Prediction{{Index: 0, Label: 0, Predicted: 0, Probs: []float32{0.7, 0.2, 0.1}},
		{Index: 1, Label: 2, Predicted: 1, Probs: []float32{0.1, 0.6, 0.3}}}
	la, err := CrossEntropy(p)
	if err != nil {
		t.Fatal(err)
	}
	if want := -(math.Log(0.7) + math.Log(0.3)) / 2; math.Abs(la.Loss-want) > 1e-6 || la.Accuracy != 0.5 {
		t.Errorf("CrossEntropy = %+v, want loss %v accuracy 0.5", la, want)
	}
	if _, err := CrossEntropy([]Prediction{{Label: 0}}); err == nil {
		t.Errorf("predictions without probabilities: want an error")
	}
}
