package keyring

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

const (
	arn1 = "arn:aws:kms:eu-west-1:111122223333:key/11111111-aaaa-bbbb-cccc-000000000001"
	arn2 = "arn:aws:kms:eu-west-1:111122223333:key/11111111-aaaa-bbbb-cccc-000000000002"
)

// A reference names each version once, from 1, the current first; key files are read
// here, anything else only by the key service the caller gives (keyring/kms).
func TestMACRingReadsReferences(t *testing.T) {
	if ring, err := MACRing("1=file:/tmp/k.key", nil); err != nil || ring[0].path != "/tmp/k.key" || ring[0].kept != nil {
		t.Fatalf("file ring %+v, %v", ring, err)
	}
	for _, bad := range []string{"", "file:/tmp/k", "0=file:/tmp/k", "x=file:/tmp/k", "1=file:/tmp/a,1=file:/tmp/b", "1=file:", "1=/tmp/k", "1=" + arn1} {
		if _, err := MACRing(bad, nil); err == nil {
			t.Errorf("%q accepted without a key service", bad)
		}
	}
	var asked []string
	keeper := func(where string) (MACKeeper, error) {
		asked = append(asked, where)
		if where == "refused" {
			return nil, errors.New("not a key of this service")
		}
		return NewMAC(0, []byte(where)), nil
	}
	ring, err := MACRing("2="+arn2+", 1=file:/tmp/k.key", keeper)
	if err != nil || len(ring) != 2 || ring[0].Version() != 2 || ring[0].kept == nil || ring[1].Version() != 1 || ring[1].path != "/tmp/k.key" {
		t.Fatalf("ring %+v, %v", ring, err)
	}
	if len(asked) != 1 || asked[0] != arn2 {
		t.Errorf("the key service was asked about %q, want the ARN alone", asked)
	}
	if _, err := MACRing("1=refused", keeper); err == nil || !strings.Contains(err.Error(), "not a key of this service") {
		t.Errorf("the key service's refusal: %v", err)
	}
}

// A kept key computes where it is kept: Sum and Verify go to the keeper, not to a key
// file.
func TestKeptMACGoesToItsKeeper(t *testing.T) {
	ctx := context.Background()
	material := []byte("kept key material, never seen...")
	ring, err := MACRing("1=arn:kept", func(string) (MACKeeper, error) { return NewMAC(1, material), nil })
	if err != nil {
		t.Fatal(err)
	}
	tag, err := ring[0].Sum(ctx, []byte("hello"))
	if want, _ := NewMAC(1, material).Sum(ctx, []byte("hello")); err != nil || !bytes.Equal(tag, want) {
		t.Fatalf("sum %x %v, want the keeper's %x", tag, err, want)
	}
	if ok, err := ring[0].Verify(ctx, []byte("hello"), tag); !ok || err != nil {
		t.Fatalf("verify own tag: %v %v", ok, err)
	}
	if ok, err := ring[0].Verify(ctx, []byte("hellO"), tag); ok || err != nil {
		t.Fatalf("verify another message: %v %v, want false without error", ok, err)
	}
}

// A local key file is made at random on first use, once, even by processes racing.
func TestLocalMACKeyFileIsMadeOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	ref := LocalRefs(dir)("unsubscribe")
	var tags [8][]byte
	var wg sync.WaitGroup
	for i := range tags {
		wg.Go(func() {
			ring, err := MACRing(ref, nil)
			if err != nil {
				t.Error(err)
				return
			}
			tags[i], _ = ring[0].Sum(context.Background(), []byte("m"))
		})
	}
	wg.Wait()
	for i := range tags {
		if len(tags[i]) != 32 || !bytes.Equal(tags[i], tags[0]) {
			t.Fatalf("tag %d = %x, tag 0 = %x: two keys made", i, tags[i], tags[0])
		}
	}
	k, _ := wiring.SigningKeyByName("unsubscribe")
	path := filepath.Join(dir, "unsubscribe-"+strconv.Itoa(k.Versions[0])+".key")
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file %s: %v %v, want mode 0600", path, st, err)
	}
	raw, _ := os.ReadFile(path)
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != 32 {
		t.Fatalf("key file holds %q", raw)
	}
	if want, _ := NewMAC(1, key).Sum(context.Background(), []byte("m")); !bytes.Equal(want, tags[0]) {
		t.Error("the tag is not the HMAC under the file's key")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("key directory holds %d entries, want the key alone", len(entries))
	}
}

