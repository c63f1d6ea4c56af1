package secrets

import (
	"context"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/problem"
)

// fakeSM holds a secret's versions by stage and counts reads.
type fakeSM struct {
	mu     sync.Mutex
	stages map[string]*secretsmanager.GetSecretValueOutput
	err    error
	reads  int
	ids    []string
}

func (f *fakeSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	f.ids = append(f.ids, aws.ToString(in.SecretId))
	if f.err != nil {
		return nil, f.err
	}
	out, ok := f.stages[aws.ToString(in.VersionStage)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no such version")}
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

// client counts the Secrets Manager clients a secret asks for.
func client(api API, built *int) func() API {
	return func() API { *built++; return api }
}

// The webhook secret: AWSCURRENT, and AWSPREVIOUS once rotated, with the current
// version's creation date; a throttled read is an outage, a secret that is not a hex
// key an error saying so. (The cache over these reads is keyring's, tested there.)
func TestSecretsManagerSecret(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	api := &fakeSM{stages: map[string]*secretsmanager.GetSecretValueOutput{}}
	first, second := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	api.rotate(first, t0)
	var built int
	s, err := newSecret(secretARN, client(api, &built), 0)
	if err != nil || built != 1 {
		t.Fatalf("%v, %d clients built", err, built)
	}

	cur, prev, since, err := s.Versions(ctx)
	if err != nil || hex.EncodeToString(cur) != first || prev != nil || !since.Equal(t0) {
		t.Fatalf("before any rotation: %x %x %s %v", cur, prev, since, err)
	}
	if api.reads != 2 || api.ids[0] != secretARN || api.ids[1] != secretARN {
		t.Errorf("%d reads of %v, want AWSCURRENT and AWSPREVIOUS of the secret", api.reads, api.ids)
	}
	api.rotate(second, t0.Add(time.Minute))
	cur, prev, since, err = s.Versions(ctx)
	if err != nil || hex.EncodeToString(cur) != second || hex.EncodeToString(prev) != first || !since.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after a rotation: %x %x %s %v, want the new key with the old as previous", cur, prev, since, err)
	}

	api.err = &smithy.GenericAPIError{Code: "ThrottlingException"}
	if _, _, _, err := s.Versions(ctx); problem.KindOf(err) != problem.Unavailable {
		t.Fatalf("throttled: %v, want unavailable", err)
	}
	api.err = &smithy.GenericAPIError{Code: "AccessDeniedException"}
	if _, _, _, err := s.Versions(ctx); problem.KindOf(err) != problem.Internal {
		t.Fatalf("denied: %v, want internal", err)
	}
	api.err = nil
	api.stages["AWSCURRENT"] = &secretsmanager.GetSecretValueOutput{SecretString: aws.String("not hex at all, but long enough")}
	if _, _, _, err := s.Versions(ctx); err == nil || !strings.Contains(err.Error(), "hex") {
		t.Fatalf("a secret that is not a hex key: %v", err)
	}
	api.stages["AWSCURRENT"] = &secretsmanager.GetSecretValueOutput{SecretBinary: []byte("short")}
	if _, _, _, err := s.Versions(ctx); err == nil || !strings.Contains(err.Error(), "16 bytes") {
		t.Fatalf("a binary secret too short for a key: %v", err)
	}
}

// A reference is a Secrets Manager secret ARN or a key file; a key file needs no
// client.
func TestReferences(t *testing.T) {
	var built int
	for _, bad := range []string{"arn:aws:kms:eu-west-1:1:key/x", "", "/tmp/k", "file:"} {
		if _, err := newSecret(bad, client(&fakeSM{}, &built), 0); err == nil {
			t.Errorf("%q taken for a secret", bad)
		}
	}
	built = 0
	s, err := New("file:"+t.TempDir()+"/webhook.key", aws.Config{}, TTL)
	if err != nil {
		t.Fatal(err)
	}
	if cur, _, _, err := s.Versions(context.Background()); err != nil || len(cur) != 32 {
		t.Fatalf("a key file: %x %v", cur, err)
	}
	if _, err := newSecret("file:"+t.TempDir()+"/k.key", client(&fakeSM{}, &built), 0); err != nil || built != 0 {
		t.Fatalf("a key file: %v, %d clients built, want none", err, built)
	}
}
