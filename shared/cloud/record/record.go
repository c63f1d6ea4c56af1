// Package record writes, when RAPPORT_RECORD_CALLS names a directory, every AWS call
// the functions built by app.Build issue (infra/scripts/test-all sets it), so the infra
// module can prove each function's IAM grants against the calls it really makes: the
// emulators check no IAM. Test binaries (through shared/testenv) and the local runner
// import it; the Lambda functions do not, so none of this is in their bootstraps.
package record

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"

	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// RecordEnv names the directory where, when it is set, every process writes the AWS
// calls its functions' clients issue (infra/scripts/test-all sets it), so the infra
// module can prove each function's IAM grants against the calls it really makes: the
// emulators check no IAM.
const RecordEnv = "RAPPORT_RECORD_CALLS"

// Recording is one process's calls, as written to <dir>/<pid>.json: function →
// sorted calls, each "<iam prefix>:<Operation>[/<part>] <resource>". The resource is
// named after the wiring table ("table:loyalty", "table:loyalty/index/due",
// "queue:followups", "dlq:followups-dlq", by the DLQ's name); a key or secret by the id the call gives; a
// transaction or a batch gives one call per table and kind of item
// ("dynamodb:TransactWriteItems/Update table:loyalty").
type Recording struct {
	Functions map[string][]string `json:"functions"`
}

const recordID = "RapportRecordCalls"

type recorder struct {
	mu    sync.Mutex
	path  string
	calls map[string]map[string]bool
	err   error
}

var (
	recOnce sync.Once
	rec     *recorder
)

// active is the process's recorder, or nil when RecordEnv is not set (always in AWS).
func active() *recorder {
	recOnce.Do(func() {
		dir := config.FromOS().Optional(RecordEnv, "")
		if dir == "" {
			return
		}
		rec = newRecorder(dir)
	})
	return rec
}

// newRecorder writes to <dir>/<pid>.json: one file per process, merged by ReadRecordings.
func newRecorder(dir string) *recorder {
	r := &recorder{path: filepath.Join(dir, fmt.Sprintf("%d.json", os.Getpid())), calls: map[string]map[string]bool{}}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		r.err = err
	}
	return r
}

func init() {
	cloud.SetRecorder(func(c cloud.Clients, function string) cloud.Clients { return recordTo(c, active(), function) })
}

// recordTo wraps the clients to record into r, or returns them as they are for no r.
func recordTo(c cloud.Clients, r *recorder, function string) cloud.Clients {
	if r == nil {
		return c
	}
	add := func(opts []func(*middleware.Stack) error) []func(*middleware.Stack) error {
		return append(slices.Clip(opts), r.middleware(function))
	}
	c.Config.APIOptions = add(c.Config.APIOptions)
	if c.DynamoDB != nil {
		c.DynamoDB = dynamodb.New(c.DynamoDB.Options(), func(o *dynamodb.Options) { o.APIOptions = add(o.APIOptions) })
	}
	if c.SQS != nil {
		c.SQS = sqs.New(c.SQS.Options(), func(o *sqs.Options) { o.APIOptions = add(o.APIOptions) })
	}
	return c
}

// middleware notes each call before it is sent: a call AWS would refuse is refused at
// that point, whatever it returns locally.
func (r *recorder) middleware(function string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		m := middleware.InitializeMiddlewareFunc(recordID,
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				service := iamPrefix(awsmiddleware.GetServiceID(ctx))
				r.add(function, Calls(service, middleware.GetOperationName(ctx), in.Parameters))
				return next.HandleInitialize(ctx, in)
			})
		// Clients wrapped again for another function record for that one only.
		if _, ok := stack.Initialize.Get(recordID); ok {
			_, err := stack.Initialize.Swap(recordID, m)
			return err
		}
		return stack.Initialize.Add(m, middleware.After)
	}
}

func (r *recorder) add(function string, calls []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := r.calls[function]
	if seen == nil {
		seen = map[string]bool{}
		r.calls[function] = seen
	}
	fresh := false
	for _, c := range calls {
		if !seen[c] {
			seen[c], fresh = true, true
		}
	}
	// The set of distinct calls is small (hundreds): rewriting the file on each new
	// one keeps it complete whenever the process ends, without an exit hook.
	if fresh {
		if err := r.write(); err != nil && r.err == nil {
			// Said once; the next new call tries again. A recording that misses calls
			// shows up in the grants test as grants no call uses.
			slog.Error("cannot record AWS calls", "file", r.path, "error", err.Error())
			r.err = err
		}
	}
}

func (r *recorder) write() error {
	out := Recording{Functions: map[string][]string{}}
	for fn, calls := range r.calls {
		list := make([]string, 0, len(calls))
		for c := range calls {
			list = append(list, c)
		}
		sort.Strings(list)
		out.Functions[fn] = list
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	tmp := r.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, r.path)
}

// ReadRecordings merges every process's recording under dir.
func ReadRecordings(dir string) (Recording, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return Recording{}, err
	}
	merged := map[string]map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return Recording{}, err
		}
		var r Recording
		if err := json.Unmarshal(b, &r); err != nil {
			return Recording{}, fmt.Errorf("%s: %w", f, err)
		}
		for fn, calls := range r.Functions {
			if merged[fn] == nil {
				merged[fn] = map[string]bool{}
			}
			for _, c := range calls {
				merged[fn][c] = true
			}
		}
	}
	out := Recording{Functions: map[string][]string{}}
	for fn, calls := range merged {
		for c := range calls {
			out.Functions[fn] = append(out.Functions[fn], c)
		}
		sort.Strings(out.Functions[fn])
	}
	return out, nil
}

