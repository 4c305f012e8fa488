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
			if strings.Count(s, "{}") != 1 {
				t.Errorf("%s: template %q has not exactly one {}", name, s)
			}
		}
	}
	if ts, err := Get("cifar_template"); err != nil || len(ts) != 18 {
		t.Errorf("cifar_template: %d templates, %v; CLIP has 18", len(ts), err)
	}
}
