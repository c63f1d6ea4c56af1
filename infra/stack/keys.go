package stack

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// Table encryption (StackProps.TableEncryption, CDK context tableEncryption).
const (
	tableEncryptionCustomer = "customer"
	tableEncryptionAWSOwned = "aws-owned"
)

// dataKeyID is the construct id of the stack's one customer-managed key.
const dataKeyID = "DataKey"

// dataKey is the stack's one customer-managed KMS key, made on first use: it encrypts
// the five tables (unless tableEncryption=aws-owned) and the stack's SNS topics (the
// alarm topic, SES's bounces and complaints), whose publishers the key policy names
// under their own source conditions, and the backup vault's recovery points. One key
// for all: $1 a month instead of one per table, topic and vault, and every role that
// touches a table gets its kms actions on this key, the table grants themselves keeping
// each role to its own tables. It rotates yearly. The signing keys (HMAC, never leaving
// KMS) stay keys of their own.
func (b *builder) dataKey() awskms.Key {
	if b.key == nil {
		b.key = awskms.NewKey(b.stack, jsii.String(dataKeyID), &awskms.KeyProps{
			Description:       jsii.String("Encrypts Rapport " + b.stage.name + "'s tables, SNS topics and backups at rest"),
			EnableKeyRotation: jsii.Bool(true),
			RemovalPolicy:     b.dataKeyRemoval(),
		})
	}
	return b.key
}

// dataKeyRemoval is the stage's removal policy for the data key, but retained wherever
// the tables are backed up: the recovery points outlive the stack, and without their
// key they could not be restored.
func (b *builder) dataKeyRemoval() awscdk.RemovalPolicy {
	if b.backsUp() {
		return awscdk.RemovalPolicy_RETAIN
	}
	return b.stage.removal
}

// tableKey is the key the tables are encrypted with: the data key, or nil for
// DynamoDB's AWS-owned key (tableEncryption=aws-owned).
func (b *builder) tableKey() awskms.Key {
	if b.props.TableEncryption == tableEncryptionAWSOwned {
		return nil
	}
	return b.dataKey()
}

// The signing keys, kept out of the tables (a dozen roles read the customers table and
// every backup holds it) where only the functions whose rows list them can use them.

// IAM actions per key access: exactly these, on that key or secret only.
var (
	macSignActions    = []string{"kms:GenerateMac"}
	macVerifyActions  = []string{"kms:VerifyMac"}
	secretReadActions = []string{"secretsmanager:GetSecretValue"}
)

// signingKey is a wiring signing key with the resources made for it.
type signingKey struct {
	def wiring.SigningKey
	// macs are a MAC key's KMS HMAC keys, one per kept version, the current first.
	macs []macVersion
	// secret is a secret key's Secrets Manager secret.
	secret awssecretsmanager.Secret
}

type macVersion struct {
	version int
	key     awskms.Key
}

// buildKeys creates a KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC) per kept version of
// each MAC key, and a Secrets Manager secret per secret key.
func (b *builder) buildKeys() {
	b.keys = map[string]*signingKey{}
	for _, def := range b.props.SigningKeys {
		k := &signingKey{def: def}
		switch def.Kind {
		case wiring.MACKey:
			for _, v := range def.Versions {
				id := macKeyID(def.Name, v)
				key := awskms.NewKey(b.stack, jsii.String(id), &awskms.KeyProps{
					Description: jsii.String(fmt.Sprintf("%s, version %d: an HMAC key, used through GenerateMac and VerifyMac, "+
						"never leaving KMS; HMAC keys do not rotate by themselves (README, Signing keys)", def.Description, v)),
					KeySpec:       awskms.KeySpec_HMAC_256,
					KeyUsage:      awskms.KeyUsage_GENERATE_VERIFY_MAC,
					RemovalPolicy: b.stage.removal,
				})
				b.output(id+"Arn", key.KeyArn(), fmt.Sprintf("KMS HMAC key %s, version %d", def.Name, v))
				k.macs = append(k.macs, macVersion{version: v, key: key})
			}
		case wiring.SecretKey:
			id := secretID(def.Name)
			// 64 lowercase hex digits: a 256-bit key that survives copying and pasting,
			// in the form a rotation puts (openssl rand -hex 32).
			k.secret = awssecretsmanager.NewSecret(b.stack, jsii.String(id), &awssecretsmanager.SecretProps{
				Description: jsii.String(def.Description + "; rotated by putting a new value (README, Signing keys)"),
				GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
					PasswordLength:     jsii.Number(64),
					ExcludeUppercase:   jsii.Bool(true),
					ExcludePunctuation: jsii.Bool(true),
					IncludeSpace:       jsii.Bool(false),
					ExcludeCharacters:  jsii.String("ghijklmnopqrstuvwxyz"),
				},
				RemovalPolicy: b.stage.removal,
			})
			b.output(id+"Arn", k.secret.SecretArn(), "Secrets Manager secret "+def.Name)
		}
		b.keys[def.Name] = k
	}
}

