package keyring

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// fakeKMS is KMS's HMAC side: it holds the keys and answers as KMS does (a wrong MAC
// is KMSInvalidMacException, not MacValid false).
type fakeKMS struct {
	keys  map[string][]byte
	err   error
	calls []string
}

func (f *fakeKMS) mac(id string, msg []byte) ([]byte, error) {
	if f.err != nil {
		return nil, f.err
	}
	k, ok := f.keys[id]
	if !ok {
		return nil, &kmstypes.NotFoundException{Message: aws.String("no key " + id)}
	}
	h := hmac.New(sha256.New, k)
	h.Write(msg)
	return h.Sum(nil), nil
}

func (f *fakeKMS) GenerateMac(_ context.Context, in *kms.GenerateMacInput, _ ...func(*kms.Options)) (*kms.GenerateMacOutput, error) {
	f.calls = append(f.calls, "GenerateMac "+aws.ToString(in.KeyId)+" "+string(in.MacAlgorithm))
	m, err := f.mac(aws.ToString(in.KeyId), in.Message)
	if err != nil {
		return nil, err
	}
	return &kms.GenerateMacOutput{Mac: m, KeyId: in.KeyId, MacAlgorithm: in.MacAlgorithm}, nil
}

func (f *fakeKMS) VerifyMac(_ context.Context, in *kms.VerifyMacInput, _ ...func(*kms.Options)) (*kms.VerifyMacOutput, error) {
	f.calls = append(f.calls, "VerifyMac "+aws.ToString(in.KeyId)+" "+string(in.MacAlgorithm))
	m, err := f.mac(aws.ToString(in.KeyId), in.Message)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(m, in.Mac) {
		return nil, &kmstypes.KMSInvalidMacException{Message: aws.String("invalid")}
	}
	return &kms.VerifyMacOutput{MacValid: true, KeyId: in.KeyId}, nil
}

const (
	arn1 = "arn:aws:kms:eu-west-1:111122223333:key/11111111-aaaa-bbbb-cccc-000000000001"
	arn2 = "arn:aws:kms:eu-west-1:111122223333:key/11111111-aaaa-bbbb-cccc-000000000002"
)

