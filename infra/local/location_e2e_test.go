package local_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/testenv"
)

// Admins register locations; staff limited to some locations see only those.
func TestLocationsRegistry(t *testing.T) {
	s := newStack(t, testenv.New(t), nil)
	sh := `{"locationId":"SH01","name":"Shanghai Bund","timeZone":"Asia/Shanghai","weeklyHours":{"mon":["09:00-12:00","13:00-18:00"]},
		"managers":[{"name":"Li","channel":"email","address":"li@sh01.example","locale":"zh-CN"}],"branding":{"name":"Harbour Hotels","color":"#0b5cad"}}`
	if r := s.staffCall(t, "manager", "SH01", "POST", "/v1/locations", sh); r.status != http.StatusForbidden {
		t.Fatalf("a manager registering a location: %d", r.status)
	}
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/locations", sh); r.status != http.StatusCreated || !strings.Contains(r.body, `"version":1`) {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/locations", sh); r.status != http.StatusConflict {
		t.Fatalf("create again: %d", r.status)
	}
	if r := s.staffCall(t, "admin", "*", "POST", "/v1/locations", `{"locationId":"BJ01","name":"Beijing","timeZone":"Asia/Shanghai"}`); r.status != http.StatusCreated {
		t.Fatalf("create BJ01: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "agent", "SH01", "GET", "/v1/locations", ""); !strings.Contains(r.body, "SH01") || strings.Contains(r.body, "BJ01") {
		t.Fatalf("a SH01 agent lists %s", r.body)
	}
	if r := s.staffCall(t, "agent", "SH01", "GET", "/v1/locations/BJ01", ""); r.status != http.StatusNotFound {
		t.Fatalf("a SH01 agent reading BJ01: %d", r.status)
	}
	edit := strings.Replace(sh, `"name":"Shanghai Bund"`, `"name":"Shanghai Bund Hotel","version":1`, 1)
	if r := s.staffCall(t, "admin", "*", "PUT", "/v1/locations/SH01", edit); r.status != 200 || !strings.Contains(r.body, `"version":2`) {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	if r := s.staffCall(t, "admin", "*", "PUT", "/v1/locations/SH01", edit); r.status != http.StatusConflict {
		t.Fatalf("stale edit: %d", r.status)
	}
	bad := s.staffCall(t, "admin", "*", "POST", "/v1/locations", `{"locationId":"X1","name":"X","timeZone":"Nowhere"}`)
	if bad.status != 400 || !strings.Contains(bad.body, `"field":"timeZone"`) {
		t.Fatalf("bad zone: %d %s", bad.status, bad.body)
	}
}
