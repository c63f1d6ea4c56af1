package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/web"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// The follow-up dispatcher's heartbeat: one item of the followups table that the
// dispatcher rewrites at the end of every run (shared/followup/heartbeat.go) and the
// deep health check reads. It lives here, not in the followup package, because that
// package builds on this one.
const (
	HeartbeatPK = "HEARTBEAT"
	HeartbeatSK = "followup-dispatcher"
	// HeartbeatAt is the attribute holding the run's end, UTC, in HeartbeatTime.
	HeartbeatAt = "at"
	// HeartbeatOK is the attribute saying whether that run succeeded.
	HeartbeatOK = "ok"
	// HeartbeatTime is fixed-width, so a later beat sorts after an earlier one.
	HeartbeatTime = "2006-01-02T15:04:05.000Z"
)

// healthTables are the tables deep health asks, by the variable naming each.
var healthTables = map[string]string{
	"surveys": "SURVEYS_TABLE", "followups": "FOLLOWUPS_TABLE", "complaints": "COMPLAINTS_TABLE",
	"loyalty": "LOYALTY_TABLE", "customers": "CUSTOMERS_TABLE",
}

// healthQueues are the queues deep health asks, by the variable naming each: a
// follow-up's two steps.
var healthQueues = map[string]string{"followups": "FOLLOWUPS_QUEUE_URL", "emails": "EMAILS_QUEUE_URL", "texts": "TEXTS_QUEUE_URL"}

// checkTimeout bounds each check, well inside the function's timeout, so a
// dependency that hangs is reported as failing instead of timing the function out.
const checkTimeout = 2 * time.Second

// Health builds the health function: GET /v1/health answers without any AWS call
// (API Gateway and load balancers may call it often and anonymously); GET
// /v1/health/deep, for ops, asks each dependency once.
func Health(row wiring.Function, env *config.Env, d Deps) (Function, error) {
	deep := &DeepHealth{
		DB: d.Clients.DynamoDB, SQS: d.Clients.Queues(), Clock: d.Clock, Tables: map[string]string{}, Queues: map[string]string{},
		StaleAfter: env.Duration("DISPATCHER_STALE_AFTER", 5*time.Minute),
	}
	for name, v := range healthTables {
		deep.Tables[name] = env.String(v)
	}
	for name, v := range healthQueues {
		deep.Queues[name] = env.String(v)
	}
	mux, err := Mux(row, map[string]http.Handler{
		"GET /v1/health":      JSONHandler(map[string]string{"status": "ok"}),
		"GET /v1/health/deep": deep,
	}, nil)
	return Function{HTTP: mux}, err
}

// TableReader and QueueInspector are the calls deep health makes: one GetItem per
// table, one GetQueueAttributes per queue.
type (
	TableReader interface {
		GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	}
	QueueInspector interface {
		GetQueueAttributes(context.Context, *sqs.GetQueueAttributesInput, ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	}
)

// DeepHealth checks that each table and each of the follow-ups' queues answer and that
// the dispatcher ran recently. Each check is one cheap call, all at once.
type DeepHealth struct {
	DB  TableReader
	SQS QueueInspector
	// Tables maps each table's wiring name to its physical name; Queues each queue's
	// to its URL.
	Tables, Queues map[string]string
	Clock          clock.Clock
	// StaleAfter is how old the dispatcher's last run may be (it runs every minute).
	StaleAfter time.Duration
}

// Check is one check's result. Detail says why a check failed (an error code, never
// data); the other fields are what the check measured.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
	TookMS int64  `json:"tookMs"`
	// Queue: messages waiting, in flight (received, not yet deleted) and delayed.
	// (The oldest message's age is a CloudWatch metric, not a queue attribute; the
	// stack alarms on it.)
	Messages         *int `json:"messages,omitempty"`
	MessagesInFlight *int `json:"messagesInFlight,omitempty"`
	MessagesDelayed  *int `json:"messagesDelayed,omitempty"`
	// Dispatcher: when its last run ended, how long ago, and whether it succeeded.
	LastRun       string `json:"lastRun,omitempty"`
	AgeSeconds    *int64 `json:"ageSeconds,omitempty"`
	LastRunFailed bool   `json:"lastRunFailed,omitempty"`
}

// Report is the deep health answer: status "ok" (200) or "failing" (503) with the
// names of the failed checks.
type Report struct {
	Status string   `json:"status"`
	Failed []string `json:"failed,omitempty"`
	Checks []Check  `json:"checks"`
}

