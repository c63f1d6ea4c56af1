package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/rapport-crm/rapport/infra/cost"
	"github.com/rapport-crm/rapport/shared/cloud"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// item is one DynamoDB item or key.
type item = map[string]types.AttributeValue

// pricer prices each DynamoDB call of a request by DynamoDB's published rules
// (infra/cost) from the items the call really touched: it reads every item a write
// names before and after the write, and evaluates each read again without its filter
// and projection, with calls of its own that no meter counts. DynamoDB Local's own
// consumed-capacity figure is not used: it reports a TransactWriteItems as 4 × the
// largest item's KB per table, whatever the number of items.
type pricer struct {
	db     *dynamodb.Client
	mu     sync.Mutex
	tables map[string]cost.Table
}

func newPricer(db *dynamodb.Client) *pricer {
	return &pricer{db: db, tables: map[string]cost.Table{}}
}

// bill is what one request's calls cost, added up by the probe.
type bill struct {
	mu    sync.Mutex
	units cost.Units
	sqs   int
	// fifo counts the requests to FIFO queues, which SQS prices apart.
	fifo int
	// kms counts the requests to KMS keys (a signing key's GenerateMac).
	kms int
	// parts are the units by the kind of item they went to (partOf), to show what a
	// case pays for.
	parts map[string]cost.Units
	err   error
}

// addParts adds units by the kind of item they went to.
func (b *bill) addParts(parts map[string]cost.Units) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.parts == nil {
		b.parts = map[string]cost.Units{}
	}
	for k, u := range parts {
		b.parts[k] = b.parts[k].Add(u)
	}
}

func (b *bill) addKMS(requests int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.kms += requests
}

func (b *bill) addFIFO(requests int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.fifo += requests
}

func (b *bill) add(u cost.Units, sqsRequests int, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.units = b.units.Add(u)
	b.sqs += sqsRequests
	b.err = errors.Join(b.err, err)
}

// detail, with BENCH_PRICE_DETAIL=1, prints every priced call to stderr: operation,
// tables and units, to see where a case's units go.
var detail = os.Getenv("BENCH_PRICE_DETAIL") == "1"

// probe prices the calls of the request b belongs to.
func (p *pricer) probe(b *bill) cloud.Probe {
	if detail {
		inner := p.probe0(b)
		return func(ctx context.Context, op string, params any) func(any, error) {
			before := b.snapshot()
			after := inner(ctx, op, params)
			return func(result any, err error) {
				if after != nil {
					after(result, err)
				}
				now := b.snapshot()
				fmt.Fprintf(os.Stderr, "price: %-20s %-40s RRU %4.1f WRU %4.1f\n", op, tablesOf(params), now.Read-before.Read, now.Write-before.Write)
			}
		}
	}
	return p.probe0(b)
}

func (b *bill) snapshot() cost.Units {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.units
}

// tablesOf names the tables a call touches, for the detail lines.
func tablesOf(params any) string {
	var names []string
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		names = append(names, aws.ToString(in.TableName))
	case *dynamodb.QueryInput:
		names = append(names, aws.ToString(in.TableName)+"/"+aws.ToString(in.IndexName))
	case *dynamodb.PutItemInput:
		names = append(names, aws.ToString(in.TableName))
	case *dynamodb.UpdateItemInput:
		names = append(names, aws.ToString(in.TableName))
	case *dynamodb.TransactWriteItemsInput:
		for _, t := range in.TransactItems {
			switch {
			case t.Put != nil:
				names = append(names, "put:"+aws.ToString(t.Put.TableName)+":"+keyText(t.Put.Item))
			case t.Update != nil:
				names = append(names, "update:"+aws.ToString(t.Update.TableName)+":"+keyText(t.Update.Key))
			case t.Delete != nil:
				names = append(names, "delete:"+aws.ToString(t.Delete.TableName))
			case t.ConditionCheck != nil:
				names = append(names, "check:"+aws.ToString(t.ConditionCheck.TableName)+":"+keyText(t.ConditionCheck.Key))
			}
		}
	}
	return strings.Join(names, " ")
}

func keyText(it item) string {
	var parts []string
	for _, k := range []string{"pk", "sk"} {
		if v, ok := it[k].(*types.AttributeValueMemberS); ok {
			parts = append(parts, v.Value)
		}
	}
	return strings.Join(parts, "|")
}

