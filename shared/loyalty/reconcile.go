package loyalty

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
)

// Scanner is the part of the DynamoDB client reconciliation uses.
type Scanner interface {
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Reconciliation is what a reconciliation found.
type Reconciliation struct {
	Accounts    int          `json:"accounts"`
	Entries     int          `json:"entries"`
	Differences []Difference `json:"differences"`
}

// Difference is an account whose numbers disagree.
type Difference struct {
	CustomerID    string `json:"customerId"`
	Balance       int    `json:"balance"`
	Pending       int    `json:"pending"`
	LedgerSum     int    `json:"ledgerSum"`
	LotsAvailable int    `json:"lotsAvailable"`
	LotsPending   int    `json:"lotsPending"`
}

// Clean tells whether every account agrees with its ledger and lots.
func (r Reconciliation) Clean() bool { return len(r.Differences) == 0 }

type tally struct {
	hasAccount             bool
	balance, pending       int
	ledger, avail, pendLot int
}

// Reconcile checks every account: balance plus pending must equal the sum of its
// ledger, the available lots must add up to the balance and the pending ones to
// pending, and nothing may be negative. It reads the whole table in parallel segments,
// with the dispatcher row's Scan grant on this table alone (wiring Scans): it has to
// read every account, lot and entry anyway, and no index or key range lists the
// accounts (the due index holds only accounts with a timer, the birthday index only
// members with a birthday, and an erased member's account moves under a pseudonym no
// other table knows), so anything but a Scan would miss accounts or read each one in
// its own Query. It runs daily on a schedule, never on a request.
func Reconcile(ctx context.Context, db Scanner, table string) (Reconciliation, error) {
	const segments = 4
	var mu sync.Mutex
	accounts := map[string]*tally{}
	entries := 0
	errs := make([]error, segments)
	var wg sync.WaitGroup
	for seg := range segments {
		wg.Go(func() {
			p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
				Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(segments),
				FilterExpression:          aws.String("begins_with(pk, :acct)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":acct": dynamo.S("ACCT#")}})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					errs[seg] = dynamo.Unavailable(err, "scan loyalty")
					return
				}
				mu.Lock()
				for _, raw := range page.Items {
					if err := count(raw, accounts, &entries); err != nil {
						errs[seg] = err
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Reconciliation{}, err
		}
	}
	rep := Reconciliation{Accounts: len(accounts), Entries: entries, Differences: []Difference{}}
	for cid, t := range accounts {
		if t.balance+t.pending != t.ledger || t.avail != t.balance || t.pendLot != t.pending || t.balance < 0 || t.pending < 0 {
			rep.Differences = append(rep.Differences, Difference{CustomerID: cid, Balance: t.balance, Pending: t.pending,
				LedgerSum: t.ledger, LotsAvailable: t.avail, LotsPending: t.pendLot})
		}
	}
	sort.Slice(rep.Differences, func(i, j int) bool { return rep.Differences[i].CustomerID < rep.Differences[j].CustomerID })
	return rep, nil
}

func count(raw map[string]types.AttributeValue, accounts map[string]*tally, entries *int) error {
	var k struct {
		PK string `dynamodbav:"pk"`
		SK string `dynamodbav:"sk"`
	}
	if err := attributevalue.UnmarshalMap(raw, &k); err != nil {
		return err
	}
	cid := strings.TrimPrefix(k.PK, "ACCT#")
	t := accounts[cid]
	if t == nil {
		t = &tally{}
		accounts[cid] = t
	}
	switch {
	case k.SK == accountSK:
		var a Account
		if err := attributevalue.UnmarshalMap(raw, &a); err != nil {
			return err
		}
		t.hasAccount, t.balance, t.pending = true, a.Balance, a.Pending
	case strings.HasPrefix(k.SK, lotPrefix), strings.HasPrefix(k.SK, spentPref):
		// An archived lot holds nothing; counted all the same, so one that does shows.
		var l Lot
		if err := attributevalue.UnmarshalMap(raw, &l); err != nil {
			return err
		}
		if l.Pending {
			t.pendLot += l.Remaining
		} else {
			t.avail += l.Remaining
		}
	case strings.HasPrefix(k.SK, entryPref):
		var e Entry
		if err := attributevalue.UnmarshalMap(raw, &e); err != nil {
			return err
		}
		t.ledger += e.Points
		*entries++
	}
	return nil
}
