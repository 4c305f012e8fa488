package figures

import (
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestLogit(t *testing.T) {
	cases := []struct{ p, want float64 }{
		{0.5, 0},
		{0.9, math.Log(9)},
		{0.1, -math.Log(9)},
		{0.99, math.Log(99)},
		{0, math.Log(Eps / (1 - Eps))},
		{1, math.Log((1 - Eps) / Eps)},
		{-3, math.Log(Eps / (1 - Eps))},
	}
	for _, c := range cases {
		if got := Logit(c.p); !near(got, c.want) {
			t.Errorf("Logit(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	for _, p := range []float64{0.001, 0.3, 0.5, 0.75, 0.999} {
		if got := InvLogit(Logit(p)); !near(got, p) {
			t.Errorf("InvLogit(Logit(%v)) = %v", p, got)
		}
	}
	if !math.IsNaN(Logit(math.NaN())) {
		t.Error("Logit(NaN) is not NaN")
	}
}

func TestLogitScale(t *testing.T) {
	s := LogitScale{}
	if got := s.Normalize(0.1, 0.9, 0.5); !near(got, 0.5) {
		t.Errorf("Normalize(0.1, 0.9, 0.5) = %v, want 0.5", got)
	}
	if got := s.Normalize(0.6, 0.95, 0.6); !near(got, 0) {
		t.Errorf("at min: %v", got)
	}
	if got := s.Normalize(0.6, 0.95, 0.95); !near(got, 1) {
		t.Errorf("at max: %v", got)
	}
	// 90 % is as far from 50 % as 99 % from 90 %, nearly: ln 9 vs ln 11.
	want := math.Log(9) / math.Log(99)
	if got := s.Normalize(0.5, 0.99, 0.9); !near(got, want) {
		t.Errorf("Normalize(0.5, 0.99, 0.9) = %v, want %v", got, want)
	}
	prev := -1.0
	for p := 0.05; p < 0.96; p += 0.05 {
		v := s.Normalize(0.05, 0.95, p)
		if v <= prev {
			t.Fatalf("not increasing at %v", p)
		}
		prev = v
	}
	if got := s.Normalize(0.7, 0.7, 0.7); got != 0.5 {
		t.Errorf("empty range: %v", got)
	}
}

func TestSelectTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		want   []int
	}{
		{0.49, 0.65, []int{500, 550, 600, 650}},
		{0.69, 0.96, []int{700, 800, 850, 900, 950}},
		{0.58, 0.96, []int{600, 700, 800, 900, 950}},
	}
	for _, c := range cases {
		got := selectTicks(c.lo, c.hi, 8)
		if !slices.Equal(got, c.want) {
			t.Errorf("selectTicks(%v, %v) = %v, want %v", c.lo, c.hi, got, c.want)
		}
	}
	// A wide range gets the logit-round ticks and no more than n.
	wide := selectTicks(0.005, 0.995, 8)
	for _, k := range []int{10, 100, 500, 900, 990} {
		if !slices.Contains(wide, k) {
			t.Errorf("wide range ticks %v lack %d", wide, k)
		}
	}
	if len(wide) > 8 {
		t.Errorf("wide range: %d ticks", len(wide))
	}
	// Narrow ranges fall back to 1 % and 0.1 % steps.
	if got := selectTicks(0.746, 0.784, 8); !slices.Equal(got, []int{750, 760, 770, 780}) {
		t.Errorf("narrow: %v", got)
	}
	if got := selectTicks(0.7502, 0.7565, 8); len(got) < 2 {
		t.Errorf("very narrow: %v", got)
	}
	if got := selectTicks(0.7, 0.6, 8); len(got) < 2 {
		t.Errorf("reversed range: %v", got)
	}
	if got := selectTicks(math.NaN(), 0.5, 8); got != nil {
		t.Errorf("NaN range: %v", got)
	}

	// Properties over random ranges.
	rng := rand.New(rand.NewSource(1))
	for range 2000 {
		lo := InvLogit(rng.Float64()*12 - 6)
		hi := InvLogit(Logit(lo) + 0.05 + rng.Float64()*5)
		n := 3 + rng.Intn(8)
		ks := selectTicks(lo, hi, n)
		if len(ks) > n {
			t.Fatalf("[%v, %v] n=%d: %d ticks", lo, hi, n, len(ks))
		}
		if hi-lo > 0.003 && len(ks) < 2 {
			t.Fatalf("[%v, %v]: ticks %v", lo, hi, ks)
		}
		for i, k := range ks {
			v := float64(k) / 1000
			if v < lo-1e-9 || v > hi+1e-9 {
				t.Fatalf("[%v, %v]: tick %d outside", lo, hi, k)
			}
			if i > 0 && k <= ks[i-1] {
				t.Fatalf("[%v, %v]: ticks not increasing: %v", lo, hi, ks)
			}
		}
	}
}

func TestPercentTicks(t *testing.T) {
	ticks := PercentTicks{}.Ticks(0.69, 0.96)
	var labels []string
	for _, tk := range ticks {
		labels = append(labels, tk.Label)
	}
	if got := strings.Join(labels, " "); got != "70% 80% 85% 90% 95%" {
		t.Errorf("labels %q", got)
	}
	if !near(ticks[0].Value, 0.7) {
		t.Errorf("first value %v", ticks[0].Value)
	}
	for k, want := range map[int]string{905: "90.5%", 1: "0.1%", 500: "50%", 999: "99.9%"} {
		if got := percentLabel(k); got != want {
			t.Errorf("percentLabel(%d) = %q, want %q", k, got, want)
		}
	}
	if n := len((PercentTicks{N: 3}).Ticks(0.01, 0.99)); n > 3 {
		t.Errorf("N=3 gave %d ticks", n)
	}
}

func TestLinearPercentTicks(t *testing.T) {
	var got []string
	for _, tk := range (RoundTicks{Suffix: "%"}).Ticks(48.3, 96.2) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if s := strings.Join(got, " "); s != "50% 60% 70% 80% 90%" {
		t.Errorf("labels %q", s)
	}
	got = got[:0]
	for _, tk := range (RoundTicks{Suffix: "%"}).Ticks(60.1, 61.3) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if s := strings.Join(got, " "); s != "60.2% 60.4% 60.6% 60.8% 61.0% 61.2%" {
		t.Errorf("narrow labels %q", s)
	}
}