func (p *pricer) probe0(b *bill) cloud.Probe {
	return func(_ context.Context, op string, params any) func(any, error) {
		// The probe's own calls go out under a context without the request's meter.
		ctx := context.Background()
		if kmsOperations[op] {
			return func(any, error) { b.addKMS(1) }
		}
		if isSQS(params) {
			n := cost.SQSRequests(sqsPayload(params))
			if strings.HasSuffix(queueURL(params), ".fifo") {
				return func(any, error) { b.addFIFO(n) }
			}
			return func(any, error) { b.add(cost.Units{}, n, nil) }
		}
		writes, err := p.writes(ctx, params)
		if err != nil {
			b.add(cost.Units{}, 0, err)
			return nil
		}
		if writes != nil {
			return func(any, error) {
				u, parts, err := p.afterWrites(ctx, writes)
				b.add(u, 0, err)
				b.addParts(parts)
			}
		}
		return func(result any, err error) {
			if err != nil {
				return // a refused read (throttled, invalid) is not billed
			}
			u, perr := p.read(ctx, params)
			b.add(u, 0, perr)
			b.addParts(map[string]cost.Units{readPart(params): u})
		}
	}
}

// kmsOperations are the KMS calls a function makes, each billed as one request (a key
// file answers them locally, counted all the same: cloud.StandIn).
var kmsOperations = map[string]bool{"GenerateMac": true, "VerifyMac": true}

func isSQS(params any) bool {
	switch params.(type) {
	case *sqs.SendMessageInput, *sqs.SendMessageBatchInput, *sqs.ReceiveMessageInput, *sqs.DeleteMessageInput,
		*sqs.DeleteMessageBatchInput, *sqs.ChangeMessageVisibilityInput, *sqs.ChangeMessageVisibilityBatchInput:
		return true
	}
	return false
}

// queueURL is the queue an SQS call names.
func queueURL(params any) string {
	switch in := params.(type) {
	case *sqs.SendMessageInput:
		return aws.ToString(in.QueueUrl)
	case *sqs.SendMessageBatchInput:
		return aws.ToString(in.QueueUrl)
	case *sqs.ReceiveMessageInput:
		return aws.ToString(in.QueueUrl)
	case *sqs.DeleteMessageInput:
		return aws.ToString(in.QueueUrl)
	case *sqs.DeleteMessageBatchInput:
		return aws.ToString(in.QueueUrl)
	case *sqs.ChangeMessageVisibilityInput:
		return aws.ToString(in.QueueUrl)
	case *sqs.ChangeMessageVisibilityBatchInput:
		return aws.ToString(in.QueueUrl)
	}
	return ""
}

// sqsPayload is the bytes of the messages an SQS call sends (0 for the others, which
// SQS bills as one request each).
func sqsPayload(params any) int {
	switch in := params.(type) {
	case *sqs.SendMessageInput:
		return len(aws.ToString(in.MessageBody))
	case *sqs.SendMessageBatchInput:
		n := 0
		for _, e := range in.Entries {
			n += len(aws.ToString(e.MessageBody))
		}
		return n
	}
	return 0
}

// pending is one item a write names, with its image before the write.
type pending struct {
	table  cost.Table
	key    item
	before item
	tx     bool
	check  bool
}

// writes reads the image of every item the write names, before the write; nil for
// a call that writes nothing.
func (p *pricer) writes(ctx context.Context, params any) ([]pending, error) {
	type named struct {
		table     string
		key, full item // the key, or the whole item of a put
		tx, check bool
	}
	var ns []named
	switch in := params.(type) {
	case *dynamodb.PutItemInput:
		ns = append(ns, named{table: aws.ToString(in.TableName), full: in.Item})
	case *dynamodb.UpdateItemInput:
		ns = append(ns, named{table: aws.ToString(in.TableName), key: in.Key})
	case *dynamodb.DeleteItemInput:
		ns = append(ns, named{table: aws.ToString(in.TableName), key: in.Key})
	case *dynamodb.BatchWriteItemInput:
		for table, reqs := range in.RequestItems {
			for _, r := range reqs {
				if r.PutRequest != nil {
					ns = append(ns, named{table: table, full: r.PutRequest.Item})
				} else if r.DeleteRequest != nil {
					ns = append(ns, named{table: table, key: r.DeleteRequest.Key})
				}
			}
		}
	case *dynamodb.TransactWriteItemsInput:
		for _, t := range in.TransactItems {
			switch {
			case t.Put != nil:
				ns = append(ns, named{table: aws.ToString(t.Put.TableName), full: t.Put.Item, tx: true})
			case t.Update != nil:
				ns = append(ns, named{table: aws.ToString(t.Update.TableName), key: t.Update.Key, tx: true})
			case t.Delete != nil:
				ns = append(ns, named{table: aws.ToString(t.Delete.TableName), key: t.Delete.Key, tx: true})
			case t.ConditionCheck != nil:
				ns = append(ns, named{table: aws.ToString(t.ConditionCheck.TableName), key: t.ConditionCheck.Key, tx: true, check: true})
			}
		}
	default:
		return nil, nil
	}
	out := make([]pending, 0, len(ns))
	for _, n := range ns {
		t, err := p.table(ctx, n.table)
		if err != nil {
			return nil, err
		}
		key := n.key
		if key == nil {
			key = keyOf(t, n.full)
		}
		before, err := p.get(ctx, n.table, key)
		if err != nil {
			return nil, err
		}
		out = append(out, pending{table: t, key: key, before: before, tx: n.tx, check: n.check})
	}
	return out, nil
}