func TestMACRingReadsReferences(t *testing.T) {
	api := &fakeKMS{}
	ring, err := MACRing("2="+arn2+", 1="+arn1, api)
	if err != nil || len(ring) != 2 || ring[0].Version() != 2 || ring[0].keyID != arn2 || ring[1].Version() != 1 {
		t.Fatalf("ring %+v, %v", ring, err)
	}
	if ring, err := MACRing("1=file:/tmp/k.key", nil); err != nil || ring[0].path != "/tmp/k.key" {
		t.Fatalf("file ring %+v, %v", ring, err)
	}
	for _, bad := range []string{"", arn1, "0=" + arn1, "x=" + arn1, "1=" + arn1 + ",1=" + arn2, "1=file:", "1=arn:aws:sqs:eu-west-1:1:q", "1=/tmp/k"} {
		if _, err := MACRing(bad, api); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := MACRing("1="+arn1, nil); err == nil {
		t.Error("a KMS reference without a KMS client accepted")
	}
}

// A KMS MAC key signs and verifies through KMS only, with HMAC_SHA_256, and tells a
// wrong tag (false) from a failure (an error of the right kind).
func TestKMSMACGoesThroughKMS(t *testing.T) {
	ctx := context.Background()
	api := &fakeKMS{keys: map[string][]byte{arn1: []byte("kms key material, never seen....")}}
	ring, err := MACRing("1="+arn1, api)
	if err != nil {
		t.Fatal(err)
	}
	k := ring[0]
	tag, err := k.Sum(ctx, []byte("hello"))
	if err != nil || len(tag) != 32 {
		t.Fatalf("sum %x %v", tag, err)
	}
	if ok, err := k.Verify(ctx, []byte("hello"), tag); !ok || err != nil {
		t.Fatalf("verify own tag: %v %v", ok, err)
	}
	if ok, err := k.Verify(ctx, []byte("hellO"), tag); ok || err != nil {
		t.Fatalf("verify another message: %v %v, want false without error", ok, err)
	}
	want := []string{"GenerateMac " + arn1 + " HMAC_SHA_256", "VerifyMac " + arn1 + " HMAC_SHA_256", "VerifyMac " + arn1 + " HMAC_SHA_256"}
	if strings.Join(api.calls, "|") != strings.Join(want, "|") {
		t.Errorf("calls %v, want %v", api.calls, want)
	}
	// The same key material in a key file gives the same tags: the code above cannot tell.
	if local, _ := NewMAC(1, []byte("kms key material, never seen....")).Sum(ctx, []byte("hello")); !bytes.Equal(local, tag) {
		t.Error("a local key gives other tags than KMS for the same key")
	}

	for _, c := range []struct {
		err  error
		kind problem.Kind
	}{
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, problem.Unavailable},
		{&kmstypes.KMSInternalException{}, problem.Unavailable},
		{&kmstypes.DependencyTimeoutException{}, problem.Unavailable},
		{errors.New("dial tcp: connection refused"), problem.Unavailable},
		{&kmstypes.DisabledException{}, problem.Internal},
		{&smithy.GenericAPIError{Code: "AccessDeniedException"}, problem.Internal},
	} {
		api.err = c.err
		_, err := k.Sum(ctx, []byte("x"))
		_, verr := k.Verify(ctx, []byte("x"), tag)
		if problem.KindOf(err) != c.kind || problem.KindOf(verr) != c.kind {
			t.Errorf("%v: kinds %s and %s, want %s", c.err, problem.KindOf(err), problem.KindOf(verr), c.kind)
		}
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

// fakeSM holds a secret's versions by stage and counts reads.
type fakeSM struct {
	mu     sync.Mutex
	stages map[string]*secretsmanager.GetSecretValueOutput
	err    error
	reads  int
}

func (f *fakeSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if f.err != nil {
		return nil, f.err
	}
	out, ok := f.stages[aws.ToString(in.VersionStage)]
	if !ok {
		return nil, &smtypes.ResourceNotFoundException{Message: aws.String("no such version")}
	}
	return out, nil
}

func (f *fakeSM) rotate(newHex string, at time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if cur, ok := f.stages["AWSCURRENT"]; ok {
		f.stages["AWSPREVIOUS"] = cur
	}
	f.stages["AWSCURRENT"] = &secretsmanager.GetSecretValueOutput{SecretString: aws.String(newHex), CreatedDate: aws.Time(at)}
}

const secretARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rapport-webhook-AbCdEf"

// The webhook secret: AWSCURRENT, and AWSPREVIOUS once rotated; read at most once per
// TTL, so a rotation is seen within it; a failed refresh keeps the last good one.
func TestSecretsManagerSecretRotatesThroughItsCache(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	api := &fakeSM{stages: map[string]*secretsmanager.GetSecretValueOutput{}}
	first, second := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	api.rotate(first, t0)
	s, err := NewSecret(secretARN, api, SecretTTL)
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	s.now = func() time.Time { return now }

	cur, prev, since, err := s.Versions(ctx)
	if err != nil || hex.EncodeToString(cur) != first || prev != nil || !since.Equal(t0) {
		t.Fatalf("before any rotation: %x %x %s %v", cur, prev, since, err)
	}
	if api.reads != 2 {
		t.Errorf("%d reads, want AWSCURRENT and AWSPREVIOUS", api.reads)
	}
	api.rotate(second, t0.Add(time.Minute))
	now = now.Add(SecretTTL - time.Second)
	if cur, _, _, _ := s.Versions(ctx); hex.EncodeToString(cur) != first || api.reads != 2 {
		t.Fatalf("within the TTL: %x after %d reads, want the cached key and no read", cur, api.reads)
	}
	now = now.Add(time.Second)
	cur, prev, since, err = s.Versions(ctx)
	if err != nil || hex.EncodeToString(cur) != second || hex.EncodeToString(prev) != first || !since.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after the TTL: %x %x %s %v, want the new key with the old as previous", cur, prev, since, err)
	}

	api.err = &smithy.GenericAPIError{Code: "ThrottlingException"}
	now = now.Add(SecretTTL)
	if cur, _, _, err := s.Versions(ctx); err != nil || hex.EncodeToString(cur) != second {
		t.Fatalf("a failed refresh: %x %v, want the last good key", cur, err)
	}
	fresh, _ := NewSecret(secretARN, api, 0)
	if _, _, _, err := fresh.Versions(ctx); problem.KindOf(err) != problem.Unavailable {
		t.Fatalf("nothing read yet and throttled: %v, want unavailable", err)
	}
	api.err = nil
	api.stages["AWSCURRENT"] = &secretsmanager.GetSecretValueOutput{SecretString: aws.String("not hex at all, but long enough")}
	if _, _, _, err := fresh.Versions(ctx); err == nil || !strings.Contains(err.Error(), "hex") {
		t.Fatalf("a secret that is not a hex key: %v", err)
	}
	if _, err := NewSecret("arn:aws:kms:eu-west-1:1:key/x", api, 0); err == nil {
		t.Error("a KMS ARN taken for a secret")
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
