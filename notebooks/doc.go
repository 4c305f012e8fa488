// Package notebooks holds the project's Jupyter notebooks (run by the GoNB kernel; see widgets for the Go side).
// Headless execution of every notebook is scripts/test-notebooks.sh; the browser test is the module in
// notebooks/browser.
package notebooks
