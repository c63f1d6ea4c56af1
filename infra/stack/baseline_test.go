package stack

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/shared/wiring"
)

func TestProdTerminationProtectionAndTags(t *testing.T) {
	for _, stage := range []string{"dev", "prod"} {
		t.Run(stage, func(t *testing.T) {
			// GIVEN a synthesized stage
			s := synthCached(t, stage, stageProps(stage))

			// THEN only prod is protected from deletion
			if got := *s.stack.TerminationProtection(); got != (stage == "prod") {
				t.Errorf("termination protection %v", got)
			}
			// AND its tables carry the app and stage tags
			s.template.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]any{
				"Tags": assertions.Match_ArrayWith(&[]any{
					map[string]any{"Key": "app", "Value": "rapport"},
					map[string]any{"Key": "stage", "Value": stage},
				}),
			})
		})
	}
}

func TestBackup(t *testing.T) {
	// GIVEN prod, with a copy vault in another region
	p := prodProps()
	p.BackupCopyVaultArn = "arn:aws:backup:eu-central-1:111122223333:backup-vault:rapport-copy"
	s := synth(t, p, nil)
	vault := s.logicalID(t, backupVaultID)
	dataKey := s.logicalID(t, dataKeyID)

	// THEN a retained vault, encrypted with the stack's data key, holds daily recovery
	// points kept 35 days, each copied to the other vault
	if r := s.resource(t, vault, "AWS::Backup::BackupVault"); r.DeletionPolicy != "Retain" ||
		jsonString(r.Properties["EncryptionKeyArn"]) != jsonString(getAtt(dataKey, "Arn")) {
		t.Errorf("vault %s, want it retained and encrypted with %s", jsonString(r), dataKey)
	}
	// AND no key but the data key and the signing keys: the vault has none of its own
	for id, r := range s.ofType("AWS::KMS::Key") {
		if id != dataKey && r.Properties["KeySpec"] != "HMAC_256" {
			t.Errorf("a key besides the data key and the HMAC keys: %s %s", id, jsonString(r.Properties))
		}
	}
	s.template.HasResourceProperties(jsii.String("AWS::Backup::BackupPlan"), map[string]any{
		"BackupPlan": map[string]any{"BackupPlanRule": []any{assertions.Match_ObjectLike(&map[string]any{
			"ScheduleExpression": "cron(0 3 * * ? *)",
			"Lifecycle":          map[string]any{"DeleteAfterDays": float64(backupKeepDays)},
			"TargetBackupVault":  getAtt(vault, "BackupVaultName"),
			"CopyActions": []any{map[string]any{
				"DestinationBackupVaultArn": p.BackupCopyVaultArn,
				"Lifecycle":                 map[string]any{"DeleteAfterDays": float64(backupCopyKeepDays)},
			}},
		})}},
	})
	// AND the selection names every table
	sel := s.ofType("AWS::Backup::BackupSelection")
	if len(sel) != 1 {
		t.Fatalf("%d backup selections", len(sel))
	}
	for _, r := range sel {
		res := jsonString(r.Properties["BackupSelection"].(map[string]any)["Resources"])
		for _, tbl := range wiring.Tables {
			if want := jsonString(getAtt(s.logicalID(t, tableID(tbl.Name)), "Arn")); !strings.Contains(res, want) {
				t.Errorf("backup selection %s misses table %s", res, tbl.Name)
			}
		}
	}

	// AND dev has no backup unless asked, and its data key goes with the stack
	dev := synthCached(t, "dev", devProps())
	if n := len(dev.ofType("AWS::Backup::BackupPlan")); n != 0 {
		t.Errorf("dev has %d backup plans", n)
	}
	if r := dev.resource(t, dev.logicalID(t, dataKeyID), "AWS::KMS::Key"); r.DeletionPolicy != "Delete" {
		t.Errorf("dev's data key without backups: deletion policy %q, want Delete", r.DeletionPolicy)
	}
	// AND a dev stage that backs up keeps the data key when it is deleted: the recovery
	// points it encrypts outlive the stack
	withBackup := devProps()
	withBackup.Backup = true
	withBackup.TableEncryption = tableEncryptionAWSOwned
	b := synth(t, withBackup, nil)
	if r := b.resource(t, b.logicalID(t, dataKeyID), "AWS::KMS::Key"); r.DeletionPolicy != "Retain" {
		t.Errorf("dev's data key with backups: deletion policy %q, want Retain", r.DeletionPolicy)
	}
}

func TestAdoptRestoredTable(t *testing.T) {
	// GIVEN prod adopting a point-in-time restore of the customers table
	p := prodProps()
	p.TableNames = map[string]string{"customers": "rapport-prod-customers-restored"}
	s := synth(t, p, nil)

	// THEN the stack makes the other tables only
	if n := len(s.ofType("AWS::DynamoDB::Table")); n != len(wiring.Tables)-1 {
		t.Errorf("%d tables, want %d", n, len(wiring.Tables)-1)
	}
	// AND hands the restored table's name to the functions, grants on it (and its
	// indexes), backs it up and alarms on it
	for _, part := range []string{
		`"CUSTOMERS_TABLE":"rapport-prod-customers-restored"`,
		`:table/rapport-prod-customers-restored"`,
		`:table/rapport-prod-customers-restored/index/*"`,
		`"Value":"rapport-prod-customers-restored"`,
	} {
		if !strings.Contains(s.raw, part) {
			t.Errorf("template lacks %s", part)
		}
	}
	sel := jsonString(s.ofType("AWS::Backup::BackupSelection"))
	if !strings.Contains(sel, "table/rapport-prod-customers-restored") {
		t.Errorf("backup selection %s misses the restored table", sel)
	}
	// AND cdk-nag has nothing to say
	if findings := nagErrors(s.stack); len(findings) > 0 {
		t.Errorf("cdk-nag: %s", strings.Join(findings, "\n"))
	}
	// AND an unknown wiring table is refused
	p.TableNames = map[string]string{"guests": "x"}
	if err := p.withDefaults().Validate(); err == nil || !strings.Contains(err.Error(), "tableNames guests") {
		t.Errorf("Validate() = %v", err)
	}
}

// TestNagServerlessWarnings: the Serverless pack's warnings (not errors, which
// TestNagAwsSolutions covers) are each answered too.
func TestNagServerlessWarnings(t *testing.T) {
	for _, stage := range []string{"dev", "prod"} {
		s := synthCached(t, stage, stageProps(stage))
		for _, m := range *assertions.Annotations_FromStack(s.stack).FindWarning(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String("^(Serverless|AwsSolutions)-.*"))) {
			t.Errorf("%s: %s: %v", stage, *m.Id, m.Entry.Data)
		}
	}
}