func TestLocalRefsFollowTheWiring(t *testing.T) {
	refs := LocalRefs("/k")
	if got := refs("webhook"); got != "file:/k/webhook.key" {
		t.Errorf("webhook: %q", got)
	}
	if got := refs("unsubscribe"); !strings.HasPrefix(got, "1=file:/k/unsubscribe-1.key") {
		t.Errorf("unsubscribe: %q", got)
	}
	if got := refs("nope"); got != "" {
		t.Errorf("an unknown key: %q", got)
	}
}

// keeper is a secret's keeper whose versions a test sets; it counts reads.
type keeper struct {
	v     SecretVersions
	err   error
	reads int
}

func (k *keeper) Read(context.Context) (SecretVersions, error) {
	k.reads++
	if k.err != nil {
		return SecretVersions{}, k.err
	}
	return k.v, nil
}

// A kept secret is read at most once per TTL, so a rotation is seen within it; a
// failed refresh keeps the last good one, and nothing read yet is the keeper's error.
func TestSecretRotatesThroughItsCache(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	first, second := []byte(strings.Repeat("a", 32)), []byte(strings.Repeat("c", 32))
	k := &keeper{v: SecretVersions{Current: first, Since: t0}}
	s, err := NewSecret("arn:kept", func(ref string) (SecretKeeper, error) { return k, nil }, SecretTTL)
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	s.now = func() time.Time { return now }

	cur, prev, since, err := s.Versions(ctx)
	if err != nil || !bytes.Equal(cur, first) || prev != nil || !since.Equal(t0) || k.reads != 1 {
		t.Fatalf("before any rotation: %x %x %s %v after %d reads", cur, prev, since, err, k.reads)
	}
	k.v = SecretVersions{Current: second, Previous: first, Since: t0.Add(time.Minute)}
	now = now.Add(SecretTTL - time.Second)
	if cur, _, _, _ := s.Versions(ctx); !bytes.Equal(cur, first) || k.reads != 1 {
		t.Fatalf("within the TTL: %x after %d reads, want the cached key and no read", cur, k.reads)
	}
	now = now.Add(time.Second)
	cur, prev, since, err = s.Versions(ctx)
	if err != nil || !bytes.Equal(cur, second) || !bytes.Equal(prev, first) || !since.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after the TTL: %x %x %s %v, want the new key with the old as previous", cur, prev, since, err)
	}

	k.err = problem.Unavailablef(errors.New("throttled"), "the key service is unavailable")
	now = now.Add(SecretTTL)
	if cur, _, _, err := s.Versions(ctx); err != nil || !bytes.Equal(cur, second) {
		t.Fatalf("a failed refresh: %x %v, want the last good key", cur, err)
	}
	fresh, _ := NewSecret("arn:kept", func(string) (SecretKeeper, error) { return k, nil }, 0)
	if _, _, _, err := fresh.Versions(ctx); problem.KindOf(err) != problem.Unavailable {
		t.Fatalf("nothing read yet and the keeper failing: %v, want its error", err)
	}
	if _, err := NewSecret("arn:kept", nil, 0); err == nil {
		t.Error("a kept secret accepted without a key service")
	}
	if _, err := NewSecret("arn:other", func(string) (SecretKeeper, error) { return nil, errors.New("not ours") }, 0); err == nil || !strings.Contains(err.Error(), "not ours") {
		t.Errorf("the key service's refusal: %v", err)
	}
}

