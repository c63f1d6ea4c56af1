package privacy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/privacy"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Must show: a merge moves surveys, complaints and the ledger, and the loyalty balance
// stays equal to its ledger. Two profiles of one person, each with a visit, points, a
// survey response and a complaint, are merged over HTTP: everything of the duplicate
// is the survivor's, the survivor's points are the sum, every account reconciles, and
// merging again moves nothing.
func TestMergeMovesSurveysComplaintsAndLedger(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.seed("cust-a", "Li Lei", "+86 138 0013 8000", "li.lei@example.com")
	b := f.seed("cust-b", "Lei Li", "", "lei.li@work.example")
	want := f.total(a.id) + f.total(b.id)
	earned := f.balance(a.id).Earned12m + f.balance(b.id).Earned12m
	if want != 2*(268+120) {
		t.Fatalf("seeded %d points, want %d", want, 2*(268+120))
	}

	status, body := f.call(manager, "POST", "/v1/customers/cust-a/merge", `{"duplicateId":"cust-b"}`)
	if status != http.StatusOK {
		t.Fatalf("merge: %d %s", status, body)
	}
	var rep privacy.MergeReport
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	m := rep.Moved
	if rep.Resumed || m.Visits != 1 || m.SurveyResponses != 1 || m.Complaints != 1 || m.Invitations != 1 || m.Followups < 3 || m.Points.Lots != 2 || m.Points.Points != 388 {
		t.Fatalf("merge report %+v", rep)
	}

	// Surveys, complaints and follow-ups are the survivor's, in its indexes.
	rs, err := f.svc.Surveys.CustomerResponses(ctx, a.id)
	if err != nil || len(rs) != 2 || !slices.ContainsFunc(rs, func(r survey.Response) bool { return r.ID == b.responseID && r.CustomerID == a.id }) {
		t.Fatalf("survivor's responses %+v %v", rs, err)
	}
	for _, cid := range []string{b.id} {
		if rs, _ := f.svc.Surveys.CustomerResponses(ctx, cid); len(rs) != 0 {
			t.Fatalf("%d responses left with the duplicate", len(rs))
		}
		if cs, _ := f.svc.Complaints.CustomerCaseIDs(ctx, cid); len(cs) != 0 {
			t.Fatalf("%d cases left with the duplicate", len(cs))
		}
		if fs, _ := f.followups.CustomerFollowups(ctx, cid); len(fs) != 0 {
			t.Fatalf("%d follow-ups left with the duplicate", len(fs))
		}
	}
	cases, err := f.svc.Complaints.CustomerCaseIDs(ctx, a.id)
	if err != nil || !slices.Contains(cases, b.caseID) || len(cases) != 2 {
		t.Fatalf("survivor's cases %v %v", cases, err)
	}
	c, err := f.complaints.Get(ctx, admin, b.caseID)
	if err != nil || c.CustomerID != a.id || !slices.ContainsFunc(c.Timeline, func(e complaint.Event) bool {
		return e.Type == complaint.EventCustomerMerged && e.Internal && e.Details["from"] == b.id
	}) {
		t.Fatalf("the duplicate's case after the merge: %+v %v", c, err)
	}
	inv, err := f.surveys.Store.Invitation(ctx, f.invitation(a.id))
	if err != nil || inv.CustomerID != a.id {
		t.Fatalf("invitation: %+v %v", inv, err)
	}

	// The duplicate leads to the survivor, by id and by contact; the visit moved.
	prof, err := f.customers.Profile(ctx, b.id)
	if err != nil || prof.ID != a.id || prof.Visits != 2 || prof.Monetary != 536 || prof.Phone != "+8613800138000" || prof.Email != a.email {
		t.Fatalf("profile of the duplicate: %+v %v", prof, err)
	}
	if found, err := f.customers.FindByContact(ctx, "", b.email); err != nil || found != a.id {
		t.Fatalf("the duplicate's email finds %q (%v)", found, err)
	}
	if vs, _ := f.customers.Visits(ctx, b.id); len(vs) != 0 {
		t.Fatalf("%d visits left with the duplicate", len(vs))
	}
	if v, ok, err := f.customers.VisitBySource(ctx, b.visitSource); err != nil || !ok || v.CustomerID != a.id {
		t.Fatalf("the duplicate's visit claim: %+v %v", v, err)
	}
	if status, body := f.call(agent, "GET", "/v1/customers/cust-b", ""); status != 200 || !strings.Contains(body, `"customerId":"cust-a"`) {
		t.Fatalf("GET the duplicate: %d %s", status, body)
	}
	if status, body := f.call(admin, "GET", "/v1/customers/cust-a/timeline?limit=200", ""); status != 200 ||
		strings.Count(body, `"type":"complaint"`) != 2 || strings.Count(body, `"type":"survey"`) != 2 || strings.Count(body, `"type":"visit"`) != 2 {
		t.Fatalf("survivor's timeline: %d %s", status, body)
	}

	// The points moved through the ledger: the survivor's balance is the sum and
	// equals its ledger; the duplicate's is zero and equals its own.
	f.reconcile()
	if got := f.total(a.id); got != want || f.total(b.id) != 0 {
		t.Fatalf("survivor holds %d (want %d), duplicate %d", got, want, f.total(b.id))
	}
	if got := f.balance(a.id).Earned12m; got != earned {
		t.Fatalf("survivor earned %d in 12 months, want %d (both)", got, earned)
	}
	ledger := f.ledgerSum(a.id)
	if ledger != want {
		t.Fatalf("survivor's ledger sums to %d, its balance is %d", ledger, want)
	}

	// Again: it finishes nothing, moves nothing.
	status, body = f.call(manager, "POST", "/v1/customers/cust-a/merge", `{"duplicateId":"cust-b"}`)
	if err := json.Unmarshal([]byte(body), &rep); status != 200 || err != nil || !rep.Resumed || rep.Moved != (privacy.Moved{}) {
		t.Fatalf("second merge: %d %s", status, body)
	}
	f.reconcile()
	if got := f.total(a.id); got != want {
		t.Fatalf("after a second merge the survivor holds %d, want %d", got, want)
	}
}