// afterWrites reads each item again and prices the write from its two images. A
// write that failed leaves the item as it was, which prices as DynamoDB bills a
// refused condition: by the item's size, at least one unit.
func (p *pricer) afterWrites(ctx context.Context, ws []pending) (cost.Units, map[string]cost.Units, error) {
	var total cost.Units
	parts := map[string]cost.Units{}
	for _, w := range ws {
		after := w.before
		if !w.check {
			var err error
			if after, err = p.get(ctx, w.table.Name, w.key); err != nil {
				return total, parts, err
			}
		}
		u := cost.Write{Table: w.table, Before: w.before, After: after, Transactional: w.tx, Check: w.check}.Units()
		total = total.Add(u)
		part := partOf(w.table.Name, w.key)
		if w.check {
			part += " (check)"
		}
		parts[part] = parts[part].Add(u)
	}
	return total, parts, nil
}

// partOf names the kind of item a key is, by its table and the shape of its keys: each
// key's leading capitals and the '#' after them ("surveys SURVEY#/AGG#", "loyalty
// ACCT#/L"); a key that starts otherwise (a date, an id) is "…".
func partOf(table string, key item) string {
	shape := func(name string) string {
		v, ok := key[name].(*types.AttributeValueMemberS)
		if !ok {
			return "…"
		}
		n := 0
		for n < len(v.Value) && (v.Value[n] >= 'A' && v.Value[n] <= 'Z' || v.Value[n] == '_') {
			n++
		}
		if n == 0 {
			return "…"
		}
		if n < len(v.Value) && v.Value[n] == '#' {
			n++
		}
		return v.Value[:n]
	}
	return short(table) + " " + shape("pk") + "/" + shape("sk")
}

// short is a bench table's name without the run's prefix.
func short(table string) string { return strings.TrimPrefix(table, "bench-") }

// readPart names what a read went through: its kind and its table (and index).
func readPart(params any) string {
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		return "get " + short(aws.ToString(in.TableName))
	case *dynamodb.BatchGetItemInput:
		return "batch get"
	case *dynamodb.TransactGetItemsInput:
		return "transactional get"
	case *dynamodb.QueryInput:
		t := "query " + short(aws.ToString(in.TableName))
		if in.IndexName != nil {
			t += "/" + aws.ToString(in.IndexName)
		}
		return t
	}
	return "read"
}

// read prices a read by what it evaluated: every item it names, whole; every item
// a query or scan went through, before its filter and projection.
func (p *pricer) read(ctx context.Context, params any) (cost.Units, error) {
	var total cost.Units
	sizes := func(table string, keys []item) ([]int, error) {
		out := make([]int, len(keys))
		for i, k := range keys {
			it, err := p.get(ctx, table, k)
			if err != nil {
				return nil, err
			}
			out[i] = cost.Size(it)
		}
		return out, nil
	}
	switch in := params.(type) {
	case *dynamodb.GetItemInput:
		s, err := sizes(aws.ToString(in.TableName), []item{in.Key})
		if err != nil {
			return total, err
		}
		return cost.Read{Sizes: s, Consistent: aws.ToBool(in.ConsistentRead)}.Units(), nil
	case *dynamodb.BatchGetItemInput:
		for table, ka := range in.RequestItems {
			s, err := sizes(table, ka.Keys)
			if err != nil {
				return total, err
			}
			total = total.Add(cost.Read{Sizes: s, Consistent: aws.ToBool(ka.ConsistentRead)}.Units())
		}
		return total, nil
	case *dynamodb.TransactGetItemsInput:
		for _, g := range in.TransactItems {
			if g.Get == nil {
				continue
			}
			s, err := sizes(aws.ToString(g.Get.TableName), []item{g.Get.Key})
			if err != nil {
				return total, err
			}
			total = total.Add(cost.Read{Sizes: s, Transactional: true}.Units())
		}
		return total, nil
	case *dynamodb.QueryInput:
		s, err := p.evaluated(ctx, in)
		if err != nil {
			return total, err
		}
		return cost.Read{Sizes: s, Consistent: aws.ToBool(in.ConsistentRead), Query: true}.Units(), nil
	case *dynamodb.ScanInput:
		return total, fmt.Errorf("the bench does not price a Scan (no request path scans)")
	}
	return total, nil
}

