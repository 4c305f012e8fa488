// Package browser is the browser test of the notebooks, a module of its own so that the library's go.mod does not
// carry its browser-automation dependency (go-rod): browser_test.go opens 01-quickstart in the classic Jupyter
// Notebook in headless chromium, runs every cell, moves the α slider and checks what the page shows. It runs only
// with WISEFT_BROWSER_TEST=1 (and chromium, jupyter-notebook and the GoNB kernel installed:
// scripts/setup-notebooks.sh); otherwise it is skipped. scripts/test-notebooks.sh runs it.
package browser
