package realdata

import (
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/gowiseft/wiseft/datasets"
)

// TestValClasses checks the *ValClasses sets on an ImageNet validation tree of classes 1 (goldfish: in ImageNet-R,
// not in ImageNet-A), 6 (stingray: in both), 100 (black swan: ImageNet-R only), 409 (analog clock: neither) and 530
// (digital clock: ImageNet-A only), two images each, class-interleaved: each keeps the images of its shift's classes,
// labelled in the shift's label space.
func TestValClasses(t *testing.T) {
	loc := makeObjectNet(t, "folder_to_objectnet_label.json")
	makeTree(t, filepath.Join(loc, "imagenet", "val"), []string{ImageNetWNIDs[1], ImageNetWNIDs[6], ImageNetWNIDs[100],
		ImageNetWNIDs[409], ImageNetWNIDs[530]}, 2, ".JPEG")
	r1, r6, r100 := slices.Index(ImageNetRClasses, 1), slices.Index(ImageNetRClasses, 6), slices.Index(ImageNetRClasses, 100)
	a6, a530 := slices.Index(ImageNetAClasses, 6), slices.Index(ImageNetAClasses, 530)
	cases := []struct {
		name   string
		labels []int
		names  int
	}{
		{"ImageNetRValClasses", []int{r1, r6, r100, r1, r6, r100}, 200},
		{"ImageNetAValClasses", []int{a6, a530, a6, a530}, 200},
		{"ObjectNetValClasses", []int{0, 0, 0, 0}, 3}, // both clocks are ObjectNet's "alarm clock"
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds := open(t, c.name, datasets.Options{Location: loc})
			if got := labels(t, ds); !slices.Equal(got, c.labels) {
				t.Errorf("labels %v, want %v", got, c.labels)
			}
			if len(ds.ClassNames()) != c.names {
				t.Errorf("%d class names, want %d", len(ds.ClassNames()), c.names)
			}
			if _, err := datasets.Open(c.name, datasets.Options{Location: loc, Split: datasets.Train}); err == nil {
				t.Error("a training split was opened")
			}
		})
	}
	rv := open(t, "ImageNetRValClasses", datasets.Options{Location: loc})
	if sub := rv.(datasets.ClassSubset).SubsetClasses(); !slices.Equal(sub, ImageNetRClasses) || rv.ClassNames()[r1] != ImageNetClassNames[1] {
		t.Errorf("ImageNetRValClasses subset or names differ from ImageNetR's")
	}
	on := open(t, "ObjectNetValClasses", datasets.Options{Location: loc})
	if g, _ := datasets.SubsetOf(on); !reflect.DeepEqual(g, [][]int{{409, 530}, {671, 444}, {423, 559, 765}}) {
		t.Errorf("ObjectNetValClasses groups %v", g)
	}
	img, _, err := on.Example(0)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 2 || b.Dy() != 1 { // makeTree's 6x5 images, 2 pixels cut per side as ObjectNet's
		t.Errorf("ObjectNetValClasses image %dx%d, want 2x1", b.Dx(), b.Dy())
	}
	if _, err := datasets.Open("ImageNetAValClasses", datasets.Options{Location: makeObjectNet(t, "folder_to_objectnet_label.json")}); err == nil {
		t.Error("no ImageNet validation folder, but no error")
	}
}
