// Package wiring is the one table of Rapport's functions, tables and queues; the CDK
// stack and the local runner are both generated from it.
//
// It is pure data: no AWS imports, so every consumer (CDK, local runner, tests) reads
// the same rows.
package wiring

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Auth is how an HTTP route is authorized at the edge.
type Auth string

const (
	// Public routes have no authorizer; they are throttled instead.
	Public Auth = "public"
	// JWT routes need a bearer token accepted by the API's JWT authorizer.
	JWT Auth = "jwt"
)

// Roles a token can carry (from its groups). System is for machine clients.
const (
	RoleAgent   = "agent"
	RoleManager = "manager"
	RoleAdmin   = "admin"
	RoleSystem  = "system"
)

// AllRoles lists every role, in the order of the Cognito groups the stack creates.
var AllRoles = []string{RoleAgent, RoleManager, RoleAdmin, RoleSystem}

// Route is one HTTP route. Method and Path together form both the API Gateway route
// key and the net/http ServeMux pattern ("POST /v1/surveys/{surveyId}/responses").
type Route struct {
	Method string
	Path   string
	Auth   Auth
	// Roles lists the roles any one of which is enough; empty on a JWT route means
	// any authenticated caller.
	Roles []string
	// Throttle overrides the API's default throttling for this route (public routes).
	Throttle *Throttle
	// Form routes also take application/x-www-form-urlencoded bodies (hosted pages
	// post without JavaScript).
	Form bool
}

// Pattern is the route key and mux pattern.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Throttle is a steady rate and a burst, per second, as API Gateway counts them.
type Throttle struct {
	RatePerSecond float64
	Burst         int
}

// Schedule is an EventBridge rate expression, e.g. "rate(1 minute)": the local runner
// ticks it too, and a job's lease is sized by it.
type Schedule struct {
	Expression string
	// Job marks a periodic job's function (shared/job): a failed run writes a line
	// of the stage's Rapport/Failures metric, the row's name a plain property.
	Job bool
}

var rateExpr = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)

