package complaint_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Small fakes of the complaint domain's ports: what the domain does to other domains
// is tested with the real ones in shared/casework.

// locations is the registry as a map.
type locations struct {
	mu sync.Mutex
	m  map[string]place.Location
}

func (l *locations) put(loc place.Location) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]place.Location{}
	}
	l.m[loc.ID] = loc
}

func (l *locations) Location(_ context.Context, id string) (place.Location, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	loc, ok := l.m[id]
	if !ok {
		return place.Location{}, place.ErrNotFound
	}
	return loc, nil
}

func (l *locations) LocationIDs(context.Context) ([]string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ids []string
	for id := range l.m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, nil
}

// customers knows customers by normalised phone or email, and each one's home location.
type customers struct {
	mu        sync.Mutex
	byContact map[string]string
	home      map[string]string
}

func (c *customers) FindByContact(_ context.Context, phone, email string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range []string{phone, email} {
		if id, ok := c.byContact[k]; ok && k != "" {
			return id, nil
		}
	}
	return "", nil
}

func (c *customers) Reachable(_ context.Context, p auth.Principal, cid string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if loc, ok := c.home[cid]; ok && p.Sees(loc) {
		return nil
	}
	return problem.New(problem.NotFound, "no such customer")
}

// effects records what a case's life caused. A resolution schedules a callback when
// one is due and grants compensation once per case reference (the fake cannot see
// whether the transaction then succeeded), a voucher likewise. refuse, when set, makes a resolution add an
// item to the transaction whose condition fails, named refuse.
type effects struct {
	mu          sync.Mutex
	opened      []complaint.Opening
	resolved    []complaint.Resolution
	escalated   []complaint.Escalation
	calledOff   []string
	compensated map[string]bool
	vouchered   map[string]bool
	refuse      error
	table       string
}

func (e *effects) Opened(_ context.Context, _ *dynamo.Tx, o complaint.Opening) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.opened = append(e.opened, o)
	return nil
}

func (e *effects) Resolved(_ context.Context, tx *dynamo.Tx, r complaint.Resolution) (complaint.Settlement, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.resolved = append(e.resolved, r)
	var done complaint.Settlement
	if !r.CallbackAt.IsZero() {
		done.CallbackID = fmt.Sprintf("callback-%d", len(e.resolved))
	}
	if r.Points > 0 {
		if e.compensated[r.Case.Reference] {
			done.AlreadyCompensated = true
		} else {
			done.CompensationEntry = "entry-" + r.Case.Reference
		}
		if e.compensated == nil {
			e.compensated = map[string]bool{}
		}
		e.compensated[r.Case.Reference] = true
	}
	if r.Voucher != nil {
		done.VoucherCode = "VOUCHER-" + r.Case.Reference
		done.VoucherAlreadyIssued = e.vouchered[r.Case.Reference]
		if e.vouchered == nil {
			e.vouchered = map[string]bool{}
		}
		e.vouchered[r.Case.Reference] = true
	}
	if e.refuse != nil {
		tx.Add(e.refuse, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(e.table),
			Key: dynamo.Key("NOTHING#here", "NOTHING"), ConditionExpression: aws.String("attribute_exists(pk)")}})
	}
	return done, nil
}

func (e *effects) Escalated(_ context.Context, _ *dynamo.Tx, s complaint.Escalation) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.escalated = append(e.escalated, s)
	return nil
}

func (e *effects) CallOff(_ context.Context, id string, _ time.Time) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calledOff = append(e.calledOff, id)
	return nil
}
