package datasets

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gowiseft/wiseft/internal/fileio"
	"github.com/gowiseft/wiseft/templates"
)

// UCIDigitsStep says how the UCI digits file gets into place.
const UCIDigitsStep = "run scripts/setup-data.sh: it extracts sklearn/datasets/data/digits.csv.gz from the Debian package " +
	"python3-sklearn (apt-get download + dpkg-deb -x, nothing installed) into <data>/uci-digits"

// UCIDigitsFile is the path of the UCI digits file below the data folder.
const UCIDigitsFile = "uci-digits/digits.csv.gz"

// UCI digits layout: 8x8 images upsampled to uciInner x uciInner and centred in a 28x28 frame, which is how
// MNIST's digits sit in theirs (a 20x20 box).
const (
	uciSide  = 8
	uciInner = 20
	uciFrame = 28
)

// UCIDigitsIsTest says whether the k-th row of the UCI digits file (0-based) belongs to the test split: every
// fourth row (k%4 == 3) does, 449 of the 1,797, leaving 1,348 for training. The split is fixed: no seed.
func UCIDigitsIsTest(k int) bool { return k%4 == 3 }

// LoadUCIDigits reads the UCI optical-recognition handwritten digits (1,797 8x8 images with values 0-16, by
// writers other than MNIST's) from <location>/uci-digits/digits.csv.gz, keeps the rows of split (see
// UCIDigitsIsTest) and returns them as 28x28 images: each 8x8 image scaled to 0-255, upsampled bilinearly to
// 20x20 and centred, white on black like MNIST.
func LoadUCIDigits(location string, split Split) (*InMemory, error) {
	if location == "" {
		location = defaultLocation()
	}
	path := filepath.Join(location, UCIDigitsFile)
	rows, labels, err := readUCIDigits(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &MissingFileError{Dataset: "UCIDigits", Path: path, Step: UCIDigitsStep}
	} else if err != nil {
		return nil, err
	}
	g := &grayImages{w: uciFrame, h: uciFrame}
	off := (uciFrame - uciInner) / 2
	for k, row := range rows {
		if UCIDigitsIsTest(k) != (split == Test) {
			continue
		}
		small := newPlanes(uciSide, uciSide, 1)
		for i, v := range row {
			small.pix[i] = float32(v) / 16
		}
		big := small.resizeBilinear(uciInner, uciInner)
		frame := make([]uint8, uciFrame*uciFrame)
		for y := 0; y < uciInner; y++ {
			for x := 0; x < uciInner; x++ {
				frame[(y+off)*uciFrame+x+off] = to8(big.pix[y*uciInner+x])
			}
		}
		g.pix = append(g.pix, frame...)
		g.labels = append(g.labels, labels[k])
	}
	return &InMemory{name: "UCIDigits", classes: DigitClassNames, templates: templates.Digit, data: g}, nil
}

// readUCIDigits parses digits.csv.gz (or an uncompressed copy): per line 64 values 0-16, then the label.
func readUCIDigits(path string) (rows [][uciSide * uciSide]uint8, labels []uint8, err error) {
	f, _, err := fileio.Open(path) // a named pipe or a device is refused, not read forever
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var in io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: %s: %w", path, err)
		}
		defer gz.Close()
		in = gz
	}
	sc := bufio.NewScanner(in)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		if len(fields) != uciSide*uciSide+1 {
			return nil, nil, fmt.Errorf("datasets: %s:%d: %d fields, want %d", path, line, len(fields), uciSide*uciSide+1)
		}
		var row [uciSide * uciSide]uint8
		for i, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				return nil, nil, fmt.Errorf("datasets: %s:%d: %w", path, line, err)
			}
			if i < len(row) {
				if v < 0 || v > 16 {
					return nil, nil, fmt.Errorf("datasets: %s:%d: pixel value %v out of [0, 16]", path, line, v)
				}
				row[i] = uint8(v)
			} else {
				if v < 0 || v > 9 || v != float64(int(v)) {
					return nil, nil, fmt.Errorf("datasets: %s:%d: label %v out of range", path, line, v)
				}
				labels = append(labels, uint8(v))
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("datasets: %s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("datasets: %s: no rows", path)
	}
	return rows, labels, nil
}