// The same classification for every key service: throttling, internal failures,
// timeouts and the network are an outage; a denied or missing key is ours to fix.
func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err  error
		kind problem.Kind
	}{
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, problem.Unavailable},
		{&smithy.GenericAPIError{Code: "KMSInternalException"}, problem.Unavailable},
		{&smithy.GenericAPIError{Code: "InternalServiceError"}, problem.Unavailable},
		{&smithy.GenericAPIError{Code: "DependencyTimeoutException"}, problem.Unavailable},
		{&smithy.GenericAPIError{Code: "Custom"}, problem.Internal},
		{errors.New("dial tcp: connection refused"), problem.Unavailable},
		{&smithy.GenericAPIError{Code: "AccessDeniedException"}, problem.Internal},
	} {
		if got := problem.KindOf(Classify(c.err, "a key service")); got != c.kind {
			t.Errorf("%v: %s, want %s", c.err, got, c.kind)
		}
	}
	if got := problem.KindOf(Classify(&smithy.GenericAPIError{Code: "Custom"}, "x", "Custom")); got != problem.Unavailable {
		t.Errorf("an outage code given: %s", got)
	}
}

// Locally the secret is a key file: the current key first, the previous after it.
func TestFileSecret(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "webhook.key")
	s, err := NewSecret(LocalRefs(filepath.Dir(path))("webhook"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	cur, prev, _, err := s.Versions(ctx)
	if err != nil || len(cur) != 32 || prev != nil {
		t.Fatalf("made on first use: %x %x %v", cur, prev, err)
	}
	next := strings.Repeat("ef", 32)
	if err := os.WriteFile(path, []byte(next+"\n"+hex.EncodeToString(cur)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cur2, prev2, _, err := s.Versions(ctx)
	if err != nil || hex.EncodeToString(cur2) != next || !bytes.Equal(prev2, cur) {
		t.Fatalf("after a local rotation: %x %x %v", cur2, prev2, err)
	}
}

// A key file stands in for KMS: each Sum and Verify counts on the context's meter as
// the GenerateMac and VerifyMac AWS would bill, a round trip each; a key kept in KMS
// is counted by the meter on its client's call instead, not here.
func TestLocalMACCountsAsTheKMSCallItStandsFor(t *testing.T) {
	ctx, m := cloud.WithMeter(context.Background())
	var seen []string
	m.Probe = func(_ context.Context, op string, params any) func(any, error) {
		seen = append(seen, op)
		if params != nil {
			t.Errorf("%s: input %v, want none", op, params)
		}
		return nil
	}
	local := NewMAC(1, []byte("local key material"))
	tag, err := local.Sum(ctx, []byte("m"))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := local.Verify(ctx, []byte("m"), tag); !ok || err != nil {
		t.Fatalf("verify: %v %v", ok, err)
	}
	if m.Calls["GenerateMac"] != 1 || m.Calls["VerifyMac"] != 1 || m.Total() != 2 || m.Trips() != 2 {
		t.Errorf("calls %v, %d trips; want one GenerateMac and one VerifyMac, one after the other", m.Calls, m.Trips())
	}
	if strings.Join(seen, ",") != "GenerateMac,VerifyMac" {
		t.Errorf("the probe saw %v", seen)
	}

	kept, err := MACRing("1=arn:kept", func(string) (MACKeeper, error) { return serviceKey{}, nil })
	if err != nil {
		t.Fatal(err)
	}
	ctx, m = cloud.WithMeter(context.Background())
	if _, err := kept[0].Sum(ctx, []byte("m")); err != nil {
		t.Fatal(err)
	}
	if m.Total() != 0 {
		t.Errorf("a kept key's Sum counted %v here; its client's call counts it", m.Calls)
	}
}

// serviceKey is a key service's key, as a test sees it: it answers without a meter.
type serviceKey struct{}

func (serviceKey) Sum(context.Context, []byte) ([]byte, error)          { return make([]byte, 32), nil }
func (serviceKey) Verify(context.Context, []byte, []byte) (bool, error) { return true, nil }
