package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unicode/utf8"

	"github.com/gowiseft/wiseft/internal/fileio"
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

// MaxBadLines is how many lines that are not records Read and Parse skip with a warning before they give up: a
// results log gets at most one torn line per crash, so a file with more is not a log (a binary file read as
// text would otherwise give a warning per line).
const MaxBadLines = 10

// MaxLineBytes bounds a line of the log (a record is a few kilobytes); a longer one means the file is not a log,
// and it is not read into memory whole.
const MaxLineBytes = 16 << 20

// NotLogError is returned by Read, Parse, Check and Append for a file that is not a results log: binary data, a
// line longer than MaxLineBytes, more than MaxBadLines lines that are not records, or text without one record.
type NotLogError struct {
	Reason string
}

func (e *NotLogError) Error() string { return "not a JSON-lines results log: " + e.Reason }

// Read parses the log at path. Lines that are not JSON objects are
// skipped and reported as warnings (up to MaxBadLines; past them, and for
// binary data, Read fails with a *NotLogError); blank lines are skipped
// silently. A missing or unreadable file, a folder and a special file are
// errors.
//
//	recs, warns, err := results.Read("results.jsonl")
//	for _, w := range warns {
//		log.Printf("results.jsonl: %v", w)
//	}
func Read(path string) ([]Record, []Warning, error) {
	f, _, err := fileio.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	recs, warns, err := Parse(f)
	if err != nil {
		return nil, nil, fmt.Errorf("results: %s: %w", path, err)
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
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		line, err := readLine(br)
		if err != nil && err != io.EOF {
			if errors.Is(err, errLongLine) {
				return nil, nil, &NotLogError{fmt.Sprintf("line %d is longer than %d MiB", n, MaxLineBytes>>20)}
			}
			return nil, nil, err
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if k := binaryAt(line); k >= 0 {
				return nil, nil, &NotLogError{fmt.Sprintf("line %d holds binary data (byte 0x%02x at column %d)", n, line[k], k+1)}
			}
			if rec, perr := parseLine(line); perr != nil {
				warns = append(warns, Warning{Line: n, Err: perr})
				if len(warns) > MaxBadLines {
					return nil, nil, &NotLogError{fmt.Sprintf("%d lines are not JSON objects (line %d: %v)", len(warns), warns[0].Line, warns[0].Err)}
				}
			} else {
				recs = append(recs, rec)
			}
		}
		if err == io.EOF {
			return recs, warns, nil
		}
	}
}

var errLongLine = errors.New("line too long")

// readLine returns the next line with its '\n' (none at the end of the input), or errLongLine.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineBytes {
			return nil, errLongLine
		}
		line = append(line, chunk...)
		if err != bufio.ErrBufferFull {
			return line, err
		}
	}
}

// binaryAt returns the position of the first byte of line that no JSON text holds (a control character other
// than tab and carriage return, or bytes that are not UTF-8), or -1. A torn line is a prefix of a record, maybe
// cut inside a character and followed by the zeros a crash can leave at the end of a file: those are text.
func binaryAt(line []byte) int {
	line = bytes.TrimRight(line, "\n\x00")
	for i := 0; i < len(line); {
		c := line[i]
		if c < 0x20 && c != '\t' && c != '\r' {
			return i
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(line[i:])
		if r == utf8.RuneError && size == 1 && len(line)-i >= utf8.UTFMax {
			return i
		}
		i += size
	}
	return -1
}

// Check returns nil when path is missing (Append creates it) or is a results log Append may add to, and an error
// otherwise: a folder, a special file, or a file that is not a log (a *NotLogError: binary data, more than
// MaxBadLines bad lines, or lines of text none of which is a record).
func Check(path string) error {
	fi, err := fileio.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("results: %s is %s, not a results log file", path, fileio.Kind(fi.Mode()))
	}
	f, _, err := fileio.Open(path)
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	defer f.Close()
	return checkLog(path, f)
}

// checkLog parses the log open in f from its start.
func checkLog(path string, f *os.File) error {
	recs, warns, err := Parse(io.NewSectionReader(f, 0, 1<<62))
	if err == nil && len(recs) == 0 && len(warns) > 0 {
		err = &NotLogError{fmt.Sprintf("no line is a record (line %d: %v)", warns[0].Line, warns[0].Err)}
	}
	if err != nil {
		return fmt.Errorf("results: %s: %w; refusing to append to it", path, err)
	}
	return nil
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
