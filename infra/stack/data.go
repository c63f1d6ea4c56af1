package stack

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/rapport-crm/rapport/infra/indexplan"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// dataTable is a wiring table with the resources made for it.
type dataTable struct {
	def   wiring.Table
	table awsdynamodb.ITable
	// key is the stack's data key, which encrypts the table; nil for an AWS-owned key.
	key awskms.Key
	// adopted is the name of a table made outside the stack (a point-in-time restore)
	// that the stack uses instead of its own, by the tableNames setting; "" for its own.
	adopted string
}

// dataQueue is a wiring queue with its dead-letter queue (shared with the queues whose
// DLQName is the same).
type dataQueue struct {
	def   wiring.Queue
	queue awssqs.Queue
	dlq   awssqs.Queue
}

// buildData creates a table per wiring table and a queue (plus DLQ) per wiring queue.
func (b *builder) buildData() {
	b.tables = map[string]*dataTable{}
	for _, t := range b.props.Tables {
		b.tables[t.Name] = b.newTable(t)
	}
	b.queues, b.dlqs = map[string]*dataQueue{}, map[string]awssqs.Queue{}
	for _, q := range b.props.Queues {
		b.queues[q.Name] = b.newQueue(q)
	}
}

func (b *builder) newTable(def wiring.Table) *dataTable {
	key := b.tableKey()
	if name := b.props.TableNames[def.Name]; name != "" {
		return b.adoptTable(def, key, name)
	}
	props := &awsdynamodb.TableProps{
		PartitionKey: attribute(def.PartitionKey),
		SortKey:      optionalAttribute(def.SortKey),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:         awsdynamodb.TableEncryption_DEFAULT,
		DeletionProtection: jsii.Bool(b.stage.deletionProtection),
		RemovalPolicy:      b.stage.removal,
	}
	if key != nil {
		props.Encryption, props.EncryptionKey = awsdynamodb.TableEncryption_CUSTOMER_MANAGED, key
	}
	if def.TTLAttribute != "" {
		props.TimeToLiveAttribute = jsii.String(def.TTLAttribute)
	}
	table := awsdynamodb.NewTable(b.stack, jsii.String(tableID(def.Name)), props)
	indexes, exists := b.props.DeployedIndexes[def.Name]
	// Validate has planned every table already; an error here cannot happen.
	step, err := indexplan.Next(def, indexes, exists)
	if err != nil {
		panic(err)
	}
	for _, idx := range step.Indexes {
		table.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:        jsii.String(idx.Name),
			PartitionKey:     attribute(idx.PartitionKey),
			SortKey:          optionalAttribute(idx.SortKey),
			ProjectionType:   projectionTypes[idx.Projection.ProjectionType()],
			NonKeyAttributes: nonKey(idx.Projection),
		})
	}
	b.output(indexplan.OutputKey(def.Name), table.TableName(), "DynamoDB table "+def.Name)
	return &dataTable{def: def, table: table, key: key}
}

// keyTypes maps the wiring's DynamoDB type letters to CDK's enum names.
var keyTypes = map[wiring.KeyType]awsdynamodb.AttributeType{
	wiring.String: awsdynamodb.AttributeType_STRING,
	wiring.Number: awsdynamodb.AttributeType_NUMBER,
}

// projectionTypes maps the wiring's projection types to CDK's enum names.
var projectionTypes = map[wiring.ProjectionType]awsdynamodb.ProjectionType{
	wiring.ProjectAll:      awsdynamodb.ProjectionType_ALL,
	wiring.ProjectKeysOnly: awsdynamodb.ProjectionType_KEYS_ONLY,
	wiring.ProjectInclude:  awsdynamodb.ProjectionType_INCLUDE,
}

// nonKey is an INCLUDE projection's listed attributes; nil for the others, which
// may not list any.
func nonKey(p wiring.Projection) *[]*string {
	if len(p.NonKey) == 0 {
		return nil
	}
	return jsii.Strings(p.NonKey...)
}

func attribute(k wiring.Key) *awsdynamodb.Attribute {
	return &awsdynamodb.Attribute{Name: jsii.String(k.Name), Type: keyTypes[k.Type]}
}

