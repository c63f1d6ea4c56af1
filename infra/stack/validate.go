package stack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// Validate checks that the props and the wiring rows describe a stack that can exist,
// so that a typo in the wiring table fails here with its row named, not at deploy time.
func (p StackProps) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if !slices.Contains(Stages, p.Stage) {
		add("stage %q: want one of %v", p.Stage, Stages)
	}
	if (p.JWTIssuer == "") != (len(p.JWTAudience) == 0) {
		add("JWT issuer and audience go together: issuer %q, audience %v", p.JWTIssuer, p.JWTAudience)
	}
	if p.JWTIssuer != "" && !strings.HasPrefix(p.JWTIssuer, "https://") {
		add("JWT issuer %q: API Gateway wants an https:// issuer URL", p.JWTIssuer)
	}
	if e := p.TableEncryption; e != "" && e != tableEncryptionCustomer && e != tableEncryptionAWSOwned {
		add("tableEncryption %q: want %s (the default) or %s", e, tableEncryptionCustomer, tableEncryptionAWSOwned)
	}
	errs = append(errs, p.validateOps()...)
	errs = append(errs, p.validateMessaging()...)
	errs = append(errs, p.validateNotifySettings()...)
	errs = append(errs, p.validateDomain()...)
	errs = append(errs, p.validateIdentity()...)
	errs = append(errs, p.validateConsole()...)
	errs = append(errs, uniqueNames(p)...)
	errs = append(errs, validateKeys(p)...)

	tables := map[string]wiring.Table{}
	for _, t := range p.Tables {
		tables[t.Name] = t
		keys := []*wiring.Key{&t.PartitionKey, t.SortKey}
		for _, idx := range t.Indexes {
			keys = append(keys, &idx.PartitionKey, idx.SortKey)
		}
		for _, k := range keys {
			if k == nil {
				continue
			}
			if _, ok := keyTypes[k.Type]; k.Name == "" || !ok {
				add("table %s: key %q wants a name and type S or N", t.Name, k.Name)
			}
		}
	}
	queues := map[string]wiring.Queue{}
	for _, q := range p.Queues {
		queues[q.Name] = q
		if q.MaxReceiveCount < 1 || q.VisibilityTimeoutSeconds < 1 || q.DLQRetentionDays < 1 || q.DLQRetentionDays > 14 {
			add("queue %s: want MaxReceiveCount >= 1, VisibilityTimeoutSeconds >= 1, DLQRetentionDays 1..14", q.Name)
		}
	}
	// Queues that share a DLQ agree on what it is: FIFO or not, and how long it keeps.
	for _, d := range wiring.DeadLetterQueues(p.Queues) {
		for _, q := range d.Sources[1:] {
			if q.FIFO != d.FIFO() || q.DLQRetentionDays != d.RetentionDays() {
				add("queue %s: shares %s with %s, want the same FIFO and DLQRetentionDays", q.Name, d.Name, d.Sources[0].Name)
			}
		}
	}
	routes := map[string]string{}
	for _, f := range p.Functions {
		errs = append(errs, validateFunction(f, tables, queues, routes)...)
	}
	return errors.Join(errs...)
}

func uniqueNames(p StackProps) []error {
	var errs []error
	check := func(kind string, names []string) {
		seen := map[string]bool{}
		for _, n := range names {
			// Construct ids drop the hyphens, so "a-b" and "ab" would collide.
			if seen[pascal(n)] {
				errs = append(errs, fmt.Errorf("%s %q: name used twice", kind, n))
			}
			seen[pascal(n)] = true
		}
	}
	var fns, tbls, qs []string
	for _, f := range p.Functions {
		fns = append(fns, f.Name)
	}
	for _, t := range p.Tables {
		tbls = append(tbls, t.Name)
	}
	for _, q := range p.Queues {
		qs = append(qs, q.Name)
	}
	for _, d := range wiring.DeadLetterQueues(p.Queues) {
		qs = append(qs, d.Name)
	}
	check("function", fns)
	check("table", tbls)
	check("queue", qs)
	return errs
}