// placeholder finds the #names and :values an expression uses.
var placeholder = regexp.MustCompile(`[#:][A-Za-z0-9_]+`)

// evaluated runs the query again as DynamoDB evaluates it: the same key condition,
// start and limit, without the filter and the projection (the filter drops items only
// after they are read and billed), and returns the size of each item it went through.
// On an index the items are its entries, as the index projects them.
func (p *pricer) evaluated(ctx context.Context, in *dynamodb.QueryInput) ([]int, error) {
	used := placeholder.FindAllString(aws.ToString(in.KeyConditionExpression), -1)
	names, values := map[string]string{}, item{}
	for _, u := range used {
		if v, ok := in.ExpressionAttributeNames[u]; ok {
			names[u] = v
		}
		if v, ok := in.ExpressionAttributeValues[u]; ok {
			values[u] = v
		}
	}
	q := &dynamodb.QueryInput{TableName: in.TableName, IndexName: in.IndexName, KeyConditionExpression: in.KeyConditionExpression,
		ExclusiveStartKey: in.ExclusiveStartKey, Limit: in.Limit, ScanIndexForward: in.ScanIndexForward, ConsistentRead: in.ConsistentRead}
	if len(names) > 0 {
		q.ExpressionAttributeNames = names
	}
	if len(values) > 0 {
		q.ExpressionAttributeValues = values
	}
	out, err := p.db.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("price a query of %s: %w", aws.ToString(in.TableName), err)
	}
	s := make([]int, len(out.Items))
	for i, it := range out.Items {
		s[i] = cost.Size(it)
	}
	return s, nil
}

// get reads an item whole and consistently; nil when there is none.
func (p *pricer) get(ctx context.Context, table string, key item) (item, error) {
	out, err := p.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("price: read %s: %w", table, err)
	}
	return out.Item, nil
}

// table is a table's key schema and indexes, described once.
func (p *pricer) table(ctx context.Context, name string) (cost.Table, error) {
	p.mu.Lock()
	t, ok := p.tables[name]
	p.mu.Unlock()
	if ok {
		return t, nil
	}
	out, err := p.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return t, fmt.Errorf("price: describe %s: %w", name, err)
	}
	t = shape(out.Table)
	p.mu.Lock()
	p.tables[name] = t
	p.mu.Unlock()
	return t, nil
}

// shape is a described table's keys and indexes, as infra/cost reads them.
func shape(d *types.TableDescription) cost.Table {
	t := cost.Table{Name: aws.ToString(d.TableName), Keys: keyNames(d.KeySchema)}
	add := func(name string, keys []types.KeySchemaElement, pr *types.Projection, local bool) {
		ix := cost.Index{Name: name, Keys: keyNames(keys), Local: local, Projection: cost.ProjectAll}
		if pr != nil {
			switch pr.ProjectionType {
			case types.ProjectionTypeKeysOnly:
				ix.Projection = cost.ProjectKeysOnly
			case types.ProjectionTypeInclude:
				ix.Projection, ix.NonKey = cost.ProjectInclude, pr.NonKeyAttributes
			}
		}
		t.Indexes = append(t.Indexes, ix)
	}
	for _, g := range d.GlobalSecondaryIndexes {
		add(aws.ToString(g.IndexName), g.KeySchema, g.Projection, false)
	}
	for _, l := range d.LocalSecondaryIndexes {
		add(aws.ToString(l.IndexName), l.KeySchema, l.Projection, true)
	}
	return t
}

// keyNames lists the partition key, then the sort key.
func keyNames(ks []types.KeySchemaElement) []string {
	out := make([]string, len(ks))
	for _, k := range ks {
		i := 0
		if k.KeyType == types.KeyTypeRange {
			i = 1
		}
		out[min(i, len(out)-1)] = aws.ToString(k.AttributeName)
	}
	return out
}

// keyOf is an item's primary key.
func keyOf(t cost.Table, it item) item {
	k := item{}
	for _, n := range t.Keys {
		k[n] = it[n]
	}
	return k
}

// functionOf is the wiring row that serves a request, and whether there is one.
var functionOf = sync.OnceValue(func() func(*http.Request) (wiring.Function, bool) {
	mux := http.NewServeMux()
	byPattern := map[string]wiring.Function{}
	for _, f := range wiring.Functions {
		for _, r := range f.Trigger.Routes {
			mux.HandleFunc(r.Pattern(), func(http.ResponseWriter, *http.Request) {})
			byPattern[r.Pattern()] = f
		}
	}
	return func(req *http.Request) (wiring.Function, bool) {
		_, pattern := mux.Handler(req)
		f, ok := byPattern[pattern]
		return f, ok
	}
})