// envValue is what a function's variable naming the key holds: for a MAC key
// "<version>=<key ARN>" per kept version, current first (shared/keyring reads it); for
// a secret key the secret's ARN.
func (k *signingKey) envValue() *string {
	if k.secret != nil {
		return k.secret.SecretArn()
	}
	var parts []*string
	for i, m := range k.macs {
		sep := ""
		if i > 0 {
			sep = ","
		}
		parts = append(parts, jsii.String(sep+strconv.Itoa(m.version)+"="), m.key.KeyArn())
	}
	return awscdk.Fn_Join(jsii.String(""), &parts)
}

// grantKeys gives a role what its row lists: GenerateMac on a MAC key's current version
// (sign), VerifyMac on every kept version (verify), GetSecretValue on a secret (read).
func (b *builder) grantKeys(lf *lambdaFunction) {
	for _, name := range sortedKeys(lf.row.Keys) {
		k := b.keys[name]
		switch lf.row.Keys[name] {
		case wiring.Sign:
			lf.role.AddToPrincipalPolicy(allow(macSignActions, k.macs[0].key.KeyArn()))
		case wiring.Verify:
			var arns []*string
			for _, m := range k.macs {
				arns = append(arns, m.key.KeyArn())
			}
			lf.role.AddToPrincipalPolicy(allow(macVerifyActions, arns...))
		case wiring.Read:
			lf.role.AddToPrincipalPolicy(allow(secretReadActions, k.secret.SecretArn()))
		}
	}
}

// suppressKeyFindings records why a secret without a rotation schedule is accepted.
func (b *builder) suppressKeyFindings() {
	for _, name := range sortedKeys(b.keys) {
		if k := b.keys[name]; k.secret != nil {
			suppress(k.secret, "AwsSolutions-SMG4",
				"the "+name+" secret is shared with receivers outside AWS, which an admin must give the new value: "+
					"it is rotated by hand (put-secret-value, README), after which the sender signs with AWSCURRENT and "+
					"AWSPREVIOUS for 7 days so receivers switch without a gap; a scheduled rotation Lambda cannot reach them")
		}
	}
}

// validateKeys checks the signing keys and each row's use of them.
func validateKeys(p StackProps) []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	keys := map[string]wiring.SigningKey{}
	ids := map[string]bool{}
	for _, k := range p.SigningKeys {
		if ids[pascal(k.Name)] {
			add("signing key %q: name used twice", k.Name)
		}
		ids[pascal(k.Name)] = true
		keys[k.Name] = k
		switch k.Kind {
		case wiring.MACKey:
			seen := map[int]bool{}
			for _, v := range k.Versions {
				if v < 1 || seen[v] {
					add("signing key %s: versions %v, want distinct numbers from 1", k.Name, k.Versions)
					break
				}
				seen[v] = true
			}
			if len(k.Versions) == 0 {
				add("signing key %s: a MAC key needs a current version", k.Name)
			}
		case wiring.SecretKey:
			if len(k.Versions) > 0 {
				add("signing key %s: a secret rotates inside Secrets Manager, without versions here", k.Name)
			}
		default:
			add("signing key %s: kind %q is not mac or secret", k.Name, k.Kind)
		}
	}
	for _, f := range p.Functions {
		for name, access := range f.Keys {
			k, ok := keys[name]
			switch {
			case !ok:
				add("function %s: signing key %q is not in the keys list", f.Name, name)
			case k.Kind == wiring.MACKey && access != wiring.Sign && access != wiring.Verify:
				add("function %s: MAC key %q: access %q is not sign or verify", f.Name, name, access)
			case k.Kind == wiring.SecretKey && access != wiring.Read:
				add("function %s: secret key %q: access %q is not read", f.Name, name, access)
			}
		}
		for _, e := range f.Env {
			if e.Key != "" && f.Keys[e.Key] == "" {
				add("function %s: env %s names signing key %q without access to it", f.Name, e.Name, e.Key)
			}
		}
	}
	return errs
}
