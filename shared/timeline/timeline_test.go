package timeline_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/casework"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/complaint"
	"github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/id"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/membership"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/survey"
	"github.com/rapport-crm/rapport/shared/testenv"
	"github.com/rapport-crm/rapport/shared/timeline"
)

var (
	admin   = auth.Principal{Subject: "admin-1", Roles: []string{"admin"}, All: true}
	shAgent = auth.Principal{Subject: "agent-sh", Roles: []string{"agent"}, Locations: []string{"sh-01"}}
	bjAgent = auth.Principal{Subject: "agent-bj", Roles: []string{"agent"}, Locations: []string{"bj-01"}}
)

// fixture is one customer's history in every source, written through each domain's
// own code, a minute apart.
type fixture struct {
	env       *testenv.Env
	clk       *clock.Manual
	customers *customer.Store
	mux       *http.ServeMux
	// want is cust-1's timeline, newest first, as type:id.
	want []string
	// secrets must never appear in a timeline.
	secrets []string
	// receipt is the complaint's intake receipt.
	receipt complaint.Receipt
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	env := testenv.New(t)
	db := env.Clients.DynamoDB
	clk := clock.NewManual(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)) // 09:00 in Shanghai
	customers := &customer.Store{DB: db, Table: env.Names("customers"), Locations: &location.Store{DB: db, Table: env.Names("customers")}}
	followups := &followup.Store{DB: db, Table: env.Names("followups")}
	svc := &timeline.Service{DB: db, Profiles: customers, Tables: timeline.Tables{
		Customers: env.Names("customers"), Loyalty: env.Names("loyalty"), Followups: env.Names("followups"),
		Complaints: env.Names("complaints"), Surveys: env.Names("surveys"),
	}, Cursors: cursor.New(cursor.Static("timeline test key"))}
	f := &fixture{env: env, clk: clk, customers: customers, mux: http.NewServeMux()}
	for pattern, h := range timeline.Routes(svc) {
		f.mux.Handle(pattern, h)
	}
	tick := func() { clk.Advance(time.Minute) }

	loc := place.Location{ID: "sh-01", Code: "SH01", Name: "Shanghai Bund", TimeZone: "Asia/Shanghai",
		WeeklyHours: map[string][]string{"mon": {"09:00-18:00"}, "tue": {"09:00-18:00"}}}
	if err := loc.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := customers.Locations.(*location.Store).PutLocation(ctx, loc, 0); err != nil {
		t.Fatal(err)
	}
	name, phone, email := "Li Lei", "138 0013 8000", "li.lei@example.com"
	if _, _, err := customers.CreateProfile(ctx, customer.ProfileInput{ID: "cust-1", Name: &name, Phone: &phone,
		Email: &email, LocationID: aws.String("sh-01")}, "tester", clk.Now()); err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, name, "+8613800138000", email)

	tick()
	v1 := f.putVisit(t, "cust-1", "sh-01", 88.5)

	tick()
	points := &loyalty.Service{Store: &loyalty.Store{DB: db, Table: env.Names("loyalty")}, Clock: clk, Effects: membership.Messages{Followups: followups}}
	e1, _, err := points.Earn(ctx, "pos", "cust-1", loyalty.EarnRequest{SourceID: "order-1", Points: 120, LocationID: "sh-01"})
	if err != nil {
		t.Fatal(err)
	}

	tick()
	cases := &complaint.Service{Store: &complaint.Store{DB: db, Table: env.Names("complaints")},
		Locations: customers.Locations.(*location.Store), Customers: customers, Effects: &casework.Effects{Followups: followups}, Clock: clk, PublicURL: "https://api.example"}
	f.receipt, err = cases.Submit(ctx, nil, complaint.Intake{Category: "waiting_time", Description: "Forty minutes at the counter.",
		LocationID: "sh-01", Contact: complaint.Contact{Name: name, Phone: "13800138000", Locale: "en"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, f.receipt.TrackingToken, "Forty minutes")
	intakeMessage := f.followupOf(t, "cust-1", followup.KindComplaintUpdate)

	tick()
	surveys := &survey.Service{Store: &survey.Store{DB: db, Table: env.Names("surveys")}, Clock: clk}
	if err := surveys.Store.PutSurvey(ctx, survey.Survey{ID: "s-1", Name: "Visit", Version: 1,
		Questions: []survey.Question{{ID: "nps", Type: survey.TypeNPS, Required: true}, {ID: "note", Type: survey.TypeText}}}); err != nil {
		t.Fatal(err)
	}
	token := "inv-" + id.Token(16)
	if err := surveys.Store.PutInvitation(ctx, survey.Invitation{Token: token, SurveyID: "s-1", CustomerID: "cust-1",
		LocationID: "sh-01", StaffID: "waiter-7", ExpiresAt: clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	answered, err := surveys.Submit(ctx, "s-1", survey.Submission{InvitationToken: token, Comment: "Lovely tea",
		Answers: []survey.Answer{{QuestionID: "nps", Value: 9.0}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, token, "Lovely tea")

	tick()
	to := followup.Recipient{Type: "customer", ID: "cust-1", Channel: "email", Address: email, TimeZone: "Asia/Shanghai"}
	winBack := followup.Followup{ID: id.New(clk.Now()), Kind: followup.KindWinBack, LocationID: "sh-01", DedupeKey: "win-back#cust-1",
		Recipient: to, DueAt: clk.Now().Add(24 * time.Hour), Subject: "We miss you", Body: "Come back for tea", CreatedAt: clk.Now()}
	puts, err := followups.SchedulePuts(winBack)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts}); err != nil {
		t.Fatal(err)
	}
	f.secrets = append(f.secrets, "Come back for tea")

	tick()
	v2 := f.putVisit(t, "cust-1", "bj-01", 40)

	tick()
	e2, _, err := points.Earn(ctx, "pos", "cust-1", loyalty.EarnRequest{SourceID: "order-2", Points: 30})
	if err != nil {
		t.Fatal(err)
	}

	// Someone else's history stays out of it.
	f.putVisit(t, "cust-2", "sh-01", 12)

	// The complaint and its intake message share a minute: a tie, broken by type.
	f.want = []string{"points:" + e2.ID, "visit:" + v2, "followup:" + winBack.ID, "survey:" + answered.ResponseID,
		"followup:" + intakeMessage, "complaint:" + f.receipt.ComplaintID, "points:" + e1.ID, "visit:" + v1}
	return f
}

// putVisit writes a visit as the customers table keeps it.
func (f *fixture) putVisit(t *testing.T, cid, loc string, amount float64) string {
	t.Helper()
	now := f.clk.Now()
	v := customer.Visit{ID: id.New(now), SourceID: "pos-" + id.Token(5), CustomerID: cid, LocationID: loc, Amount: amount,
		Currency: "CNY", At: now, ReceivedAt: now, EffectsDone: true, StaffID: "waiter-7"}
	item, err := attributevalue.MarshalMap(struct {
		PK string `dynamodbav:"pk"`
		SK string `dynamodbav:"sk"`
		customer.Visit
	}{customer.CustomerPK(cid), customer.VisitSK(v.At, v.ID), v})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.env.Clients.DynamoDB.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(f.env.Names("customers")), Item: item}); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// followupOf is the id of the customer's one follow-up of a kind.
func (f *fixture) followupOf(t *testing.T, cid, kind string) string {
	t.Helper()
	fs, _, err := (&followup.Store{DB: f.env.Clients.DynamoDB, Table: f.env.Names("followups")}).ForCustomer(context.Background(), cid, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, fu := range fs {
		if fu.Kind == kind {
			ids = append(ids, fu.ID)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%d %s follow-ups for %s, want 1", len(ids), kind, cid)
	}
	return ids[0]
}

type page struct {
	CustomerID string `json:"customerId"`
	Items      []struct {
		At         time.Time      `json:"at"`
		Type       string         `json:"type"`
		ID         string         `json:"id"`
		LocationID string         `json:"locationId"`
		Summary    string         `json:"summary"`
		Details    map[string]any `json:"details"`
	} `json:"items"`
	NextCursor *string `json:"nextCursor"`
	// Errors is set on a problem document.
	Errors []struct {
		Field string `json:"field"`
	} `json:"errors"`
}

func (p page) keys() []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Type+":"+it.ID)
	}
	return out
}

// get asks for a timeline page as a principal.
func (f *fixture) get(t *testing.T, p auth.Principal, cid string, q url.Values) (int, page, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/v1/customers/"+cid+"/timeline?"+q.Encode(), nil)
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r.WithContext(auth.With(r.Context(), p)))
	var pg page
	if err := json.Unmarshal(w.Body.Bytes(), &pg); err != nil {
		t.Fatalf("%d %s: %v", w.Code, w.Body, err)
	}
	return w.Code, pg, w.Body.String()
}

