package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
)

// Backup retention: point-in-time recovery covers the last 35 days to the second;
// AWS Backup keeps daily recovery points longer, in a vault of their own (and, by
// configuration, a copy in another region or account).
const (
	backupKeepDays     = 35
	backupCopyKeepDays = 90
)

// buildBackup backs every table up daily into the stack's vault (prod, or any stage
// with Backup set), copying each recovery point to BackupCopyVaultArn when given.
func (b *builder) buildBackup() {
	if !b.stage.backup && !b.props.Backup {
		return
	}
	key := awskms.NewKey(b.stack, jsii.String("BackupVaultKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the recovery points in the table backup vault"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	vault := awsbackup.NewBackupVault(b.stack, jsii.String("BackupVault"), &awsbackup.BackupVaultProps{
		EncryptionKey: key,
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