func iamPrefix(serviceID string) string {
	switch serviceID {
	case "DynamoDB":
		return "dynamodb"
	case "SQS":
		return "sqs"
	case "SESv2":
		return "ses"
	case "SNS":
		return "sns"
	case "KMS":
		return "kms"
	case "Secrets Manager":
		return "secretsmanager"
	}
	return strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
}

// Calls names what one SDK call touches: one entry per resource, and per kind of item
// for transactions and batches.
func Calls(service, op string, params any) []string {
	var out []string
	add := func(part, resource string) {
		name := service + ":" + op
		if part != "" {
			name += "/" + part
		}
		out = append(out, name+" "+resource)
	}
	table := func(name *string, index *string) string {
		res := "table:" + logical(deref(name), tableNames())
		if deref(index) != "" {
			res += "/index/" + deref(index)
		}
		return res
	}
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		add("", table(in.TableName, nil))
	case *dynamodb.PutItemInput:
		add("", table(in.TableName, nil))
	case *dynamodb.UpdateItemInput:
		add("", table(in.TableName, nil))
	case *dynamodb.DeleteItemInput:
		add("", table(in.TableName, nil))
	case *dynamodb.QueryInput:
		add("", table(in.TableName, in.IndexName))
	case *dynamodb.ScanInput:
		add("", table(in.TableName, in.IndexName))
	case *dynamodb.BatchGetItemInput:
		for name := range in.RequestItems {
			add("", table(&name, nil))
		}
	case *dynamodb.BatchWriteItemInput:
		for name, reqs := range in.RequestItems {
			for _, w := range reqs {
				switch {
				case w.PutRequest != nil:
					add("Put", table(&name, nil))
				case w.DeleteRequest != nil:
					add("Delete", table(&name, nil))
				}
			}
		}
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			switch {
			case it.Put != nil:
				add("Put", table(it.Put.TableName, nil))
			case it.Update != nil:
				add("Update", table(it.Update.TableName, nil))
			case it.Delete != nil:
				add("Delete", table(it.Delete.TableName, nil))
			case it.ConditionCheck != nil:
				add("ConditionCheck", table(it.ConditionCheck.TableName, nil))
			}
		}
	case *dynamodb.TransactGetItemsInput:
		for _, it := range in.TransactItems {
			if it.Get != nil {
				add("Get", table(it.Get.TableName, nil))
			}
		}
	default:
		// The services the functions build from Clients.Config, named by the field
		// that says which resource a call touches.
		switch service {
		case "kms":
			add("", "mac:"+field(params, "KeyId"))
			return out
		case "secretsmanager":
			add("", "secret:"+field(params, "SecretId"))
			return out
		case "ses":
			add("", "identity:"+field(params, "FromEmailAddress"))
			return out
		case "sns":
			if topic := field(params, "TopicArn"); topic != "" {
				add("", "topic:"+topic)
			} else {
				add("", "phone")
			}
			return out
		}
		if service == "sqs" {
			if url := queueURL(params); url != "" {
				add("", queueResource(url))
				break
			}
		}
		add("", "?")
	}
	return out
}

// queueURL is the QueueUrl field every SQS operation on a queue has.
func queueURL(params any) string {
	switch in := params.(type) {
	case *sqs.SendMessageInput:
		return deref(in.QueueUrl)
	case *sqs.SendMessageBatchInput:
		return deref(in.QueueUrl)
	case *sqs.ReceiveMessageInput:
		return deref(in.QueueUrl)
	case *sqs.DeleteMessageInput:
		return deref(in.QueueUrl)
	case *sqs.DeleteMessageBatchInput:
		return deref(in.QueueUrl)
	case *sqs.ChangeMessageVisibilityInput:
		return deref(in.QueueUrl)
	case *sqs.ChangeMessageVisibilityBatchInput:
		return deref(in.QueueUrl)
	case *sqs.GetQueueAttributesInput:
		return deref(in.QueueUrl)
	case *sqs.PurgeQueueInput:
		return deref(in.QueueUrl)
	}
	return ""
}

func queueResource(url string) string {
	name := strings.TrimSuffix(wiring.QueueURLName(url), ".fifo")
	var names []string
	for _, q := range wiring.Queues {
		names = append(names, q.Name)
	}
	dlqs := map[string]bool{}
	for _, d := range wiring.DeadLetterQueues(wiring.Queues) {
		names, dlqs[d.Name] = append(names, d.Name), true
	}
	l := logical(name, names)
	if dlqs[l] {
		return "dlq:" + l
	}
	return "queue:" + l
}

func tableNames() []string {
	names := make([]string, len(wiring.Tables))
	for i, t := range wiring.Tables {
		names[i] = t.Name
	}
	return names
}

// logical maps a physical name ("<prefix><name>", as make run and the tests name
// tables and queues) to the longest wiring name it ends with, or returns it as it is,
// which then matches no grant.
func logical(physical string, names []string) string {
	best := ""
	for _, n := range names {
		if strings.HasSuffix(physical, n) && len(n) > len(best) {
			best = n
		}
	}
	if best == "" {
		return physical
	}
	return best
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// field is a call's input's string field by name ("" when it has none): the inputs of
// the services Rapport calls name their resource in one such field.
func field(params any, name string) string {
	v := reflect.Indirect(reflect.ValueOf(params))
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName(name); f.IsValid() {
		if s, ok := f.Interface().(*string); ok {
			return deref(s)
		}
	}
	return ""
}