func (h *DeepHealth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rep := h.Run(r.Context())
	if rep.Status != "ok" {
		for _, c := range rep.Checks {
			if !c.OK {
				slog.WarnContext(r.Context(), "health check failed", "check", c.Name, "detail", c.Detail)
			}
		}
		// A health checker retries anyway; the dispatcher runs every minute.
		w.Header().Set("Retry-After", "30")
		web.JSON(w, http.StatusServiceUnavailable, rep)
		return
	}
	web.JSON(w, http.StatusOK, rep)
}

// Run runs every check at once and reports them in a fixed order: the tables by
// name, the queues by name, the dispatcher.
func (h *DeepHealth) Run(ctx context.Context) Report {
	type job struct {
		name string
		run  func(context.Context, *Check) error
	}
	var jobs []job
	for _, name := range sortedNames(h.Tables) {
		jobs = append(jobs, job{"table:" + name, func(ctx context.Context, _ *Check) error { return h.table(ctx, h.Tables[name]) }})
	}
	for _, name := range sortedNames(h.Queues) {
		jobs = append(jobs, job{"queue:" + name, func(ctx context.Context, c *Check) error { return h.queue(ctx, h.Queues[name], c) }})
	}
	jobs = append(jobs, job{"dispatcher", h.dispatcher})

	checks := make([]Check, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(ctx, checkTimeout)
			defer cancel()
			c := Check{Name: j.name}
			start := time.Now()
			err := j.run(ctx, &c)
			c.TookMS = time.Since(start).Milliseconds()
			c.OK = err == nil
			if err != nil {
				c.Detail = reason(err)
			}
			checks[i] = c
		})
	}
	wg.Wait()
	rep := Report{Status: "ok", Checks: checks}
	for _, c := range checks {
		if !c.OK {
			rep.Status = "failing"
			rep.Failed = append(rep.Failed, c.Name)
		}
	}
	return rep
}

// table reads a key no item has: the cheapest read, with the narrowest grant a wiring
// row can give (Read), and it proves the table exists, its key decrypts and DynamoDB
// answers.
func (h *DeepHealth) table(ctx context.Context, table string) error {
	_, err := h.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: dynamo.Key("HEALTH", "HEALTH")})
	return err
}

func (h *DeepHealth) queue(ctx context.Context, url string, c *Check) error {
	out, err := h.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
		},
	})
	if err != nil {
		return err
	}
	for name, dst := range map[sqstypes.QueueAttributeName]**int{
		sqstypes.QueueAttributeNameApproximateNumberOfMessages:           &c.Messages,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible: &c.MessagesInFlight,
		sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed:    &c.MessagesDelayed,
	} {
		if n, err := strconv.Atoi(out.Attributes[string(name)]); err == nil {
			*dst = &n
		}
	}
	if c.Messages == nil {
		return errors.New("the queue did not report ApproximateNumberOfMessages")
	}
	return nil
}

// dispatcher reads the heartbeat and fails when it is missing or older than StaleAfter.
func (h *DeepHealth) dispatcher(ctx context.Context, c *Check) error {
	out, err := h.DB.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(h.Tables["followups"]), Key: dynamo.Key(HeartbeatPK, HeartbeatSK),
	})
	if err != nil {
		return err
	}
	at, ok := out.Item[HeartbeatAt].(*types.AttributeValueMemberS)
	if !ok {
		return errors.New("no heartbeat: the dispatcher has never finished a run")
	}
	last, err := time.Parse(HeartbeatTime, at.Value)
	if err != nil {
		return fmt.Errorf("unreadable heartbeat %q", at.Value)
	}
	age := h.Clock.Now().Sub(last)
	secs := int64(age.Seconds())
	c.LastRun, c.AgeSeconds = last.UTC().Format(time.RFC3339), &secs
	if okAttr, isBool := out.Item[HeartbeatOK].(*types.AttributeValueMemberBOOL); isBool {
		c.LastRunFailed = !okAttr.Value
	}
	if age > h.StaleAfter {
		return fmt.Errorf("last run ended %s ago (more than %s)", age.Round(time.Second), h.StaleAfter)
	}
	return nil
}

// reason is what a failed check reports: the AWS error code, a timeout, or the
// check's own words; never a response body.
func reason(err error) string {
	var api smithy.APIError
	switch {
	case errors.As(err, &api):
		return api.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer within " + checkTimeout.String()
	}
	var op *smithy.OperationError
	if errors.As(err, &op) {
		return "no answer: " + op.Err.Error()
	}
	return err.Error()
}

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