func (f *fixture) balance(cid string) loyalty.Balance {
	f.t.Helper()
	b, err := f.points.Balance(context.Background(), cid)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *fixture) ledgerSum(cid string) int {
	f.t.Helper()
	ex, err := f.points.Store.ExportOf(context.Background(), cid)
	if err != nil {
		f.t.Fatal(err)
	}
	sum := 0
	for _, e := range ex.Ledger {
		sum += e.Points
	}
	return sum
}

// Merges that cannot be: into itself (400), into a merged profile or of a duplicate
// merged elsewhere (409), by an agent (403), across locations the caller may not see
// (404), of an unknown duplicate (400).
func TestMergeRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, id := range []string{"c-1", "c-2", "c-3"} {
		name := "Person " + id
		if _, _, err := f.customers.CreateProfile(ctx, customer.ProfileInput{ID: id, Name: &name, LocationID: aws.String("sh-01")}, "t", f.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if status, body := f.call(manager, "POST", "/v1/customers/c-1/merge", `{"duplicateId":"c-2"}`); status != 200 {
		t.Fatalf("merge: %d %s", status, body)
	}
	for _, c := range []struct {
		name   string
		p      auth.Principal
		path   string
		body   string
		status int
	}{
		{"into itself", manager, "/v1/customers/c-1/merge", `{"duplicateId":"c-1"}`, 400},
		{"no duplicate named", manager, "/v1/customers/c-1/merge", `{}`, 400},
		{"an unknown duplicate", manager, "/v1/customers/c-1/merge", `{"duplicateId":"nobody"}`, 400},
		{"an unknown survivor", manager, "/v1/customers/nobody/merge", `{"duplicateId":"c-3"}`, 404},
		{"into a merged profile", manager, "/v1/customers/c-2/merge", `{"duplicateId":"c-3"}`, 409},
		{"a duplicate merged into another", manager, "/v1/customers/c-3/merge", `{"duplicateId":"c-2"}`, 409},
		{"by an agent", agent, "/v1/customers/c-1/merge", `{"duplicateId":"c-3"}`, 403},
		{"of customers at another location", bjManager, "/v1/customers/c-1/merge", `{"duplicateId":"c-3"}`, 404},
		{"by a manager of no location", noManager, "/v1/customers/c-1/merge", `{"duplicateId":"c-3"}`, 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			if status, body := f.call(c.p, "POST", c.path, c.body); status != c.status {
				t.Fatalf("%d %s, want %d", status, body, c.status)
			}
		})
	}
	if prof, err := f.customers.StoredProfile(ctx, "c-3"); err != nil || prof.MergedInto != "" {
		t.Fatalf("c-3 after refused merges: %+v %v", prof, err)
	}
}

