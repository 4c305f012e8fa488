package realdata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// csvTable is a CSV file read whole, with its columns found by header name.
type csvTable struct {
	path string
	cols map[string]int
	rows [][]string
}

// readCSV reads the CSV file at path and checks that its header names every column in need.
func readCSV(dataset, path, expected string, need ...string) (*csvTable, error) {
	if err := requireFile(dataset, path, expected); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", dataset, err)
	}
	defer f.Close()
	bad := func(problem string) error {
		return &LayoutError{Dataset: dataset, Path: path, Problem: problem, Expected: expected}
	}
	r := csv.NewReader(f)
	r.ReuseRecord = false
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, bad("empty file")
	}
	if err != nil {
		return nil, bad("not valid CSV: " + err.Error())
	}
	t := &csvTable{path: path, cols: make(map[string]int, len(header))}
	for i, h := range header {
		// pandas writes its index as an unnamed first column; a UTF-8 byte-order mark may precede the header.
		t.cols[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	for _, n := range need {
		if _, ok := t.cols[n]; !ok {
			return nil, bad(fmt.Sprintf("no %q column (the header has %s)", n, strings.Join(header, ", ")))
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bad("not valid CSV: " + err.Error())
		}
		t.rows = append(t.rows, rec)
	}
	return t, nil
}

// get returns column name of row i ("" when the row is short).
func (t *csvTable) get(i int, name string) string {
	c := t.cols[name]
	if c >= len(t.rows[i]) {
		return ""
	}
	return t.rows[i][c]
}
