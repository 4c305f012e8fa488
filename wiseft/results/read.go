package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Warning reports a line of the log that was skipped: a line torn by a
// crash mid-write, or any other line that is not a JSON object.
type Warning struct {
	Line int   // 1-based line number
	Err  error // why the line was skipped
}

// String formats the warning as "line N: reason".
func (w Warning) String() string {
	return fmt.Sprintf("line %d: %v", w.Line, w.Err)
}

// Read parses the log at path. Lines that are not JSON objects are
// skipped and reported as warnings; blank lines are skipped silently. A
// missing or unreadable file is an error.
//
//	recs, warns, err := results.Read("results.jsonl")
//	for _, w := range warns {
//		log.Printf("results.jsonl: %v", w)
//	}
func Read(path string) ([]Record, []Warning, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	recs, warns, err := Parse(f)
	if err != nil {
		return nil, nil, fmt.Errorf("results: read %s: %w", path, err)
	}
	return recs, warns, nil
}

// Parse reads a log from r, like [Read]. It also accepts the NaN,
// Infinity and -Infinity tokens that Python's json module writes, as
// float64 NaN and ±Inf.
func Parse(r io.Reader) ([]Record, []Warning, error) {
	var (
		recs  []Record
		warns []Warning
	)
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, nil, err
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if rec, perr := parseLine(line); perr != nil {
				warns = append(warns, Warning{Line: n, Err: perr})
			} else {
				recs = append(recs, rec)
			}
		}
		if err == io.EOF {
			return recs, warns, nil
		}
	}
}

// errNotObject is reported for lines holding valid JSON other than an
// object.
var errNotObject = errors.New("not a JSON object")

// parseLine decodes one line into a Record.
func parseLine(line []byte) (Record, error) {
	line = bytes.TrimSpace(line)
	if line[0] != '{' {
		if json.Valid(line) {
			return nil, errNotObject
		}
		return nil, fmt.Errorf("invalid JSON (torn line?): %s", excerpt(line))
	}
	var rec Record
	err := json.Unmarshal(line, &rec)
	if err != nil {
		if fixed, ok := pythonCompat(line); ok {
			if json.Unmarshal(fixed, &rec) == nil {
				restoreNonFinite(rec)
				return rec, nil
			}
		}
		return nil, fmt.Errorf("invalid JSON (torn line?): %v: %s", err, excerpt(line))
	}
	return rec, nil
}

// excerpt shortens a line for a warning message.
func excerpt(line []byte) string {
	const max = 60
	if len(line) <= max {
		return fmt.Sprintf("%q", line)
	}
	return fmt.Sprintf("%q...", line[:max])
}
