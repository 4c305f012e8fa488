package realdata

import (
	"fmt"
	"strings"
)

// folderSpec describes a class-folder dataset to open.
type folderSpec struct {
	name      string
	root      string
	expected  string // the layout, for error messages
	classes   []string
	templates []string
	// labelOf returns the label of a class folder, or ok=false for a folder that is not a class of the dataset.
	labelOf func(folder string) (label int, ok bool)
	// skipUnknown ignores folders labelOf rejects instead of failing (ObjectNet keeps 113 of its 313 folders).
	skipUnknown bool
	border      int
	// perClass > 0 keeps the first perClass files of each class folder.
	perClass int
	// everyClass refuses a class folder without image files (images in its sub-folders are not read).
	everyClass bool
}

// openFolders lists the class folders and image files of spec.root.
func openFolders(spec folderSpec) (*folderSet, error) {
	if err := requireDir(spec.name, spec.root, spec.expected); err != nil {
		return nil, err
	}
	layoutErr := func(problem string) error {
		return &LayoutError{Dataset: spec.name, Path: spec.root, Problem: problem, Expected: spec.expected}
	}
	all, loose, err := listClassDirs(spec.root)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", spec.name, err)
	}
	var dirs []string
	var labels []int
	var unknown []string
	owner := map[int]string{}
	for _, d := range all {
		label, ok := spec.labelOf(d)
		if !ok {
			unknown = append(unknown, d)
			continue
		}
		if prev, dup := owner[label]; dup {
			return nil, layoutErr(fmt.Sprintf("folders %q and %q are the same class", prev, d))
		}
		owner[label] = d
		dirs = append(dirs, d)
		labels = append(labels, label)
	}
	if len(unknown) > 0 && !spec.skipUnknown {
		return nil, layoutErr(fmt.Sprintf("%d folder(s) are not classes of %s: %s", len(unknown), spec.name, firstFew(unknown)))
	}
	if len(dirs) == 0 {
		if loose > 0 {
			return nil, layoutErr(fmt.Sprintf("%d image files lie directly in the folder; they must be sorted into one "+
				"sub-folder per class", loose))
		}
		return nil, layoutErr("no class folders")
	}
	files, err := listImages(spec.root, dirs)
	if err != nil {
		return nil, fmt.Errorf("datasets: %s: %w", spec.name, err)
	}
	if spec.everyClass {
		var empty []string
		for i, f := range files {
			if len(f) == 0 {
				empty = append(empty, dirs[i])
			}
		}
		if len(empty) > 0 {
			return nil, layoutErr(fmt.Sprintf("class folder(s) %s hold no image files (images in sub-folders are not "+
				"read)", firstFew(empty)))
		}
	}
	keepFirst(files, spec.perClass)
	samples := interleave(files, labels)
	if len(samples) == 0 {
		return nil, layoutErr("no image files in the class folders")
	}
	return &folderSet{
		name: spec.name, classes: spec.classes, templates: spec.templates, root: spec.root, dirs: dirs,
		samples: samples, border: spec.border,
	}, nil
}

// firstFew quotes up to five names, then says how many more there are.
func firstFew(names []string) string {
	const n = 5
	q := make([]string, 0, n)
	for i, s := range names {
		if i == n {
			return strings.Join(q, ", ") + fmt.Sprintf(" and %d more", len(names)-n)
		}
		q = append(q, fmt.Sprintf("%q", s))
	}
	return strings.Join(q, ", ")
}
