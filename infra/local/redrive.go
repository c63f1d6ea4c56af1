package local

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Redrive moves a queue's messages in its DLQ back to the queue, after a fix: a message
// is deleted from the DLQ only once it is on the queue again. A DLQ that several queues
// share (the email and SMS deliveries') gives back only the messages that name this
// queue as their source (wiring.SourceAttribute); the others stay. In AWS the same is
// `aws sqs start-message-move-task --source-arn <dlq arn>`, which returns every message
// to the queue SQS recorded as its source.
func (r *Runner) Redrive(ctx context.Context, queue string) (int, error) {
	q, ok := wiring.QueueByName(queue)
	if !ok {
		return 0, fmt.Errorf("no queue %q", queue)
	}
	src, dst := r.cfg.Queues[q.DLQName()], r.cfg.Queues[q.Name]
	shared := false
	for _, d := range wiring.DeadLetterQueues(wiring.Queues) {
		shared = shared || (d.Name == q.DLQName() && len(d.Sources) > 1)
	}
	self := wiring.QueueURLName(dst)
	moved := 0
	var others []string // receipt handles of the messages of the other queues
	defer func() {
		// The other queues' messages are visible again at once, for their own redrive.
		for _, h := range others {
			_, _ = r.cfg.Clients.SQS.ChangeMessageVisibility(context.WithoutCancel(ctx), &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(src), ReceiptHandle: aws.String(h), VisibilityTimeout: 0,
			})
		}
	}()
	for {
		out, err := r.cfg.Clients.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(src), MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 30,
			MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameMessageGroupId},
		})
		if err != nil {
			return moved, err
		}
		if len(out.Messages) == 0 {
			return moved, nil
		}
		for _, m := range out.Messages {
			if shared && aws.ToString(m.MessageAttributes[wiring.SourceAttribute].StringValue) != self {
				others = append(others, aws.ToString(m.ReceiptHandle))
				continue
			}
			in := &sqs.SendMessageInput{QueueUrl: aws.String(dst), MessageBody: m.Body, MessageAttributes: m.MessageAttributes}
			if q.FIFO {
				// Its group as before; a deduplication id of its own, for a redrive is a
				// deliberate second sending.
				in.MessageGroupId = aws.String(m.Attributes[string(types.MessageSystemAttributeNameMessageGroupId)])
				in.MessageDeduplicationId = aws.String("redrive-" + aws.ToString(m.MessageId))
			}
			if _, err := r.cfg.Clients.SQS.SendMessage(ctx, in); err != nil {
				return moved, err
			}
			if _, err := r.cfg.Clients.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(src), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return moved, err
			}
			moved++
		}
	}
}

func (r *Runner) redrive(w http.ResponseWriter, req *http.Request) {
	n, err := r.Redrive(req.Context(), req.PathValue("queue"))
	if err != nil {
		web.JSON(w, http.StatusBadGateway, map[string]any{"moved": n, "error": err.Error()})
		return
	}
	web.JSON(w, http.StatusOK, map[string]int{"moved": n})
}