// cutter is a client whose writes fail after a number of them: a crash midway.
type cutter struct {
	dynamo.API
	left atomic.Int32
}

var errCut = errors.New("cut short")

func (c *cutter) cut() bool { return c.left.Add(-1) < 0 }

func (c *cutter) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if c.cut() {
		return nil, errCut
	}
	return c.API.PutItem(ctx, in, o...)
}

func (c *cutter) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	if c.cut() {
		return nil, errCut
	}
	return c.API.UpdateItem(ctx, in, o...)
}

func (c *cutter) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	if c.cut() {
		return nil, errCut
	}
	return c.API.DeleteItem(ctx, in, o...)
}

func (c *cutter) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if c.cut() {
		return nil, errCut
	}
	return c.API.TransactWriteItems(ctx, in, o...)
}

func (f *fixture) cutAfter(n int32) *privacy.Service {
	c := &cutter{API: f.env.Clients.DynamoDB}
	c.left.Store(n)
	return newService(f.env, c, f.clk)
}

// A merge cut short after any number of writes is finished by running it again: every
// record of the duplicate ends with the survivor, each exactly once, and the points
// reconcile at the crash and after.
func TestMergeCutShortIsFinishedByARerun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cuts := 0
	for i, cut := range []int32{1, 2, 3, 5, 7, 9, 11, 13} {
		a := f.seed(fmt.Sprintf("a-%d", i), "Survivor", fmt.Sprintf("+86 138 0000 10%02d", i), fmt.Sprintf("a%d@example.com", i))
		b := f.seed(fmt.Sprintf("b-%d", i), "Duplicate", "", fmt.Sprintf("b%d@example.com", i))
		want := f.total(a.id) + f.total(b.id)
		_, err := f.cutAfter(cut).Merge(ctx, manager, a.id, b.id)
		switch {
		case err == nil:
			continue // it needed fewer writes than that
		case !errors.Is(err, errCut):
			t.Fatalf("cut after %d: %v", cut, err)
		}
		cuts++
		f.reconcile()
		rep, err := f.svc.Merge(ctx, manager, a.id, b.id)
		if err != nil {
			t.Fatalf("rerun after %d writes: %v", cut, err)
		}
		f.reconcile()
		if got := f.total(a.id); got != want || f.total(b.id) != 0 {
			t.Fatalf("cut after %d: survivor holds %d, want %d (report %+v)", cut, got, want, rep)
		}
		rs, _ := f.svc.Surveys.CustomerResponses(ctx, a.id)
		cs, _ := f.svc.Complaints.CustomerCaseIDs(ctx, a.id)
		prof, _ := f.customers.StoredProfile(ctx, a.id)
		if len(rs) != 2 || len(cs) != 2 || prof.Visits != 2 {
			t.Fatalf("cut after %d: %d responses, %d cases, %d visits", cut, len(rs), len(cs), prof.Visits)
		}
		c, _ := f.complaints.Get(ctx, admin, b.caseID)
		merged := 0
		for _, e := range c.Timeline {
			if e.Type == complaint.EventCustomerMerged {
				merged++
			}
		}
		if merged != 1 {
			t.Fatalf("cut after %d: the case says %d times it was merged", cut, merged)
		}
	}
	if cuts < 5 {
		t.Fatalf("only %d merges were cut short", cuts)
	}
}