func optionalAttribute(k *wiring.Key) *awsdynamodb.Attribute {
	if k == nil {
		return nil
	}
	return attribute(*k)
}

func (b *builder) newQueue(def wiring.Queue) *dataQueue {
	// SQS-managed encryption: encrypted at rest without a key that every sender and the
	// event source mapping would also need kms grants on.
	queueProps := &awssqs.QueueProps{
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(float64(def.VisibilityTimeoutSeconds))),
		RetentionPeriod:   awscdk.Duration_Days(jsii.Number(4)),
	}
	if def.FIFO {
		fifo(queueProps)
	}
	dlq := b.deadLetterQueue(def)
	queueProps.DeadLetterQueue = &awssqs.DeadLetterQueue{
		Queue:           dlq,
		MaxReceiveCount: jsii.Number(float64(def.MaxReceiveCount)),
	}
	queue := awssqs.NewQueue(b.stack, jsii.String(queueID(def.Name)), queueProps)
	b.output(queueID(def.Name)+"Url", queue.QueueUrl(), "SQS queue "+def.Name)
	return &dataQueue{def: def, queue: queue, dlq: dlq}
}

// deadLetterQueue is def's DLQ, made by the first queue that names it: queues that
// share one (Validate holds them to one FIFO setting and retention) get the same.
func (b *builder) deadLetterQueue(def wiring.Queue) awssqs.Queue {
	name := def.DLQName()
	if dlq, ok := b.dlqs[name]; ok {
		return dlq
	}
	props := &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(float64(def.DLQRetentionDays))),
	}
	if def.FIFO {
		// A FIFO queue's DLQ must be FIFO too.
		fifo(props)
	}
	dlq := awssqs.NewQueue(b.stack, jsii.String(dlqID(name)), props)
	b.output(dlqID(name)+"Url", dlq.QueueUrl(), "SQS dead-letter queue "+name)
	b.dlqs[name] = dlq
	return dlq
}

// fifo makes a queue FIFO in high-throughput mode: every message is a group of its own
// (its sender sets the group and the deduplication id to the follow-up's id), so
// deduplication and the throughput quota go per group, and no message waits behind
// another. Content-based deduplication stays off: two messages with one body are two
// messages unless their ids say otherwise. The template names no queue: CloudFormation
// then names a FIFO queue with the ".fifo" suffix SQS requires (CDK only checks a name
// that is given), well within SQS's 80 characters for a stack named Rapport-<stage>.
func fifo(props *awssqs.QueueProps) {
	props.Fifo = jsii.Bool(true)
	props.ContentBasedDeduplication = jsii.Bool(false)
	props.DeduplicationScope = awssqs.DeduplicationScope_MESSAGE_GROUP
	props.FifoThroughputLimit = awssqs.FifoThroughputLimit_PER_MESSAGE_GROUP_ID
}

// output adds a stack output; ids are unique because they derive from unique names.
func (b *builder) output(id string, value *string, description string) {
	awscdk.NewCfnOutput(b.stack, jsii.String(id), &awscdk.CfnOutputProps{
		Value:       value,
		Description: jsii.String(description),
	})
}

// adoptTable uses a table made outside the stack (README "Restoring a table"): a
// point-in-time restore of def, encrypted with the stack's data key (or, with
// tableEncryption=aws-owned, DynamoDB's own key). The stack
// grants, alarms, backs up and hands out that table instead of its own, which, retained,
// stays in the account untouched. What CloudFormation set on its own table (PITR, TTL,
// deletion protection, tags) is set on the restored one by the runbook's commands.
func (b *builder) adoptTable(def wiring.Table, key awskms.Key, name string) *dataTable {
	var indexes []*string
	for _, idx := range def.Indexes {
		indexes = append(indexes, jsii.String(idx.Name))
	}
	table := awsdynamodb.Table_FromTableAttributes(b.stack, jsii.String(tableID(def.Name)), &awsdynamodb.TableAttributes{
		TableName:     jsii.String(name),
		EncryptionKey: key,
		GlobalIndexes: &indexes,
	})
	b.output(indexplan.OutputKey(def.Name), table.TableName(), "DynamoDB table "+def.Name+" "+indexplan.AdoptedNote)
	return &dataTable{def: def, table: table, key: key, adopted: name}
}
