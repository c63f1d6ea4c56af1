package local_test

import (
	"os"
	"testing"

	"github.com/rapport-crm/rapport/infra/local"
)

// FindRun picks the make run the way every command does: the port given, else the one
// started last, else 8080; a later make run's run.json survives an earlier one's stop.
func TestFindRun(t *testing.T) {
	dir := t.TempDir()
	on := func(port string) local.RunState {
		return local.RunState{BaseURL: "http://127.0.0.1:" + port, DynamoDB: "http://127.0.0.1:1" + port, TablePrefix: "rapport-"}
	}
	find := func(port string) local.Run {
		t.Helper()
		r, err := local.FindRun(dir, port)
		if err != nil {
			t.Fatalf("FindRun(%q): %v", port, err)
		}
		return r
	}

	if r := find(""); r.BaseURL != local.DefaultBaseURL || r.Published || r.From != "the default port 8080" {
		t.Errorf("nothing running: %+v", r)
	}
	removeFirst, err := local.PublishRun(dir, "9090", on("9090"))
	if err != nil {
		t.Fatal(err)
	}
	if r := find(""); r.RunState != on("9090") || !r.Published {
		t.Errorf("one make run on 9090, no port given: %+v", r)
	}
	if r := find("9191"); r.BaseURL != "http://127.0.0.1:9191" || r.Published || r.From != "PORT=9191" {
		t.Errorf("port 9191 given, nothing there: %+v", r)
	}
	removeSecond, err := local.PublishRun(dir, "9191", on("9191"))
	if err != nil {
		t.Fatal(err)
	}
	if r := find(""); r.RunState != on("9191") {
		t.Errorf("the make run started last is on 9191: %+v", r)
	}
	if r := find("9090"); r.RunState != on("9090") || !r.Published {
		t.Errorf("port 9090 given: %+v", r)
	}
	removeFirst()
	if r := find(""); r.RunState != on("9191") {
		t.Errorf("after the 9090 one stopped, the last is still on 9191: %+v", r)
	}
	if r := find("9090"); r.Published {
		t.Errorf("the 9090 one stopped: %+v", r)
	}
	removeSecond()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}

	for _, bad := range []string{"x", "0", "70000", "../8080"} {
		if _, err := local.FindRun(dir, bad); err == nil {
			t.Errorf("port %q accepted", bad)
		}
	}
	if err := os.WriteFile(local.LastRunPath(dir), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := local.FindRun(dir, ""); err == nil {
		t.Error("a run.json without baseURL accepted")
	}
}
