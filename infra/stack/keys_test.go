package stack

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// rotatingProps is the dev stack in the middle of an unsubscribe key rotation: version
// 2 signs, version 1 still verifies.
func rotatingProps() StackProps {
	keys := make([]wiring.SigningKey, len(wiring.SigningKeys))
	copy(keys, wiring.SigningKeys)
	for i := range keys {
		if keys[i].Name == "unsubscribe" {
			keys[i].Versions = []int{2, 1}
		}
	}
	return StackProps{Stage: "dev", SigningKeys: keys}
}

// expectedKeyRef is what a variable naming a key holds, with resources named as
// resourceNames names them: "2=mac:unsubscribe@2,1=mac:unsubscribe@1", "secret:webhook".
func expectedKeyRef(name string, keys []wiring.SigningKey) string {
	for _, k := range keys {
		if k.Name != name {
			continue
		}
		if k.Kind == wiring.SecretKey {
			return "secret:" + name
		}
		var parts []string
		for _, v := range k.Versions {
			parts = append(parts, fmt.Sprintf("%d=mac:%s@%d", v, name, v))
		}
		return strings.Join(parts, ",")
	}
	return "no key " + name
}

// renderRefs writes a template value out as text, each reference to a key or secret
// by its wiring name: joins are joined, GetAtt Arn and Ref are named.
func renderRefs(t *testing.T, s *synthesized, v any) string {
	t.Helper()
	names := resourceNames(t, s)
	return renderJoined(v, func(v any) string {
		if m, ok := v.(map[string]any); ok {
			if ga, ok := m["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" {
				if n, ok := names[ga[0].(string)]; ok {
					return n
				}
			}
			if r, ok := m["Ref"].(string); ok {
				if n, ok := names[r]; ok {
					return n
				}
			}
		}
		return fmt.Sprintf("unrecognised(%s)", jsonString(v))
	})
}

// renderJoined writes a template value out as text: a string as it is, an Fn::Join
// joined, and any other part (a reference) as leaf writes it.
func renderJoined(v any, leaf func(any) string) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			var parts []string
			for _, p := range join[1].([]any) {
				parts = append(parts, renderJoined(p, leaf))
			}
			return strings.Join(parts, join[0].(string))
		}
	}
	return leaf(v)
}

func TestKeysLiveOutsideTheTables(t *testing.T) {
	// GIVEN the stack synthesized from the wiring table
	s := synthCached(t, "dev", devProps())

	// THEN each MAC key's version is a KMS HMAC key, which GenerateMac and VerifyMac use
	macs := 0
	for _, k := range wiring.SigningKeys {
		macs += len(k.Versions)
	}
	s.template.ResourcePropertiesCountIs(jsii.String("AWS::KMS::Key"), map[string]any{
		"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC",
	}, jsii.Number(macs))
	for _, k := range wiring.SigningKeys {
		for _, v := range k.Versions {
			key := s.resource(t, s.logicalID(t, macKeyID(k.Name, v)), "AWS::KMS::Key")
			if key.Properties["EnableKeyRotation"] == true {
				t.Errorf("%s@%d asks KMS to rotate an HMAC key, which it refuses", k.Name, v)
			}
		}
	}

	// AND each secret key is a generated Secrets Manager secret: 64 hex digits
	s.template.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), map[string]any{
		"GenerateSecretString": map[string]any{
			"PasswordLength": 64, "ExcludeUppercase": true, "ExcludePunctuation": true, "IncludeSpace": false,
			"ExcludeCharacters": "ghijklmnopqrstuvwxyz",
		},
	})
	secrets := 0
	for _, k := range wiring.SigningKeys {
		if k.Kind == wiring.SecretKey {
			secrets++
		}
	}
	s.template.ResourceCountIs(jsii.String("AWS::SecretsManager::Secret"), jsii.Number(secrets))

	// AND nothing but the rows listing a key can use it (TestDriftGrants holds each row
	// to its grants): at most twelve rows touch a key at all
	users := map[string]bool{}
	for _, row := range wiring.Functions {
		for pair := range grantedPairs(t, s, row.Name) {
			if strings.HasPrefix(pair, "mac:") || strings.HasPrefix(pair, "secret:") {
				users[row.Name] = true
			}
		}
	}
	want := map[string]bool{}
	for _, row := range wiring.Functions {
		if len(row.Keys) > 0 {
			want[row.Name] = true
		}
	}
	if missing, extra := setDiff(want, users); len(missing)+len(extra) > 0 || len(users) > 12 {
		t.Errorf("key users %v: missing %v, extra %v", users, missing, extra)
	}

	// AND the secret's missing rotation schedule is accepted for a stated reason
	s.template.HasResource(jsii.String("AWS::SecretsManager::Secret"), map[string]any{
		"Metadata": map[string]any{"cdk_nag": map[string]any{"rules_to_suppress": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"id": "AwsSolutions-SMG4", "reason": assertions.Match_StringLikeRegexp(jsii.String("rotated by hand"))}),
		})}},
	})
}