// walk reads every page at a limit and returns what they held, in order.
func (f *fixture) walk(t *testing.T, p auth.Principal, cid string, limit int) ([]string, int) {
	t.Helper()
	var all []string
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	for pages := 1; ; pages++ {
		code, pg, body := f.get(t, p, cid, q)
		if code != http.StatusOK {
			t.Fatalf("page %d: %d %s", pages, code, body)
		}
		if len(pg.Items) > limit {
			t.Fatalf("page %d holds %d items, limit %d", pages, len(pg.Items), limit)
		}
		all = append(all, pg.keys()...)
		if pg.NextCursor == nil {
			return all, pages
		}
		if pages > 100 {
			t.Fatal("the cursor never ends")
		}
		q.Set("cursor", *pg.NextCursor)
	}
}

func TestTimelineMergesEverySourceNewestFirst(t *testing.T) {
	f := newFixture(t)
	code, pg, body := f.get(t, admin, "cust-1", nil)
	if code != http.StatusOK {
		t.Fatalf("%d %s", code, body)
	}
	if got := pg.keys(); !slices.Equal(got, f.want) {
		t.Fatalf("timeline\n got %v\nwant %v", got, f.want)
	}
	if pg.NextCursor != nil || pg.CustomerID != "cust-1" {
		t.Fatalf("customer %q, next cursor %v: want cust-1 and none", pg.CustomerID, pg.NextCursor)
	}
	for i := 1; i < len(pg.Items); i++ {
		if pg.Items[i].At.After(pg.Items[i-1].At) {
			t.Fatalf("item %d (%s) is newer than item %d", i, pg.Items[i].At, i-1)
		}
	}
	byType := map[string]map[string]any{}
	for _, it := range pg.Items {
		if it.Summary == "" || it.At.Location() != time.UTC {
			t.Fatalf("item %+v: want a summary and a UTC time", it)
		}
		if _, seen := byType[it.Type]; !seen {
			byType[it.Type] = it.Details
		}
	}
	checks := []struct{ typ, field string }{
		{"visit", "amount"}, {"points", "points"}, {"points", "entryType"}, {"points", "sourceId"},
		{"followup", "kind"}, {"followup", "status"}, {"followup", "channel"},
		{"complaint", "reference"}, {"complaint", "status"}, {"complaint", "category"},
		{"survey", "surveyId"}, {"survey", "nps"},
	}
	want := map[string]any{"visit.amount": 40.0, "points.points": 30.0, "points.entryType": "earn", "points.sourceId": "order-2",
		"followup.kind": followup.KindWinBack, "followup.status": "scheduled", "followup.channel": "email",
		"complaint.reference": f.receipt.Reference, "complaint.status": "received", "complaint.category": "waiting_time",
		"survey.surveyId": "s-1", "survey.nps": 9.0}
	for _, c := range checks {
		if got := byType[c.typ][c.field]; got != want[c.typ+"."+c.field] {
			t.Errorf("%s details %s = %v, want %v", c.typ, c.field, got, want[c.typ+"."+c.field])
		}
	}
	// A visit and a response name the staff member who served.
	for _, typ := range []string{"visit", "survey"} {
		if got := byType[typ]["staffId"]; got != "waiter-7" {
			t.Errorf("%s details staffId = %v, want waiter-7", typ, got)
		}
	}
	for _, s := range f.secrets {
		if strings.Contains(body, s) {
			t.Errorf("the timeline shows %q", s)
		}
	}
}