// Must show: after erasure, no route returns the person's name, phone, email or
// comments, and a scan of the emulator tables finds none of them. The person (with a
// duplicate merged into them) is known to every domain through its own code and every
// message was delivered to the outbox; another customer stays as they were.
func TestAfterErasureNoRouteOrTableHoldsThePerson(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.seed("cust-p", "Han Meimei", "+86 139 1234 5678", "han.meimei@example.com")
	d := f.seed("cust-d", "Meimei Han", "", "meimei@work.example")
	q := f.seed("cust-q", "Zhang Wei", "+86 137 5555 6666", "zhang.wei@example.com")
	if _, err := f.svc.Merge(ctx, manager, p.id, d.id); err != nil {
		t.Fatal(err)
	}
	secrets := append(slices.Clone(p.secrets), d.secrets...)
	if found := f.scan(secrets); len(found) == 0 {
		t.Fatal("the scan finds nothing before the erasure: it would find nothing after")
	}
	points := f.allPoints()
	before := f.results()

	if status, body := f.call(agent, "DELETE", "/v1/customers/cust-p", ""); status != http.StatusForbidden {
		t.Fatalf("an agent erases: %d %s", status, body)
	}
	if status, body := f.call(bjManager, "DELETE", "/v1/customers/cust-p", ""); status != http.StatusNotFound {
		t.Fatalf("another location's manager erases: %d %s", status, body)
	}
	if status, body := f.call(manager, "DELETE", "/v1/customers/cust-p", ""); status != http.StatusNoContent || body != "" {
		t.Fatalf("erase: %d %s", status, body)
	}
	for _, id := range []string{"cust-p", "cust-d"} {
		if status, body := f.call(manager, "DELETE", "/v1/customers/"+id, ""); status != http.StatusNotFound {
			t.Fatalf("erase %s again: %d %s", id, status, body)
		}
	}

	// No route returns them.
	var bodies []string
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/v1/customers/cust-p", 404},
		{"/v1/customers/cust-d", 404},
		{"/v1/customers/cust-p/export", 404},
		{"/v1/customers/cust-p/timeline", 404},
		{"/v1/customers/cust-d/timeline", 404},
		{"/v1/customers/cust-p/consent", 200},
		{"/v1/loyalty/cust-p", 200},
		{"/v1/loyalty/cust-p/ledger", 200},
		{"/v1/loyalty/cust-d/ledger", 200},
		{"/v1/followups?customerId=cust-p", 200},
		{"/v1/followups?customerId=cust-d", 200},
		{"/v1/complaints/" + p.caseID, 200},
		{"/v1/complaints/" + d.caseID, 200},
		{"/v1/complaints?limit=200", 200},
		{"/v1/complaints/track/" + p.tracking, 200},
		{"/v1/complaints/track/" + d.tracking, 200},
		{"/v1/surveys/" + surveyID + "/responses.csv", 200},
		{"/v1/surveys/" + surveyID + "/results", 200},
	} {
		status, body := f.call(admin, "GET", c.path, "")
		if status != c.status {
			t.Errorf("GET %s: %d %s, want %d", c.path, status, body, c.status)
		}
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("GET %s returns %q: %s", c.path, s, body)
			}
		}
		bodies = append(bodies, body)
	}
	if status, body := f.call(admin, "GET", "/v1/customers/cust-q", ""); status != 200 || !strings.Contains(body, q.name) {
		t.Fatalf("the other customer: %d %s", status, body)
	}
	if !strings.Contains(bodies[len(bodies)-2], q.comment) {
		t.Fatalf("the CSV export lost the other customer's comment: %s", bodies[len(bodies)-2])
	}

	// No table holds them; the other customer is all there.
	if found := f.scan(secrets); len(found) > 0 {
		t.Fatalf("after erasure the tables still hold:\n%s", strings.Join(found, "\n"))
	}
	if found := f.scan(q.secrets); len(found) < len(q.secrets) {
		t.Fatalf("the other customer's data went too: only %v", found)
	}
	// What stays names pseudonyms: only the audit records still name the ids.
	var named []string
	for _, where := range f.scan([]string{`"cust-p"`, `"cust-d"`, "CUST#cust-p", "CUST#cust-d", "ACCT#cust-p", "ACCT#cust-d", " cust-p", " cust-d", ":cust-d:"}) {
		if !strings.Contains(where, "ERASURE#") {
			named = append(named, where)
		}
	}
	if len(named) > 0 {
		t.Fatalf("after erasure these still name the customer:\n%s", strings.Join(named, "\n"))
	}

	// What stays, pseudonymised: the points (every account still equals its ledger,
	// and the sum of all points is unchanged), the survey results, the reports.
	f.reconcile()
	if got := f.allPoints(); got != points {
		t.Fatalf("all accounts hold %d points, %d before", got, points)
	}
	if after := f.results(); after != before {
		t.Fatalf("survey results changed: %+v → %+v", before, after)
	}
	c, err := f.complaints.Get(ctx, admin, p.caseID)
	if err != nil || c.Contact.Name != "" || c.Description != "" || c.Resolution != "" || c.CustomerID == p.id || c.Reference == "" || c.Status != complaint.Resolved {
		t.Fatalf("the erased case: %+v %v", c, err)
	}
	e, ok, err := f.customers.LatestErasure(ctx, "cust-p")
	if err != nil || !ok || e.Status != customer.ErasureDone || e.By != manager.Subject || len(e.Pseudonyms) != 0 ||
		e.Counts["profiles"] != 2 || e.Counts["surveyResponses"] != 2 || e.Counts["complaints"] != 2 || e.Counts["mergedDuplicates"] != 1 || e.Counts["outboxMessages"] == 0 {
		t.Fatalf("audit record: %+v %v", e, err)
	}
}