func validateFunction(f wiring.Function, tables map[string]wiring.Table, queues map[string]wiring.Queue, routes map[string]string) []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("function %s: "+format, append([]any{f.Name}, args...)...))
	}

	if f.TimeoutSeconds < 1 || f.TimeoutSeconds > 900 || f.MemoryMB < 128 || f.MemoryMB > 10240 {
		add("want TimeoutSeconds 1..900 and MemoryMB 128..10240")
	}
	if f.TimeoutSeconds > 30 && len(f.Trigger.Routes) > 0 {
		add("HTTP APIs give up after 30 s; timeout %d s is too long", f.TimeoutSeconds)
	}

	triggers := 0
	if len(f.Trigger.Routes) > 0 {
		triggers++
	}
	if f.Trigger.Schedule != nil {
		triggers++
		// Rate expressions only, which make run ticks as AWS does; a run ends before
		// the next tick, so two runs of a schedule overlap only on a repeated event.
		if every, err := f.Trigger.Schedule.Every(); err != nil {
			add("%v", err)
		} else if time.Duration(f.TimeoutSeconds)*time.Second >= every {
			add("timeout %d s is not shorter than the schedule's period %s", f.TimeoutSeconds, every)
		}
	}
	if f.Trigger.Queue != nil {
		triggers++
	}
	if f.Trigger.Manual {
		triggers++
	}
	if triggers != 1 {
		add("want exactly one trigger (routes, schedule, queue or manual), got %d", triggers)
	}

	for _, r := range f.Trigger.Routes {
		if other, dup := routes[r.Pattern()]; dup {
			add("route %q already served by %s", r.Pattern(), other)
		}
		routes[r.Pattern()] = f.Name
		if r.Auth != wiring.Public && r.Auth != wiring.JWT {
			add("route %q: unknown auth %q", r.Pattern(), r.Auth)
		}
		if !strings.HasPrefix(r.Path, "/") || strings.Contains(r.Path, "...}") {
			// API Gateway spells a greedy segment {name+}, the ServeMux {name...}: one
			// string cannot key both, so the table keeps to plain segments.
			add("route %q: want an absolute path without greedy segments", r.Pattern())
		}
		if t := r.Throttle; t != nil && (t.RatePerSecond <= 0 || t.Burst < 1) {
			add("route %q: throttle wants a positive rate and burst", r.Pattern())
		}
	}

	for name, access := range f.Tables {
		if _, ok := tables[name]; !ok {
			add("table %q is not in the tables list", name)
		}
		if access != wiring.Read && access != wiring.ReadWrite {
			add("table %q: access %q is not read or read-write", name, access)
		}
	}
	// "No Scan on a request path": only a scheduled job or a manual upgrade may read a
	// table whole.
	for _, name := range f.Scans {
		if _, ok := f.Tables[name]; !ok {
			add("scan of table %q, which the row does not list in Tables", name)
		}
		if f.Trigger.Schedule == nil && !f.Trigger.Manual {
			add("scan of table %q outside a scheduled or manual function", name)
		}
	}
	for name, access := range f.Queues {
		if _, ok := queues[name]; !ok {
			add("queue %q is not in the queues list", name)
		}
		if access != wiring.Send && access != wiring.Consume && access != wiring.Inspect {
			add("queue %q: access %q is not send, consume or inspect", name, access)
		}
		// Consume permissions come from the event source mapping alone.
		if access == wiring.Consume && (f.Trigger.Queue == nil || f.Trigger.Queue.Queue != name) {
			add("queue %q: consume access without that queue as trigger", name)
		}
	}
	if qt := f.Trigger.Queue; qt != nil {
		errs = append(errs, validateQueueTrigger(f, qt, queues)...)
	}

	seen := map[string]bool{}
	for _, e := range f.Env {
		if seen[e.Name] {
			add("env %s set twice", e.Name)
		}
		seen[e.Name] = true
		sources := 0
		for _, s := range []string{e.Table, e.Queue, e.Key, e.Setting} {
			if s != "" {
				sources++
			}
		}
		if e.API {
			sources++
		}
		if e.Value != "" && e.Setting == "" {
			sources++
		}
		if sources != 1 {
			add("env %s: want exactly one of Table, Queue, Key, API, Value, Setting", e.Name)
		}
		if e.Table != "" && f.Tables[e.Table] == "" {
			add("env %s names table %q without access to it", e.Name, e.Table)
		}
		if e.Queue != "" && f.Queues[e.Queue] == "" {
			add("env %s names queue %q without access to it", e.Name, e.Queue)
		}
		if strings.HasPrefix(e.Name, "AWS_") {
			add("env %s: AWS_ variables are reserved by Lambda", e.Name)
		}
	}
	return errs
}

func validateQueueTrigger(f wiring.Function, qt *wiring.QueueTrigger, queues map[string]wiring.Queue) []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("function %s: "+format, append([]any{f.Name}, args...)...))
	}
	q, ok := queues[qt.Queue]
	if !ok {
		add("trigger queue %q is not in the queues list", qt.Queue)
		return errs
	}
	if f.Queues[qt.Queue] != wiring.Consume {
		add("trigger queue %q: the row must list it with consume access", qt.Queue)
	}
	if qt.WindowSeconds < 0 || qt.WindowSeconds > 300 {
		add("batching window %d s: want 0..300", qt.WindowSeconds)
	}
	maxBatch := 10
	if qt.WindowSeconds > 0 && !q.FIFO {
		maxBatch = 10000
	}
	// Lambda reads a FIFO queue without a batching window and at most 10 messages a batch.
	if q.FIFO && qt.WindowSeconds != 0 {
		add("trigger queue %s is FIFO: batching window %d s, want 0", qt.Queue, qt.WindowSeconds)
	}
	if qt.BatchSize < 1 || qt.BatchSize > maxBatch {
		add("batch size %d: want 1..%d", qt.BatchSize, maxBatch)
	}
	// Lambda's SQS guidance: six times the function timeout, plus the batching window
	// during which the poller already holds the first messages of a batch; less lets a
	// message reappear while it is being handled (throttled retries included).
	if need := 6*f.TimeoutSeconds + qt.WindowSeconds; q.VisibilityTimeoutSeconds < need {
		add("queue %s visibility timeout %d s is shorter than 6 × the function timeout %d s + the batching window %d s = %d s",
			q.Name, q.VisibilityTimeoutSeconds, f.TimeoutSeconds, qt.WindowSeconds, need)
	}
	return errs
}

// CheckAssets tells, before any synthesis, which functions have no built binary, so a
// missing `make build` reads as such instead of as a CDK asset stack trace.
func CheckAssets(assetDir string, functions []wiring.Function) error {
	var missing []string
	for _, f := range functions {
		if _, err := os.Stat(filepath.Join(assetDir, f.Name, "bootstrap")); err != nil {
			missing = append(missing, f.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no bootstrap binary under %s for %s: run `make build` first or pass -c assetDir=<dir>",
			assetDir, strings.Join(missing, ", "))
	}
	return nil
}