func TestTimelinePagesWalkEverythingOnce(t *testing.T) {
	f := newFixture(t)
	for _, limit := range []int{1, 2, 3, 7, 8, 200} {
		t.Run("limit "+strconv.Itoa(limit), func(t *testing.T) {
			got, pages := f.walk(t, admin, "cust-1", limit)
			if !slices.Equal(got, f.want) {
				t.Fatalf("pages held\n %v\nwant %v", got, f.want)
			}
			if want := (len(f.want) + limit - 1) / limit; pages != want {
				t.Fatalf("%d pages, want %d", pages, want)
			}
		})
	}
}

func TestTimelineRefusesABadCursorOrLimit(t *testing.T) {
	f := newFixture(t)
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	_, first, _ := f.get(t, admin, "cust-1", url.Values{"limit": {"2"}})
	cases := []struct {
		name  string
		q     url.Values
		field string
	}{
		{"not base64", url.Values{"cursor": {"!!not-a-cursor"}}, "cursor"},
		{"not JSON", url.Values{"cursor": {enc("hello")}}, "cursor"},
		{"null", url.Values{"cursor": {enc("null")}}, "cursor"},
		{"unknown source", url.Values{"cursor": {enc(`{"visits":{"after":"VISIT#2026"}}`)}}, "cursor"},
		{"no position", url.Values{"cursor": {enc(`{"visit":{}}`)}}, "cursor"},
		{"another key range", url.Values{"cursor": {enc(`{"visit":{"after":"PROFILE"}}`)}}, "cursor"},
		{"unknown field", url.Values{"cursor": {enc(`{"visit":{"after":"VISIT#2026","skip":1}}`)}}, "cursor"},
		{"cut short", url.Values{"cursor": {(*first.NextCursor)[:len(*first.NextCursor)-3]}}, "cursor"},
		{"limit 0", url.Values{"limit": {"0"}}, "limit"},
		{"limit 201", url.Values{"limit": {"201"}}, "limit"},
		{"limit words", url.Values{"limit": {"ten"}}, "limit"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, pg, body := f.get(t, admin, "cust-1", c.q)
			if code != http.StatusBadRequest || len(pg.Errors) != 1 || pg.Errors[0].Field != c.field {
				t.Fatalf("%d %s: want 400 naming %s", code, body, c.field)
			}
		})
	}
}

