package kms

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/keyring"
	"github.com/rapport-crm/rapport/shared/problem"
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
		return nil, &types.NotFoundException{Message: aws.String("no key " + id)}
	}
	h := hmac.New(sha256.New, k)
	h.Write(msg)
	return h.Sum(nil), nil
}

func (f *fakeKMS) GenerateMac(_ context.Context, in *awskms.GenerateMacInput, _ ...func(*awskms.Options)) (*awskms.GenerateMacOutput, error) {
	f.calls = append(f.calls, "GenerateMac "+aws.ToString(in.KeyId)+" "+string(in.MacAlgorithm))
	m, err := f.mac(aws.ToString(in.KeyId), in.Message)
	if err != nil {
		return nil, err
	}
	return &awskms.GenerateMacOutput{Mac: m, KeyId: in.KeyId, MacAlgorithm: in.MacAlgorithm}, nil
}

func (f *fakeKMS) VerifyMac(_ context.Context, in *awskms.VerifyMacInput, _ ...func(*awskms.Options)) (*awskms.VerifyMacOutput, error) {
	f.calls = append(f.calls, "VerifyMac "+aws.ToString(in.KeyId)+" "+string(in.MacAlgorithm))
	m, err := f.mac(aws.ToString(in.KeyId), in.Message)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(m, in.Mac) {
		return nil, &types.KMSInvalidMacException{Message: aws.String("invalid")}
	}
	return &awskms.VerifyMacOutput{MacValid: true, KeyId: in.KeyId}, nil
}

const (
	arn1 = "arn:aws:kms:eu-west-1:111122223333:key/11111111-aaaa-bbbb-cccc-000000000001"
	arn2 = "arn:aws:kms:eu-west-1:111122223333:key/11111111-aaaa-bbbb-cccc-000000000002"
)

// client counts the KMS clients a ring asks for.
func client(api API, built *int) func() API {
	return func() API { *built++; return api }
}

func TestMACRingReadsReferences(t *testing.T) {
	ctx := context.Background()
	api := &fakeKMS{keys: map[string][]byte{arn1: []byte("key one"), arn2: []byte("key two")}}
	var built int
	r, err := ring("2="+arn2+", 1="+arn1, client(api, &built))
	if err != nil || len(r) != 2 || r[0].Version() != 2 || r[1].Version() != 1 {
		t.Fatalf("ring %+v, %v", r, err)
	}
	// Each version is its own KMS key: the current one signs with arn2.
	if _, err := r[0].Sum(ctx, []byte("m")); err != nil || len(api.calls) != 1 || !strings.Contains(api.calls[0], arn2) {
		t.Fatalf("the current version's Sum: %v, calls %v", err, api.calls)
	}
	if _, err := r[1].Sum(ctx, []byte("m")); err != nil || len(api.calls) != 2 || !strings.Contains(api.calls[1], arn1) {
		t.Fatalf("the previous version's Sum: %v, calls %v", err, api.calls)
	}
	built = 0
	if r, err := ring("1=file:"+t.TempDir()+"/k.key", client(api, &built)); err != nil || len(r) != 1 || built != 0 {
		t.Fatalf("file ring %+v, %v, %d KMS clients built, want none", r, err, built)
	}
	for _, bad := range []string{"", arn1, "0=" + arn1, "x=" + arn1, "1=" + arn1 + ",1=" + arn2, "1=file:", "1=arn:aws:sqs:eu-west-1:1:q", "1=/tmp/k"} {
		if _, err := ring(bad, client(api, &built)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := MACRing("1="+arn1, aws.Config{Region: "eu-west-1"}); err != nil {
		t.Errorf("a KMS reference with the function's configuration: %v", err)
	}
}

// A KMS MAC key signs and verifies through KMS only, with HMAC_SHA_256, and tells a
// wrong tag (false) from a failure (an error of the right kind).
func TestKMSMACGoesThroughKMS(t *testing.T) {
	ctx := context.Background()
	api := &fakeKMS{keys: map[string][]byte{arn1: []byte("kms key material, never seen....")}}
	var built int
	r, err := ring("1="+arn1, client(api, &built))
	if err != nil {
		t.Fatal(err)
	}
	k := r[0]
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
	if local, _ := keyring.NewMAC(1, []byte("kms key material, never seen....")).Sum(ctx, []byte("hello")); !bytes.Equal(local, tag) {
		t.Error("a local key gives other tags than KMS for the same key")
	}

	for _, c := range []struct {
		err  error
		kind problem.Kind
	}{
		{&smithy.GenericAPIError{Code: "ThrottlingException"}, problem.Unavailable},
		{&types.KMSInternalException{}, problem.Unavailable},
		{&types.DependencyTimeoutException{}, problem.Unavailable},
		{errors.New("dial tcp: connection refused"), problem.Unavailable},
		{&types.DisabledException{}, problem.Internal},
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
