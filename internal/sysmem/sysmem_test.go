package sysmem

import (
	"strings"
	"testing"
)

func TestParseMemAvailable(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		want   int64
		wantOK bool
	}{
		{"linux", "MemTotal:       24576000 kB\nMemFree:         1000 kB\nMemAvailable:   20480000 kB\n", 20480000 << 10, true},
		{"missing", "MemTotal:       24576000 kB\n", 0, false},
		{"bad unit", "MemAvailable:   2048 MB\n", 0, false},
		{"not a number", "MemAvailable:   lots kB\n", 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := parseMemAvailable([]byte(c.in))
			if got != c.want || ok != c.wantOK {
				t.Errorf("got %d, %v; want %d, %v", got, ok, c.want, c.wantOK)
			}
		})
	}
}

func TestProductAndSum(t *testing.T) {
	if p := Product(1000000000, 3, 224, 224, 4); p != 602112000000000 {
		t.Errorf("Product = %d", p)
	}
	if p := Product(1<<40, 1<<30); p != -1 {
		t.Errorf("overflowing Product = %d, want -1", p)
	}
	if s := Sum(1, -1); s != -1 {
		t.Errorf("Sum with an uncountable term = %d, want -1", s)
	}
	if s := Sum(1<<62, 1<<62); s != -1 {
		t.Errorf("overflowing Sum = %d, want -1", s)
	}
}

func TestCheck(t *testing.T) {
	if err := Check("a byte", 1); err != nil {
		t.Errorf("one byte refused: %v", err)
	}
	for _, need := range []int64{Unbounded + 1, -1} {
		err := Check("a batch", need)
		if err == nil || !strings.Contains(err.Error(), "a batch needs") {
			t.Errorf("need %d: err = %v", need, err)
		}
	}
}
