package templates

import (
	"strings"
	"testing"
)

func TestOpenAITemplates(t *testing.T) {
	if len(OpenAIImageNet) != 80 {
		t.Fatalf("%d OpenAI templates, want 80", len(OpenAIImageNet))
	}
	seen := map[string]bool{}
	for _, s := range OpenAIImageNet {
		if seen[s] || strings.Count(s, "{}") != 1 {
			t.Errorf("template %q duplicated or without exactly one {}", s)
		}
		seen[s] = true
	}
	if got := Fill(Simple, "cat"); got[0] != "a photo of a cat." {
		t.Errorf("Fill = %q", got)
	}
}

func TestRegistry(t *testing.T) {
	if _, err := Get("nope"); err == nil || !strings.Contains(err.Error(), "openai_imagenet_template") {
		t.Errorf("unknown name error %v does not list the known sets", err)
	}
	for _, name := range Names() {
		ts, err := Get(name)
		if err != nil || len(ts) == 0 {
			t.Fatalf("Get(%q) = %d templates, %v", name, len(ts), err)
		}
		for _, s := range ts {
			if strings.Count(s, "{}")+strings.Count(s, ArticlePlaceholder) != 1 {
				t.Errorf("%s: template %q has not exactly one {} or %s", name, s, ArticlePlaceholder)
			}
		}
	}
	if ts, err := Get("cifar_template"); err != nil || len(ts) != 18 {
		t.Errorf("cifar_template: %d templates, %v; CLIP has 18", len(ts), err)
	}
}

// TestPaperTemplateSets checks the WILDS template sets against the paper code's lists (src/templates), filled by
// hand with the paper's own lambdas in mind.
func TestPaperTemplateSets(t *testing.T) {
	cases := []struct {
		set   string
		class string
		n     int
		want  map[int]string
	}{
		{"iwildcam_template", "ocelot", 2, map[int]string{0: "a photo of ocelot.", 1: "ocelot in the wild."}},
		{"fmow_template", "airport_hangar", 16, map[int]string{
			0:  "satellite photo of a airport_hangar.", // the paper's f"satellite photo of a {c}." keeps the underscore
			2:  "satellite photo of an airport hangar.",
			3:  "aerial photo of an airport hangar.",
			8:  "satellite photo of a airport_hangar in the americas.",
			15: "airport_hangar.",
		}},
		{"fmow_template", "barn", 16, map[int]string{2: "satellite photo of a barn.", 13: "aerial photo of a barn in oceania."}},
	}
	for _, c := range cases {
		t.Run(c.set+"/"+c.class, func(t *testing.T) {
			ts, err := Get(c.set)
			if err != nil || len(ts) != c.n {
				t.Fatalf("%s: %d templates, %v; want %d", c.set, len(ts), err, c.n)
			}
			got := Fill(ts, c.class)
			for i, w := range c.want {
				if got[i] != w {
					t.Errorf("template %d: %q, want %q", i, got[i], w)
				}
			}
		})
	}
	for in, want := range map[string]string{"oil_or_gas_facility": "an oil or gas facility", "zoo": "a zoo", "Oak": "a Oak", "": "a "} {
		if got := WithArticle(in); got != want {
			t.Errorf("WithArticle(%q) = %q, want %q", in, got, want)
		}
	}
}