func (f *fixture) results() string {
	f.t.Helper()
	status, body := f.call(admin, "GET", "/v1/surveys/"+surveyID+"/results", "")
	if status != 200 {
		f.t.Fatalf("results: %d %s", status, body)
	}
	return body
}

// allPoints is the sum of every account's points.
func (f *fixture) allPoints() int {
	f.t.Helper()
	sum := 0
	p := dynamodb.NewScanPaginator(f.env.Clients.DynamoDB, &dynamodb.ScanInput{TableName: aws.String(f.env.Names("loyalty")),
		FilterExpression: aws.String("sk = :l"), ExpressionAttributeValues: map[string]types.AttributeValue{":l": dynamo.S("L")}})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		var accts []loyalty.Account
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &accts); err != nil {
			f.t.Fatal(err)
		}
		for _, a := range accts {
			sum += a.Balance + a.Pending
		}
	}
	return sum
}

// An erasure cut short after any number of writes is finished by running it again
// (the profile is gone by then for the later cuts: the running audit record finds
// the rest); the points reconcile at the crash and after.
func TestErasureCutShortIsFinishedByARerun(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cuts := 0
	for i, cut := range []int32{1, 3, 6, 10, 16, 25, 40, 60} {
		p := f.seed(fmt.Sprintf("e-%d", i), fmt.Sprintf("Erased Person %02d", i), fmt.Sprintf("+86 136 0000 20%02d", i), fmt.Sprintf("erased%d@example.com", i))
		points := f.allPoints()
		_, err := f.cutAfter(cut).Erase(ctx, manager, p.id)
		if err == nil {
			continue // it needed fewer writes than that
		}
		if !errors.Is(err, errCut) {
			t.Fatalf("cut after %d: %v", cut, err)
		}
		cuts++
		f.reconcile()
		if _, err := f.svc.Erase(ctx, manager, p.id); err != nil {
			t.Fatalf("rerun after %d writes: %v", cut, err)
		}
		f.reconcile()
		if found := f.scan(p.secrets); len(found) > 0 {
			t.Fatalf("cut after %d, then rerun: still\n%s", cut, strings.Join(found, "\n"))
		}
		if got := f.allPoints(); got != points {
			t.Fatalf("cut after %d: %d points, %d before", cut, got, points)
		}
		if _, err := f.svc.Erase(ctx, manager, p.id); problemStatus(err) != 404 {
			t.Fatalf("erase again: %v", err)
		}
	}
	if cuts < 6 {
		t.Fatalf("only %d erasures were cut short", cuts)
	}

	// Asked by a merged duplicate's id, cut short after the duplicate's profile went,
	// the same request again finishes the person's erasure.
	resumedByDup := 0
	for i, cut := range []int32{30, 45, 60, 75} {
		a := f.seed(fmt.Sprintf("s-%d", i), "Survivor Person", fmt.Sprintf("+86 135 0000 30%02d", i), fmt.Sprintf("survivor%d@example.com", i))
		b := f.seed(fmt.Sprintf("d-%d", i), "Duplicate Person", "", fmt.Sprintf("duplicate%d@example.com", i))
		if _, err := f.svc.Merge(ctx, manager, a.id, b.id); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cutAfter(cut).Erase(ctx, manager, b.id); err == nil || !errors.Is(err, errCut) {
			continue
		}
		if _, err := f.customers.StoredProfile(ctx, b.id); errors.Is(err, customer.ErrNoProfile) {
			resumedByDup++
		}
		if _, err := f.svc.Erase(ctx, manager, b.id); err != nil {
			t.Fatalf("rerun by the duplicate's id after %d writes: %v", cut, err)
		}
		f.reconcile()
		if found := f.scan(append(slices.Clone(a.secrets), b.secrets...)); len(found) > 0 {
			t.Fatalf("cut after %d, then rerun by the duplicate's id: still\n%s", cut, strings.Join(found, "\n"))
		}
		for _, id := range []string{a.id, b.id} {
			if e, ok, err := f.customers.LatestErasure(ctx, id); err != nil || !ok || e.Status != customer.ErasureDone || e.Survivor != "" {
				t.Fatalf("audit record of %s: %+v %v", id, e, err)
			}
		}
	}
	if resumedByDup == 0 {
		t.Fatal("no erasure was cut short after the duplicate's profile went")
	}
}

