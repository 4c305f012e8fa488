// Package notebooks holds the project's Jupyter notebooks (run by the GoNB kernel; see widgets for the Go side)
// and their browser test: browser_test.go opens 01-quickstart in the classic Jupyter Notebook in headless
// chromium, runs every cell, moves the α slider and checks that the figure is redrawn. It runs only with
// WISEFT_BROWSER_TEST=1 (and chromium, jupyter-notebook and the GoNB kernel installed: scripts/setup-notebooks.sh);
// otherwise it is skipped. Headless execution of every notebook is scripts/test-notebooks.sh.
package notebooks
