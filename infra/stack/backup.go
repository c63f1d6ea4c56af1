package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/jsii-runtime-go"
)

// Backup retention: point-in-time recovery covers the last 35 days to the second;
// AWS Backup keeps daily recovery points longer, in a vault of their own (and, by
// configuration, a copy in another region or account).
const (
	backupKeepDays     = 35
	backupCopyKeepDays = 90
)

// backupVaultID is the construct id of the tables' backup vault.
const backupVaultID = "TableBackupVault"

// backsUp tells whether the stack backs its tables up with AWS Backup.
func (b *builder) backsUp() bool { return b.stage.backup || b.props.Backup }

// buildBackup backs every table up daily into the stack's vault (prod, or any stage
// with Backup set), copying each recovery point to BackupCopyVaultArn when given.
func (b *builder) buildBackup() {
	if !b.backsUp() {
		return
	}
	// The vault's recovery points are encrypted with the stack's data key, retained
	// with them (dataKeyRemoval), rather than with a key of their own: $1 a month less,
	// $3 from the key's third year. Its construct id is not the one of the releases
	// whose vault had its own key ("BackupVault"): a vault's key cannot change in place,
	// and a replacement under the same generated name would fail, so the old vault
	// leaves the stack, retained with its key and its recovery points (README, Backups
	// and restore).
	vault := awsbackup.NewBackupVault(b.stack, jsii.String(backupVaultID), &awsbackup.BackupVaultProps{
		EncryptionKey: b.dataKey(),
		// Recovery points outlive the stack: deleting it must not delete the backups.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	rule := &awsbackup.BackupPlanRuleProps{
		RuleName:           jsii.String("DailyTables"),
		BackupVault:        vault,
		ScheduleExpression: awsevents.Schedule_Cron(&awsevents.CronOptions{Hour: jsii.String("3"), Minute: jsii.String("0")}),
		DeleteAfter:        awscdk.Duration_Days(jsii.Number(backupKeepDays)),
	}
	if arn := b.props.BackupCopyVaultArn; arn != "" {
		rule.CopyActions = &[]*awsbackup.BackupPlanCopyActionProps{{
			DestinationBackupVault: awsbackup.BackupVault_FromBackupVaultArn(b.stack, jsii.String("BackupCopyVault"), jsii.String(arn)),
			DeleteAfter:            awscdk.Duration_Days(jsii.Number(backupCopyKeepDays)),
		}}
	}
	plan := awsbackup.NewBackupPlan(b.stack, jsii.String("BackupPlan"), &awsbackup.BackupPlanProps{
		BackupPlanRules: &[]awsbackup.BackupPlanRule{awsbackup.NewBackupPlanRule(rule)},
	})
	var resources []awsbackup.BackupResource
	for _, name := range sortedKeys(b.tables) {
		resources = append(resources, awsbackup.BackupResource_FromDynamoDbTable(b.tables[name].table))
	}
	b.backupSelection = plan.AddSelection(jsii.String("Tables"), &awsbackup.BackupSelectionOptions{
		Resources:     &resources,
		AllowRestores: jsii.Bool(true),
	})
	b.output("BackupVaultName", vault.BackupVaultName(), "AWS Backup vault of the tables' daily recovery points")
}