func problemStatus(err error) int { return problem.KindOf(err).Status() }

// The export holds all personal data on the person and their merged duplicate: both
// profiles with consent and its log, visits, responses with comments, cases with
// their timelines, accounts with member data and ledgers, follow-ups.
func TestExportHoldsThePersonAcrossDomains(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.seed("cust-x", "Wang Fang", "+86 135 0000 1111", "wang.fang@example.com")
	d := f.seed("cust-y", "Fang Wang", "", "fang@work.example")
	if _, err := f.svc.Merge(ctx, manager, p.id, d.id); err != nil {
		t.Fatal(err)
	}
	if status, _ := f.call(agent, "GET", "/v1/customers/cust-x/export", ""); status != 403 {
		t.Fatalf("an agent exports: %d", status)
	}
	if status, _ := f.call(bjManager, "GET", "/v1/customers/cust-x/export", ""); status != 404 {
		t.Fatalf("another location's manager exports: %d", status)
	}
	status, body := f.call(manager, "GET", "/v1/customers/cust-y/export", "")
	if status != 200 {
		t.Fatalf("export: %d %s", status, body)
	}
	for _, s := range append(slices.Clone(p.secrets), d.secrets...) {
		if !strings.Contains(body, s) {
			t.Errorf("the export lacks %q", s)
		}
	}
	var ex privacy.Export
	if err := json.Unmarshal([]byte(body), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.CustomerID != p.id || !slices.Equal(ex.MergedDuplicates, []string{d.id}) || len(ex.Profiles) != 2 || len(ex.Consent) != 2 ||
		len(ex.Visits) != 2 || len(ex.SurveyResponses) != 2 || len(ex.Complaints) != 2 || len(ex.Loyalty) != 2 || len(ex.Followups) < 6 {
		t.Fatalf("export: %s", body)
	}
	for _, c := range ex.Complaints {
		if len(c.Timeline) < 3 {
			t.Fatalf("case %s exported with %d events", c.ID, len(c.Timeline))
		}
	}
	if ex.Loyalty[0].Account == nil || ex.Loyalty[0].Account.Phone == "" || len(ex.Loyalty[0].Ledger) < 3 || len(ex.Consent[0].Log) < 2 {
		t.Fatalf("export's loyalty or consent: %+v %+v", ex.Loyalty[0], ex.Consent[0])
	}
}

// The retention job removes the personal data of complaints closed over a year ago and
// of survey comments over two years old, through indexes, and leaves the rest; a
// second run finds nothing to do.
func TestRetentionRemovesOldComplaintAndCommentData(t *testing.T) {
	f := newFixtureOn(t, withCommentsIndex(t))
	ctx := context.Background()
	f.clk.Set(time.Date(2024, 1, 8, 2, 0, 0, 0, time.UTC))
	old := f.seed("old-1", "Old Customer", "+86 131 0000 0001", "old@example.com")
	f.clk.Advance(24 * time.Hour)
	if _, err := f.complaints.Act(ctx, admin, old.caseID, complaint.ActionRequest{Action: complaint.Close}); err != nil {
		t.Fatal(err)
	}
	stillOpen, err := f.complaints.Submit(ctx, nil, complaint.Intake{Channel: "web", Category: "billing", Description: "Charged twice, still open",
		LocationID: "sh-01", Contact: complaint.Contact{Name: "Open Case", Email: "open@example.com"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.clk.Set(time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC))
	recent := f.seed("new-1", "New Customer", "+86 131 0000 0002", "new@example.com")
	if _, err := f.complaints.Act(ctx, admin, recent.caseID, complaint.ActionRequest{Action: complaint.Close}); err != nil {
		t.Fatal(err)
	}
	f.backfillComments()
	f.clk.Set(time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC))

	env := config.FromMap(map[string]string{"CUSTOMERS_TABLE": f.env.Names("customers"), "SURVEYS_TABLE": f.env.Names("surveys"),
		"COMPLAINTS_TABLE": f.env.Names("complaints"), "FOLLOWUPS_TABLE": f.env.Names("followups")})
	job, err := privacy.RetentionJob(env, app.Deps{Clients: f.env.Clients, Clock: f.clk})
	if err != nil || env.Err() != nil || job.Lease == nil || job.Lease.Table != f.env.Names("complaints") {
		t.Fatalf("job %+v: %v, %v; want one leased in the complaints table", job, err, env.Err())
	}
	if err := job.Run(ctx, f.clk.Now()); err != nil {
		t.Fatal(err)
	}

	gone := []string{old.comment, old.description, "Called " + old.name, "Apologised to " + old.name, "Ask for " + old.name}
	if found := f.scan(gone); len(found) > 0 {
		t.Fatalf("after retention the tables still hold:\n%s", strings.Join(found, "\n"))
	}
	kept := []string{recent.comment, recent.description, "Called " + recent.name, "Ask for " + recent.name, "Charged twice, still open"}
	if found := f.scan(kept); len(found) < len(kept) {
		t.Fatalf("retention took more than it should: only %v of %v left", found, kept)
	}
	c, err := f.complaints.Get(ctx, admin, old.caseID)
	if err != nil || c.Contact.Name != "" || c.Contact.Email != "" || c.Description != "" || c.CustomerID != old.id || c.Category != "waiting_time" ||
		!slices.ContainsFunc(c.Timeline, func(e complaint.Event) bool { return e.Type == complaint.EventPersonalDataRemoved }) {
		t.Fatalf("the old case: %+v %v", c, err)
	}
	if open, err := f.complaints.Get(ctx, admin, stillOpen.ComplaintID); err != nil || open.Contact.Name != "Open Case" {
		t.Fatalf("the open case: %+v %v", open, err)
	}
	rs, err := f.surveys.Store.Responses(ctx, surveyID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		switch r.CustomerID {
		case old.id:
			if r.Comment != "" || len(r.Answers) != 2 || r.Score.NPS == nil || *r.Score.NPS != 3 {
				t.Fatalf("the old response: %+v", r)
			}
		case recent.id:
			if r.Comment != recent.comment || len(r.Answers) != 3 {
				t.Fatalf("the recent response: %+v", r)
			}
		}
	}
	// Nothing left to do: a second run reads nothing it already did.
	svc := newService(f.env, f.env.Clients.DynamoDB, f.clk)
	rep, err := svc.Retain(ctx, f.clk.Now(), privacy.DefaultRetention)
	if err != nil || rep != (privacy.RetentionReport{}) {
		t.Fatalf("second run: %+v %v", rep, err)
	}
}

// withCommentsIndex is a test environment whose surveys table has the sparse comments
// index, as the wiring table defines it (or will: until then, the same definition
// here, on a table of its own).
func withCommentsIndex(t *testing.T) *testenv.Env {
	t.Helper()
	env := testenv.New(t)
	tbl, _ := wiring.TableByName("surveys")
	if slices.ContainsFunc(tbl.Indexes, func(ix wiring.Index) bool { return ix.Name == survey.CommentsIndex }) {
		return env
	}
	tbl.Indexes = append(slices.Clone(tbl.Indexes), wiring.Index{Name: survey.CommentsIndex,
		PartitionKey: wiring.Key{Name: "commentPk", Type: wiring.String}, SortKey: &wiring.Key{Name: "commentSk", Type: wiring.String}})
	names := env.Names
	own := names("surveys") + "-comments"
	if err := dynamo.CreateTables(context.Background(), env.Clients.DynamoDB, func(string) string { return own }, []wiring.Table{tbl}); err != nil {
		t.Fatal(err)
	}
	with := *env
	with.Names = func(n string) string {
		if n == "surveys" {
			return own
		}
		return names(n)
	}
	return &with
}

// backfillComments puts the responses with free text into the comments index (what
// saving a response does once the survey store writes the index keys).
func (f *fixture) backfillComments() {
	f.t.Helper()
	rs, err := f.surveys.Store.Responses(context.Background(), surveyID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, r := range rs {
		if err := f.surveys.Store.IndexComment(context.Background(), r); err != nil {
			f.t.Fatal(err)
		}
	}
}

// The function serves the three routes, reads the five tables from its environment
// and fails naming them when they are missing.
func TestFunctionReadsItsTables(t *testing.T) {
	row, ok := wiring.FunctionByName("customer-data")
	if !ok {
		row = wiring.Function{Name: "customer-data", Trigger: wiring.Trigger{Routes: []wiring.Route{
			{Method: "POST", Path: "/v1/customers/{customerId}/merge", Auth: wiring.JWT, Roles: wiring.ManagerUp},
			{Method: "GET", Path: "/v1/customers/{customerId}/export", Auth: wiring.JWT, Roles: wiring.ManagerUp},
			{Method: "DELETE", Path: "/v1/customers/{customerId}", Auth: wiring.JWT, Roles: wiring.ManagerUp},
		}}}
	}
	routes := privacy.Routes(&privacy.Service{})
	for _, r := range row.Trigger.Routes {
		if _, ok := routes[r.Pattern()]; !ok {
			t.Errorf("no handler for %s", r.Pattern())
		}
	}
	tables := []string{"COMPLAINTS_TABLE", "CUSTOMERS_TABLE", "FOLLOWUPS_TABLE", "LOYALTY_TABLE", "REWARDS_TABLE", "SURVEYS_TABLE"}
	env := config.FromMap(map[string]string{})
	if _, err := privacy.Function(row, env, app.Deps{}); err != nil {
		t.Fatal(err)
	}
	err := env.Err()
	for _, name := range tables {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Fatalf("missing %s not named: %v", name, err)
		}
	}
	if got := env.Read(); !slices.Equal(got, tables) {
		t.Fatalf("reads %v, want %v", got, tables)
	}
}
