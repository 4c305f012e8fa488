package tokenizer

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestBatchPadding(t *testing.T) {
	tok := loadTestdata(t)
	texts := []string{"a photo of a cat.", "", "seven"}
	got, err := tok.Batch(texts, 10, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{
		731, 320, 518, 512, 320, 723, 269, 732, 0, 0,
		731, 732, 0, 0, 0, 0, 0, 0, 0, 0,
		731, 667, 732, 0, 0, 0, 0, 0, 0, 0,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got  %v\nwant %v", got, want)
	}
	// Exactly full rows need no truncation.
	got, err = tok.Batch([]string{"a photo of a cat."}, 8, false)
	if err != nil || !slices.Equal(got, want[:8]) {
		t.Fatalf("full row: %v, %v", got, err)
	}
}

func TestBatchTruncate(t *testing.T) {
	tok := loadTestdata(t)
	long := strings.Repeat("photo ", 100)
	got, err := tok.Batch([]string{"x", long}, 6, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{
		731, 343, 732, 0, 0, 0,
		731, 518, 518, 518, 518, 732,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestBatchErrors(t *testing.T) {
	tok := loadTestdata(t)
	if _, err := tok.Batch(nil, 77, true); err == nil {
		t.Error("empty texts: no error")
	}
	if _, err := tok.Batch([]string{"a"}, 1, true); err == nil {
		t.Error("context length 1: no error")
	}
	long := "the quick brown fox " + strings.Repeat("photo ", 100)
	_, err := tok.Batch([]string{"ok", long}, 77, false)
	if err == nil {
		t.Fatal("too long text: no error")
	}

	n := len(tok.Encode(long))
	for _, want := range []string{"text 1", `"the quick brown fox photo`, "…", "77"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if over := n - 77; !strings.Contains(err.Error(), fmt.Sprintf(" %d over", over)) {
		t.Errorf("error %q does not say %d over", err, over)
	}
}
