package page_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every *_templ.go is what the pinned templ (go.mod's tool) makes of the .templ file
// beside it: a .templ edited without `make generate`, or a generated file edited by
// hand, fails here. templ's own -check compares without writing; orphans are looked
// for here, since templ would delete them.
func TestGeneratedPagesAreCurrent(t *testing.T) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	var templs int
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (name == "node_modules" || strings.HasPrefix(name, ".")) {
			return filepath.SkipDir
		}
		switch {
		case strings.HasSuffix(name, ".templ"):
			templs++
		case strings.HasSuffix(name, "_templ.go"):
			if _, err := os.Stat(strings.TrimSuffix(path, "_templ.go") + ".templ"); err != nil {
				t.Errorf("%s has no .templ it was made from", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if templs == 0 {
		t.Fatalf("no .templ files under %s", root)
	}
	cmd := exec.Command("go", "tool", "templ", "generate", "-check", "-keep-orphaned-files", "-path", root)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("generated pages are stale (run make generate): %v\n%s", err, stderr.String())
	}
}