func TestTimelineAccessFollowsTheHomeLocation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t.Run("another location's customer is not found", func(t *testing.T) {
		if code, _, body := f.get(t, bjAgent, "cust-1", nil); code != http.StatusNotFound {
			t.Fatalf("%d %s, want 404", code, body)
		}
	})
	t.Run("a token with no location sees no customer", func(t *testing.T) {
		nowhere := auth.Principal{Subject: "agent-0", Roles: []string{"agent"}}
		if code, _, body := f.get(t, nowhere, "cust-1", nil); code != http.StatusNotFound {
			t.Fatalf("%d %s, want 404", code, body)
		}
	})
	t.Run("a location that served the customer sees them, with its own items", func(t *testing.T) {
		// A visit reported at bj-01 makes the customer belong there too.
		f.clk.Advance(time.Minute)
		now := f.clk.Now()
		served := customer.Visit{ID: id.New(now), SourceID: "pos-" + id.Token(5), CustomerID: "cust-1", LocationID: "bj-01",
			Amount: 7, Currency: "CNY", At: now, ReceivedAt: now}
		if err := f.customers.RecordVisit(ctx, served); err != nil {
			t.Fatal(err)
		}
		// bj-01's visits and the points of no location; none of sh-01's history.
		want := []string{"visit:" + served.ID, f.want[0], f.want[1]}
		if got, _ := f.walk(t, bjAgent, "cust-1", 50); !slices.Equal(got, want) {
			t.Fatalf("\n got %v\nwant %v", got, want)
		}
	})
	t.Run("the home location sees the customer, not other locations' items", func(t *testing.T) {
		var want []string
		for _, k := range f.want {
			if !strings.HasPrefix(k, "visit:") || k == f.want[len(f.want)-1] { // the second visit was at bj-01
				want = append(want, k)
			}
		}
		for _, limit := range []int{1, 2, 50} {
			if got, _ := f.walk(t, shAgent, "cust-1", limit); !slices.Equal(got, want) {
				t.Fatalf("limit %d:\n got %v\nwant %v", limit, got, want)
			}
		}
	})
	t.Run("history without a profile is for unrestricted tokens", func(t *testing.T) {
		ghost := f.putVisit(t, "ghost", "sh-01", 5)
		code, pg, body := f.get(t, admin, "ghost", nil)
		if code != http.StatusOK || !slices.Equal(pg.keys(), []string{"visit:" + ghost}) {
			t.Fatalf("%d %s", code, body)
		}
		if code, _, body := f.get(t, shAgent, "ghost", nil); code != http.StatusNotFound {
			t.Fatalf("%d %s, want 404", code, body)
		}
		if code, _, body := f.get(t, admin, "nobody", nil); code != http.StatusNotFound {
			t.Fatalf("%d %s, want 404 for neither profile nor history", code, body)
		}
	})
	t.Run("a merged duplicate shows its survivor", func(t *testing.T) {
		_, err := f.env.Clients.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(f.env.Names("customers")),
			Item: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: customer.CustomerPK("dup-1")}, "sk": &types.AttributeValueMemberS{Value: "PROFILE"},
				"customerId": &types.AttributeValueMemberS{Value: "dup-1"}, "mergedInto": &types.AttributeValueMemberS{Value: "cust-1"},
				"version": &types.AttributeValueMemberN{Value: "2"},
			}})
		if err != nil {
			t.Fatal(err)
		}
		code, pg, body := f.get(t, shAgent, "dup-1", nil)
		if code != http.StatusOK || pg.CustomerID != "cust-1" || len(pg.Items) != len(f.want)-1 {
			t.Fatalf("%d %s", code, body)
		}
	})
	t.Run("a run of hidden items still moves the cursor on", func(t *testing.T) {
		// Newer than everything: a visible visit, and above it hidden ones, so a page's
		// window of visits can hold nothing but hidden ones while the visible one, still
		// newer than every other source, waits beyond it.
		f.clk.Advance(time.Minute)
		want := []string{"visit:" + f.putVisit(t, "cust-1", "sh-01", 3)}
		for range 5 {
			f.clk.Advance(time.Minute)
			f.putVisit(t, "cust-1", "bj-01", 1)
		}
		for _, k := range f.want {
			if !strings.HasPrefix(k, "visit:") || k == f.want[len(f.want)-1] {
				want = append(want, k)
			}
		}
		for _, limit := range []int{1, 2} {
			if got, _ := f.walk(t, shAgent, "cust-1", limit); !slices.Equal(got, want) {
				t.Fatalf("limit %d:\n got %v\nwant %v", limit, got, want)
			}
		}
	})
}
