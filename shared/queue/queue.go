// Package queue creates SQS queues from the wiring table's definitions, each with its
// dead-letter queue and redrive policy. Local and test use only: the stack does it in AWS.
package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// URLs maps wiring queue names and their DLQs' names to queue URLs.
type URLs map[string]string

// Create makes each DLQ (once, however many queues share it) and each queue with its
// redrive policy to it, idempotently (CreateQueue with the same attributes returns the
// existing queue), and returns their URLs.
func Create(ctx context.Context, c *sqs.Client, names func(string) string, defs []wiring.Queue) (URLs, error) {
	urls, arns := URLs{}, map[string]string{}
	for _, d := range wiring.DeadLetterQueues(defs) {
		dlqURL, err := create(ctx, c, d.Sources[0].SQSName(names(d.Name)), fifo(d.Sources[0], map[string]string{
			"MessageRetentionPeriod": strconv.Itoa(d.RetentionDays() * 24 * 3600),
		}))
		if err != nil {
			return nil, err
		}
		attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(dlqURL), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
		})
		if err != nil {
			return nil, fmt.Errorf("dlq arn of %s: %w", d.Name, err)
		}
		urls[d.Name], arns[d.Name] = dlqURL, attrs.Attributes[string(types.QueueAttributeNameQueueArn)]
	}
	for _, q := range defs {
		redrive, err := json.Marshal(map[string]any{
			"deadLetterTargetArn": arns[q.DLQName()],
			"maxReceiveCount":     q.MaxReceiveCount,
		})
		if err != nil {
			return nil, err
		}
		url, err := create(ctx, c, q.SQSName(names(q.Name)), fifo(q, map[string]string{
			"VisibilityTimeout": strconv.Itoa(q.VisibilityTimeoutSeconds),
			"RedrivePolicy":     string(redrive),
		}))
		if err != nil {
			return nil, err
		}
		urls[q.Name] = url
	}
	return urls, nil
}

// fifo adds a FIFO queue's attributes, as the stack sets them: deduplication by the
// sender's id, per message group.
func fifo(q wiring.Queue, attrs map[string]string) map[string]string {
	if q.FIFO {
		attrs["FifoQueue"] = "true"
		attrs["DeduplicationScope"] = "messageGroup"
		attrs["FifoThroughputLimit"] = "perMessageGroupId"
	}
	return attrs
}

func create(ctx context.Context, c *sqs.Client, name string, attrs map[string]string) (string, error) {
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return "", fmt.Errorf("create queue %s: %w", name, err)
	}
	return aws.ToString(out.QueueUrl), nil
}
