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
	if err := Register("bad", []string{"no slot"}); err == nil {
		t.Error("a template without {} was accepted")
	}
	if err := Register("digits", []string{"a photo of the number {}."}); err != nil {
		t.Fatal(err)
	}
	if ts, err := Get("digits"); err != nil || len(ts) != 1 {
		t.Errorf("Get(digits) = %v, %v", ts, err)
	}
}