// Every is the schedule's period; only rate expressions are used, so that make run
// runs each schedule as AWS does.
func (s Schedule) Every() (time.Duration, error) {
	m := rateExpr.FindStringSubmatch(s.Expression)
	if m == nil {
		return 0, fmt.Errorf("schedule %q: use rate(N minute|minutes|hour|hours|day|days)", s.Expression)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 {
		return 0, fmt.Errorf("schedule %q: the rate must be a positive whole number", s.Expression)
	}
	unit := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[strings.TrimSuffix(m[2], "s")]
	return time.Duration(n) * unit, nil
}

// QueueTrigger is an SQS event source mapping.
type QueueTrigger struct {
	Queue string
	// BatchSize is the most messages per invocation (1..10 for a window of 0).
	BatchSize int
	// WindowSeconds is the maximum batching window.
	WindowSeconds int
}

// Trigger is what invokes a function: exactly one of its fields is set.
type Trigger struct {
	Routes   []Route
	Schedule *Schedule
	Queue    *QueueTrigger
	// Manual is a function only a person invokes (aws lambda invoke, make invoke):
	// an upgrade's one-off work, such as shared/migrate.
	Manual bool
}

// Access is what a function may do with a table, a queue or a signing key.
type Access string

const (
	Read      Access = "read"       // tables: GetItem, Query, BatchGetItem, ConditionCheckItem; secret keys: GetSecretValue
	ReadWrite Access = "read-write" // tables: Read plus PutItem, UpdateItem, DeleteItem, BatchWriteItem
	Send      Access = "send"       // queues: SendMessage (also batches)
	Consume   Access = "consume"    // queues: receive, delete, change visibility (the event source)
	Inspect   Access = "inspect"    // queues: GetQueueAttributes only (message counts, for deep health)
	Sign      Access = "sign"       // MAC keys: GenerateMac with the current version
	Verify    Access = "verify"     // MAC keys: VerifyMac with every kept version
)

// EnvVar is one environment variable and where its value comes from: exactly one of
// Table (the table's physical name), Queue (the queue's URL), Key (a reference to a
// signing key, see SigningKey), API (the HTTP API's base URL, for links in messages),
// Value (a literal) or Setting (a deployment setting, with Value as its default).
type EnvVar struct {
	Name  string
	Table string
	Queue string
	Key   string
	API   bool
	Value string
	// Setting names a deployment setting (CDK context, e.g. -c emailFrom=...) that
	// replaces Value, the default, when given.
	Setting string
}

// Function is one Lambda function and everything it is allowed to touch.
type Function struct {
	// Name is the folder under functions/ and the local runner's name for it.
	Name        string
	Description string
	Trigger     Trigger
	Tables      map[string]Access
	// Scans lists tables (among Tables) the function may Scan whole: only a scheduled
	// job that must read every item or a manual upgrade, never a request path.
	Scans  []string
	Queues map[string]Access
	// Keys are the signing keys the function uses: Sign or Verify for a MAC key, Read
	// for a secret key.
	Keys map[string]Access
	Env  []EnvVar
	// Sends lists the message channels the function may use through AWS: "email"
	// (Amazon SES) and "sms" (Amazon SNS).
	Sends []string
	// TimeoutSeconds and MemoryMB size the Lambda function.
	TimeoutSeconds int
	MemoryMB       int
}

// KeyType is a DynamoDB attribute type usable in a key.
type KeyType string

const (
	String KeyType = "S"
	Number KeyType = "N"
)

// Key is a partition or sort key attribute.
type Key struct {
	Name string
	Type KeyType
}

// Index is a global secondary index.
type Index struct {
	Name         string
	PartitionKey Key
	SortKey      *Key
	// Projection is what the index copies of each item besides the keys; the zero
	// value copies every attribute (ALL). A narrower projection is written less: an
	// update that changes neither the index's keys nor a projected attribute leaves
	// the index alone, and each entry is only as large as what it copies.
	Projection Projection
	// Replaces names the index this one takes over from, with the same keys and
	// every attribute projected. DynamoDB cannot change an index's projection, so a
	// new projection comes under a new name; one stack update can create or delete
	// only one index per table, so make deploy creates the new index first and
	// deletes the old one in a later update (infra/indexplan), and queries fall back
	// to the old one while the new one is missing or backfilling
	// (shared/dynamo.Backfilled). Local tables are made without it.
	Replaces string
}

// ProjectionType is DynamoDB's projection type of an index.
type ProjectionType string

const (
	ProjectAll      ProjectionType = "ALL"
	ProjectKeysOnly ProjectionType = "KEYS_ONLY"
	ProjectInclude  ProjectionType = "INCLUDE"
)

// Projection is the attributes an index copies: always the table's and the index's
// keys, then every other attribute (ALL), none (KEYS_ONLY) or those listed in
// NonKey (INCLUDE). Only top-level attributes can be listed.
type Projection struct {
	Type   ProjectionType
	NonKey []string
}

// ProjectionType is p's type, ALL for the zero Projection.
func (p Projection) ProjectionType() ProjectionType {
	if p.Type == "" {
		return ProjectAll
	}
	return p.Type
}

// Index is the table's index named name.
func (t Table) Index(name string) (Index, bool) {
	i := slices.IndexFunc(t.Indexes, func(ix Index) bool { return ix.Name == name })
	if i < 0 {
		return Index{}, false
	}
	return t.Indexes[i], true
}

// Table is a DynamoDB table definition, used as is by the stack and by make run.
type Table struct {
	Name         string
	PartitionKey Key
	SortKey      *Key
	Indexes      []Index
	// TTLAttribute names the epoch-seconds attribute that expires items.
	TTLAttribute string
}

// Queue is an SQS queue; every queue has a dead-letter queue, its own (Name+"-dlq") or
// one it shares (DeadLetter).
type Queue struct {
	Name string
	// DeadLetter names the dead-letter queue it shares with other queues of one kind
	// (the email and SMS deliveries): one queue to watch and one alarm metric instead of
	// one each. Queues that share one agree on FIFO and DLQRetentionDays. Empty: a DLQ
	// of its own. SQS knows each message's source queue, and a redrive returns it there.
	DeadLetter               string
	VisibilityTimeoutSeconds int
	// MaxReceiveCount is how many receives a message gets before it moves to the DLQ.
	MaxReceiveCount int
	// RetentionDays of the DLQ; the main queue keeps messages 4 days.
	DLQRetentionDays int
	// FIFO makes the queue and its DLQ FIFO queues (their SQS names end in ".fifo"):
	// a message sent twice with one deduplication id within five minutes is kept once,
	// and no message is delivered twice while it is not failing. Every message has a
	// group of its own (its id), so none waits for another. A FIFO queue's trigger has
	// no batching window.
	FIFO bool
}

// DLQName is the dead-letter queue of a queue.
func (q Queue) DLQName() string {
	if q.DeadLetter != "" {
		return q.DeadLetter
	}
	return q.Name + "-dlq"
}

// SourceAttribute is the SQS message attribute that names the queue a message was
// sent to (its SQS name, the last part of its URL), set by the senders to queues that
// share a DLQ: a redrive of that DLQ returns each message to its own queue. SQS records
// a message's source queue itself, and `aws sqs start-message-move-task` redrives by
// it; the local emulator does not, and make redrive reads this instead.
const SourceAttribute = "source-queue"

// QueueURLName is the SQS name of the queue at url, the last part of the URL (with
// ".fifo" for a FIFO queue): the value of SourceAttribute that senders set and a
// redrive compares.
func QueueURLName(url string) string {
	return url[strings.LastIndex(url, "/")+1:]
}

// DeadLetterQueue is a dead-letter queue and the queues whose failures it keeps.
type DeadLetterQueue struct {
	Name string
	// Sources are the queues that move their failed messages to it, in table order.
	Sources []Queue
}

// FIFO: a FIFO queue's DLQ is FIFO (the queues sharing one agree).
func (d DeadLetterQueue) FIFO() bool { return d.Sources[0].FIFO }

// RetentionDays of the DLQ (the queues sharing one agree).
func (d DeadLetterQueue) RetentionDays() int { return d.Sources[0].DLQRetentionDays }

// SourceNames are the names of its source queues.
func (d DeadLetterQueue) SourceNames() []string {
	names := make([]string, len(d.Sources))
	for i, q := range d.Sources {
		names[i] = q.Name
	}
	return names
}

// DeadLetterQueues lists the distinct dead-letter queues of qs, in the order their
// first source appears.
func DeadLetterQueues(qs []Queue) []DeadLetterQueue {
	var out []DeadLetterQueue
	at := map[string]int{}
	for _, q := range qs {
		name := q.DLQName()
		i, ok := at[name]
		if !ok {
			i, at[name] = len(out), len(out)
			out = append(out, DeadLetterQueue{Name: name})
		}
		out[i].Sources = append(out[i].Sources, q)
	}
	return out
}

// SQSName is the name SQS knows a queue by, given its name in the wiring table or its
// DLQName: a FIFO queue's ends in ".fifo".
func (q Queue) SQSName(name string) string {
	if q.FIFO {
		return name + ".fifo"
	}
	return name
}

// KeyKind is what a signing key is, and so where it lives.
type KeyKind string

const (
	// MACKey is an HMAC-SHA256 key no function ever holds: in AWS a KMS HMAC_256 key
	// (GenerateMac, VerifyMac), locally a key file behind the same interface. For
	// signatures only Rapport itself checks (unsubscribe links).
	MACKey KeyKind = "mac"
	// SecretKey is a shared secret the functions that list it read: in AWS a Secrets
	// Manager secret, locally a key file. For signatures someone outside Rapport checks
	// too (webhook receivers), who must be given the key.
	SecretKey KeyKind = "secret"
)

// SigningKey is a key kept outside the tables, where only the functions that list it
// can use it (not in the customers table, which a dozen roles read and every backup
// holds).
type SigningKey struct {
	Name        string
	Kind        KeyKind
	Description string
	// Versions are the kept versions of a MAC key, the current (signing) one first;
	// tokens of every kept version verify. KMS HMAC keys cannot rotate by themselves:
	// a rotation puts a new number first, and dropping the old one ends its grace
	// period (README, "Signing keys"). A secret key rotates inside its secret
	// (AWSCURRENT, AWSPREVIOUS) and has no versions here.
	Versions []int
}

// SigningKeyByName finds a signing key by name.
func SigningKeyByName(name string) (SigningKey, bool) {
	for _, k := range SigningKeys {
		if k.Name == name {
			return k, true
		}
	}
	return SigningKey{}, false
}

// Function finds a function by name.
func FunctionByName(name string) (Function, bool) {
	for _, f := range Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// TableByName finds a table definition by name.
func TableByName(name string) (Table, bool) {
	for _, t := range Tables {
		if t.Name == name {
			return t, true
		}
	}
	return Table{}, false
}

// QueueByName finds a queue definition by name.
func QueueByName(name string) (Queue, bool) {
	for _, q := range Queues {
		if q.Name == name {
			return q, true
		}
	}
	return Queue{}, false
}

// Routes lists every HTTP route of every function, sorted by pattern.
func Routes() []Route {
	var all []Route
	for _, f := range Functions {
		all = append(all, f.Trigger.Routes...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Pattern() < all[j].Pattern() })
	return all
}

// Pascal is a wiring name as the stack's identifiers spell it (construct ids, stack
// outputs): "followup-dispatcher" → "FollowupDispatcher".
func Pascal(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// EnvName is the conventional variable for a table or queue: "surveys" → prefix+"SURVEYS".
func EnvName(prefix, name string) string {
	return prefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// Environment resolves the row's variables: tables to physical names, queues to URLs,
// signing keys to references (key ARNs in AWS, key files locally) and API to the API's
// base URL, as the stack does in AWS and the local runner does on a laptop.
func (f Function) Environment(tableName, queueURL func(string) string, apiURL string, keyRef func(string) string) map[string]string {
	env := map[string]string{}
	for _, v := range f.Env {
		switch {
		case v.Table != "":
			env[v.Name] = tableName(v.Table)
		case v.Queue != "":
			env[v.Name] = queueURL(v.Queue)
		case v.Key != "":
			env[v.Name] = keyRef(v.Key)
		case v.API:
			env[v.Name] = apiURL
		default:
			env[v.Name] = v.Value
		}
	}
	return env
}