func TestKeysDuringARotation(t *testing.T) {
	// GIVEN a stack whose unsubscribe key is being rotated (versions 2 then 1)
	s := synthCached(t, "rotating", rotatingProps())

	// THEN both versions exist
	for _, v := range []int{1, 2} {
		s.resource(t, s.logicalID(t, macKeyID("unsubscribe", v)), "AWS::KMS::Key")
	}

	// AND the signer and the verifier are told both, the current first
	keys := rotatingProps().SigningKeys
	for _, fn := range []string{"followup-sender", "customers-public"} {
		env := s.resource(t, s.logicalID(t, functionID(fn)), "AWS::Lambda::Function").Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
		if got, want := renderRefs(t, s, env["UNSUBSCRIBE_KEY"]), expectedKeyRef("unsubscribe", keys); got != want || want != "2=mac:unsubscribe@2,1=mac:unsubscribe@1" {
			t.Errorf("%s: UNSUBSCRIBE_KEY = %s, want %s", fn, got, want)
		}
	}

	// AND only version 2 signs, both verify
	sender, public := grantedPairs(t, s, "followup-sender"), grantedPairs(t, s, "customers-public")
	if !sender["mac:unsubscribe@2 kms:GenerateMac"] || sender["mac:unsubscribe@1 kms:GenerateMac"] {
		t.Errorf("the sender's grants: %v", sender)
	}
	if !public["mac:unsubscribe@1 kms:VerifyMac"] || !public["mac:unsubscribe@2 kms:VerifyMac"] {
		t.Errorf("the verifier's grants: %v", public)
	}
}

func TestValidateKeys(t *testing.T) {
	bad := func(mutate func(*StackProps)) error {
		p := StackProps{Stage: "dev", SigningKeys: append([]wiring.SigningKey{}, wiring.SigningKeys...)}
		p = p.withDefaults()
		p.Functions = append([]wiring.Function{}, p.Functions...)
		mutate(&p)
		return p.Validate()
	}
	for name, c := range map[string]struct {
		mutate func(*StackProps)
		want   string
	}{
		"a MAC key without versions": {func(p *StackProps) { p.SigningKeys[0].Versions = nil }, "needs a current version"},
		"a version twice":            {func(p *StackProps) { p.SigningKeys[0].Versions = []int{1, 1} }, "distinct numbers"},
		"an unknown key": {func(p *StackProps) {
			p.Functions[0].Keys = map[string]wiring.Access{"nope": wiring.Sign}
		}, `signing key "nope" is not in the keys list`},
		"reading a MAC key": {func(p *StackProps) {
			p.Functions[0].Keys = map[string]wiring.Access{"unsubscribe": wiring.Read}
		}, "is not sign or verify"},
		"signing with a secret": {func(p *StackProps) {
			p.Functions[0].Keys = map[string]wiring.Access{"webhook": wiring.Sign}
		}, "is not read"},
		"a variable without the grant": {func(p *StackProps) {
			p.Functions[0].Env = append(append([]wiring.EnvVar{}, p.Functions[0].Env...), wiring.EnvVar{Name: "K", Key: "webhook"})
		}, "without access to it"},
	} {
		t.Run(name, func(t *testing.T) {
			if err := bad(c.mutate); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one saying %q", err, c.want)
			}
		})
	}
}

// With tableEncryption=aws-owned the tables use DynamoDB's own key and no role gets a
// kms action on a table key; the data key stays only where a topic needs it: in prod
// (SES's bounces and complaints, the alarm topic with it), not in dev, whose alarm topic
// goes unencrypted with its reason recorded for cdk-nag.
func TestAWSOwnedTableEncryption(t *testing.T) {
	for _, tt := range []struct {
		name    string
		props   StackProps
		dataKey bool
	}{{"dev", devProps(), false}, {"prod", prodProps(), true}} {
		t.Run(tt.name, func(t *testing.T) {
			// GIVEN the stage with AWS-owned table keys
			p := tt.props
			p.TableEncryption = tableEncryptionAWSOwned
			s := synth(t, p, nil)

			// THEN no table names a key of the stack's
			for id, tbl := range s.ofType("AWS::DynamoDB::Table") {
				if sse := tbl.Properties["SSESpecification"]; sse != nil && strings.Contains(jsonString(sse), "KMSMasterKeyId") {
					t.Errorf("table %s: SSE %s, want DynamoDB's own key", id, jsonString(sse))
				}
			}
			// AND no role may use a KMS key but the HMAC keys
			hmac := map[string]bool{}
			for _, k := range wiring.SigningKeys {
				for _, v := range k.Versions {
					hmac[s.logicalID(t, macKeyID(k.Name, v))] = true
				}
			}
			for id, pol := range s.ofType("AWS::IAM::Policy") {
				for _, st := range list(pol.Properties["PolicyDocument"].(map[string]any)["Statement"]) {
					st := st.(map[string]any)
					for _, a := range list(st["Action"]) {
						if !strings.HasPrefix(a.(string), "kms:") || strings.HasSuffix(a.(string), "Mac") {
							continue
						}
						t.Errorf("policy %s grants %s on %s", id, a, jsonString(st["Resource"]))
					}
				}
			}
			// AND the data key exists only where a topic needs it, and encrypts the alarm topic then
			key := s.stack.Node().TryFindChild(jsii.String(dataKeyID)) != nil
			topic := s.resource(t, s.logicalID(t, "AlarmTopic"), "AWS::SNS::Topic").Properties
			if key != tt.dataKey || (topic["KmsMasterKeyId"] != nil) != tt.dataKey {
				t.Errorf("data key %v, alarm topic key %v; want %v", key, jsonString(topic["KmsMasterKeyId"]), tt.dataKey)
			}
			// AND cdk-nag has nothing left to say
			if findings := nagErrors(s.stack); len(findings) > 0 {
				t.Errorf("%d cdk-nag errors:\n%s", len(findings), strings.Join(findings, "\n"))
			}
		})
	}
	// AND a value other than customer or aws-owned is refused, naming both
	p := devProps()
	p.TableEncryption = "aws-managed"
	if err := p.withDefaults().Validate(); err == nil || !strings.Contains(err.Error(), `tableEncryption "aws-managed"`) ||
		!strings.Contains(err.Error(), "aws-owned") {
		t.Errorf("Validate() = %v; want tableEncryption refused", err)
	}
}
