package cloud

import (
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/config"
)

func TestTripsCountCallsOneAfterAnother(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	at := func(from, to int) [2]time.Time {
		return [2]time.Time{t0.Add(time.Duration(from) * time.Millisecond), t0.Add(time.Duration(to) * time.Millisecond)}
	}
	for _, c := range []struct {
		name  string
		spans [][2]time.Time
		want  int
	}{
		{"none", nil, 0},
		{"one", [][2]time.Time{at(0, 5)}, 1},
		{"three in a row", [][2]time.Time{at(0, 5), at(5, 9), at(10, 12)}, 3},
		{"two at once, then one", [][2]time.Time{at(0, 5), at(1, 7), at(7, 9)}, 2},
		{"recorded out of order", [][2]time.Time{at(10, 12), at(0, 5), at(2, 11)}, 1},
		{"a long call covers two short ones", [][2]time.Time{at(0, 20), at(2, 4), at(6, 8), at(21, 22)}, 2},
	} {
		m := &Meter{spans: c.spans}
		if got := m.Trips(); got != c.want {
			t.Errorf("%s: %d trips, want %d", c.name, got, c.want)
		}
	}
}

// TestFromEnvironment: a Lambda function's configuration is its region and role
// credentials from the environment, metered; without them it refuses to start.
func TestFromEnvironment(t *testing.T) {
	env := map[string]string{"AWS_REGION": "ap-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token"}
	cfg, err := FromEnvironment(config.FromMap(env))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || cfg.Region != "ap-east-1" || creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "secret" || creds.SessionToken != "token" {
		t.Fatalf("region %q, credentials %+v, %v", cfg.Region, creds, err)
	}
	if len(cfg.APIOptions) != 1 {
		t.Fatalf("%d API options, want the meter", len(cfg.APIOptions))
	}
	delete(env, "AWS_REGION")
	env["AWS_DEFAULT_REGION"] = "us-east-1"
	if cfg, err := FromEnvironment(config.FromMap(env)); err != nil || cfg.Region != "us-east-1" {
		t.Fatalf("AWS_DEFAULT_REGION: %q %v", cfg.Region, err)
	}
	delete(env, "AWS_ACCESS_KEY_ID")
	if _, err := FromEnvironment(config.FromMap(env)); err == nil {
		t.Fatal("no credentials, no error")
	}
}
