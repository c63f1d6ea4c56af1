package customer_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/keyring"
)

// key is a per-test unsubscribe key of a version, as keyring makes one from a key file.
func key(version int, secret string) customer.MAC {
	return keyring.NewMAC(version, []byte(secret+strings.Repeat(".", 32-len(secret))))
}

func TestUnsubscribeTokensRevealNothingAndVerify(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	a := &customer.Signer{Store: s, Keys: []customer.MAC{key(1, "one")}}
	b := &customer.Signer{Store: s, Keys: []customer.MAC{key(1, "one")}} // another process, the same key
	tok, err := a.Token(ctx, "cust-4711", "email", t0)
	if err != nil {
		t.Fatal(err)
	}
	v, handle, ok := strings.Cut(tok, ".")
	raw, derr := base64.RawURLEncoding.DecodeString(handle)
	if !ok || v != "1" || derr != nil || len(raw) != 32 {
		t.Fatalf("token %q: want 1.<32 bytes, base64url>", tok)
	}
	for _, leak := range []string{"cust", "4711", "email", "2026", "2027"} {
		if strings.Contains(strings.ToLower(tok), leak) {
			t.Errorf("token %q shows %q", tok, leak)
		}
	}
	if again, _ := a.Token(ctx, "cust-4711", "email", t0.Add(time.Hour)); again != tok {
		t.Errorf("a second message got another token: %q, %q", again, tok)
	}
	u, err := b.Verify(ctx, tok)
	if err != nil || u != (customer.Unsubscribe{CustomerID: "cust-4711", Channel: "email"}) {
		t.Fatalf("verify: %+v %v", u, err)
	}
	sms, _ := a.Token(ctx, "cust-4711", "sms", t0)
	if sms == tok {
		t.Fatal("one token for two channels")
	}

	// The table holds neither the handle nor the token: its readers cannot make a link.
	dump := scanTable(t, s)
	if strings.Contains(dump, handle) || strings.Contains(dump, base64.StdEncoding.EncodeToString(raw)) {
		t.Fatal("the customers table holds a link's handle")
	}

	flipped := []byte(handle)
	flipped[5] ^= 1
	other, _ := (&customer.Signer{Store: newStore(t), Keys: []customer.MAC{key(1, "another deployment")}}).Token(ctx, "cust-4711", "email", t0)
	for name, bad := range map[string]string{
		"a flipped handle":             v + "." + string(flipped),
		"no handle":                    v,
		"garbage":                      "%%%",
		"a short handle":               v + "." + handle[:20],
		"a version with a sign":        "+1." + handle,
		"a version with a leading 0":   "01." + handle,
		"a version never made":         "7." + handle,
		"another deployment's token":   other,
		"the old format (payload.sig)": "Y3VzdC00NzExfGVtYWlsfDE3OTU0Mzk2MDA.c2ln",
	} {
		if _, err := b.Verify(ctx, bad); !errors.Is(err, customer.ErrBadToken) {
			t.Errorf("%s: %v, want a bad token", name, err)
		}
	}
	// A lookup planted or altered in the table (by a role that writes it) does not
	// verify: the key says the handle is not that customer's.
	planted := tamperLookup(t, s, "someone-else")
	if _, err := b.Verify(ctx, tok); !errors.Is(err, customer.ErrBadToken) || !planted {
		t.Errorf("an altered lookup: %v, want a bad token", err)
	}
}

func TestUnsubscribeKeyRotation(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	v1 := &customer.Signer{Store: s, Keys: []customer.MAC{key(1, "one")}}
	old, err := v1.Token(ctx, "c-8", "email", t0)
	if err != nil {
		t.Fatal(err)
	}
	// Rotation: version 2 signs, version 1 still verifies during the grace period.
	rotating := &customer.Signer{Store: s, Keys: []customer.MAC{key(2, "two"), key(1, "one")}}
	fresh, err := rotating.Token(ctx, "c-8", "email", t0)
	if err != nil || !strings.HasPrefix(fresh, "2.") {
		t.Fatalf("token after the rotation %q (%v), want version 2", fresh, err)
	}
	for _, tok := range []string{old, fresh} {
		if u, err := rotating.Verify(ctx, tok); err != nil || u.CustomerID != "c-8" {
			t.Errorf("%s during the grace period: %+v %v", tok[:2], u, err)
		}
	}
	// The grace period over, version 1's links have expired; version 2's work.
	after := &customer.Signer{Store: s, Keys: []customer.MAC{key(2, "two")}}
	if _, err := after.Verify(ctx, old); !errors.Is(err, customer.ErrExpiredToken) {
		t.Errorf("a retired version: %v, want expired", err)
	}
	if _, err := after.Verify(ctx, fresh); err != nil {
		t.Errorf("the current version: %v", err)
	}
	// Version 1's key must not pass for version 2's.
	swapped := &customer.Signer{Store: s, Keys: []customer.MAC{key(2, "one")}}
	if _, err := swapped.Verify(ctx, fresh); !errors.Is(err, customer.ErrBadToken) {
		t.Errorf("another key under version 2: %v", err)
	}
}

func TestErasureRemovesUnsubscribeLookups(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	sg := &customer.Signer{Store: s, Keys: []customer.MAC{key(1, "one")}}
	tok, err := sg.Token(ctx, "c-gone", "sms", t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseCustomer(ctx, "c-gone", "pseudo-1", []string{"c-gone"}); err != nil {
		t.Fatal(err)
	}
	if dump := scanTable(t, s); strings.Contains(dump, "c-gone") {
		t.Fatalf("the erased customer's id is still in the table: %s", dump)
	}
	if _, err := sg.Verify(ctx, tok); !errors.Is(err, customer.ErrBadToken) {
		t.Fatalf("an erased customer's link: %v, want a bad token", err)
	}
}

// scanTable is every item of a test's own customers table, as text.
func scanTable(t *testing.T, s *customer.Store) string {
	t.Helper()
	out, err := s.DB.(*dynamodb.Client).Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(s.Table)})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, it := range out.Items {
		for k, v := range it {
			b.WriteString(k + "=" + attrText(v) + " ")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// tamperLookup points a link's lookup at another customer, as a role that writes the
// table could; it tells whether there was one to alter.
func tamperLookup(t *testing.T, s *customer.Store, cid string) bool {
	t.Helper()
	out, err := s.DB.(*dynamodb.Client).Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(s.Table)})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.Items {
		if sk := attrText(it["sk"]); sk != "UNSUB" || !strings.HasPrefix(attrText(it["pk"]), "UNSUB#") {
			continue
		}
		if attrText(it["channel"]) != "email" {
			continue
		}
		it["customerId"] = &types.AttributeValueMemberS{Value: cid}
		if _, err := s.DB.(*dynamodb.Client).PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(s.Table), Item: it}); err != nil {
			t.Fatal(err)
		}
		return true
	}
	return false
}

func attrText(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	case *types.AttributeValueMemberB:
		return base64.StdEncoding.EncodeToString(v.Value)
	}
	return fmt.Sprint(v)
}
