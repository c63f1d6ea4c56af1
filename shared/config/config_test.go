package config

import (
	"strings"
	"testing"
	"time"
)

func TestEnvReportsEveryMissingAndInvalidSettingAtOnce(t *testing.T) {
	env := FromMap(map[string]string{"A": "x", "TICK": "soon", "N": "-1", "BLANK": "  "})
	if got := env.String("A"); got != "x" {
		t.Fatalf("String(A) = %q", got)
	}
	env.String("B")
	env.String("BLANK")
	if got := env.Duration("TICK", time.Minute); got != time.Minute {
		t.Fatalf("invalid duration should fall back to the default, got %v", got)
	}
	env.Int("N", 3)
	err := env.Err()
	if err == nil {
		t.Fatal("Err() = nil with missing and invalid settings")
	}
	for _, want := range []string{"B", "BLANK", "TICK must be", "N must be"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if got := strings.Join(env.Read(), ","); got != "A,B,BLANK,N,TICK" {
		t.Errorf("Read() = %s", got)
	}
}

func TestEnvDefaults(t *testing.T) {
	env := FromMap(map[string]string{"D": "90s", "I": "7"})
	if env.Optional("X", "def") != "def" || env.Duration("D", 0) != 90*time.Second || env.Int("I", 1) != 7 {
		t.Fatal("defaults or parsed values wrong")
	}
	if err := env.Err(); err != nil {
		t.Fatal(err)
	}
}
