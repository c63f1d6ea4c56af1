package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/rapport-crm/rapport/infra/local"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// A person known to every domain over HTTP, with a duplicate profile, is merged,
// exported and erased through the customer-data routes with their roles; afterwards
// no route returns their name, phone, email or comments, the outbox holds none of
// their messages, and no table holds any of it. Another customer stays as they were.
func TestPrivacyRoutesOverHTTP(t *testing.T) {
	s := newStack(t, testenv.New(t), func(c *local.Config) { c.Unthrottled = true })
	s.start(t)
	ok := func(r reply, want int, what string) reply {
		t.Helper()
		if r.status != want {
			t.Fatalf("%s: %d %s, want %d", what, r.status, r.body, want)
		}
		return r
	}
	def := `{"name":"After your visit","locationId":"sh-01","questions":[
		{"id":"nps","type":"nps","required":true,"text":{"en":"Recommend us?"}},
		{"id":"note","type":"text","text":{"en":"Tell us more"}}],
		"loop":{"detractor":true,"callbackWithinHours":4,"notify":{"channel":"email","address":"desk@example.com","quietHours":"00:00-00:00"}}}`
	sv := decode[struct{ SurveyID string }](t, ok(s.staffCall(t, "manager", "sh-01", "POST", "/v1/surveys", def), 201, "define the survey"))
	ok(s.staffCall(t, "admin", "*", "POST", "/v1/locations", `{"locationId":"sh-01","name":"Bund","timeZone":"Asia/Shanghai","quietHours":"00:00-00:00",
		"weeklyHours":{"mon":["00:00-24:00"],"tue":["00:00-24:00"],"wed":["00:00-24:00"],"thu":["00:00-24:00"],"fri":["00:00-24:00"],"sat":["00:00-24:00"],"sun":["00:00-24:00"]},
		"postServiceSurvey":{"surveyId":"`+sv.SurveyID+`","expiresInHours":48}}`), 201, "register the location")

	type who struct{ id, name, phone, email, comment, description, note string }
	people := []who{
		{"p-1", "Han Meimei", "139 1234 5678", "han.meimei@example.com", "Smoke in the lift, p-1", "Waited an hour at reception, p-1", "Rang Han Meimei back"},
		{"p-2", "Meimei Han", "", "meimei@work.example", "Cold breakfast, p-2", "Room not ready at three, p-2", "Rang Meimei Han back"},
		{"q-1", "Zhang Wei", "137 5555 6666", "zhang.wei@example.com", "Lovely view, q-1", "Noisy neighbours, q-1", "Rang Zhang Wei back"},
	}
	cases := map[string]string{}
	for i, p := range people {
		body, _ := json.Marshal(map[string]any{"customerId": p.id, "name": p.name, "phone": p.phone, "email": p.email,
			"locationId": "sh-01", "consent": map[string]bool{"email": true}})
		ok(s.staffCall(t, "agent", "sh-01", "POST", "/v1/customers", string(body)), 201, "create "+p.id)
		member, _ := json.Marshal(map[string]string{"phone": p.phone, "email": p.email, "birthday": "1988-04-02", "timeZone": "Asia/Shanghai"})
		ok(s.staffCall(t, "agent", "sh-01", "PUT", "/v1/loyalty/"+p.id+"/member", string(member)), 200, "enrol "+p.id)
		visit := fmt.Sprintf(`{"sourceId":"till-%d","customerId":%q,"locationId":"sh-01","amount":268,"currency":"CNY"}`, i, p.id)
		ok(s.staffCall(t, "system", "*", "POST", "/v1/visits", visit), 201, "visit of "+p.id)
		ok(s.staffCall(t, "system", "*", "POST", "/v1/loyalty/"+p.id+"/earn", fmt.Sprintf(`{"sourceId":"order-%d","points":120}`, i)), 201, "earn of "+p.id)
		intake, _ := json.Marshal(map[string]any{"channel": "web", "category": "waiting_time", "description": p.description, "locationId": "sh-01",
			"contact": map[string]string{"name": p.name, "phone": p.phone, "email": p.email, "locale": "en"}})
		c := decode[struct{ ComplaintID string }](t, ok(s.do(t, "POST", "/v1/complaints", "application/json", intake, nil), 201, "complaint of "+p.id))
		cases[p.id] = c.ComplaintID
		ok(s.staffCall(t, "agent", "sh-01", "POST", "/v1/complaints/"+c.ComplaintID+"/actions", fmt.Sprintf(`{"action":"note","note":%q}`, p.note)), 200, "note")
	}
	// The two profiles of the person are each given a voucher, delivered with a link
	// to their voucher page.
	for _, id := range []string{"p-1", "p-2"} {
		ok(s.staffCall(t, "manager", "sh-01", "POST", "/v1/vouchers", `{"customerId":"`+id+`","name":{"zh-CN":"下午茶","en":"Afternoon tea"},`+
			`"kind":"gift","locationIds":["sh-01"],"validDays":30,"reason":"our apologies","locationId":"sh-01"}`), 201, "a voucher for "+id)
	}
	s.runJob(t, "voucher-timers")
	// The visits' survey invitations go out; each person answers theirs with a comment.
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(`/v1/s/([A-Z0-9]+)`)
	answered := map[string]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for len(answered) < len(people) {
		if time.Now().After(deadline) {
			t.Fatalf("invitations answered: %v", answered)
		}
		for _, m := range s.outbox(t) {
			for _, p := range people {
				tok := link.FindStringSubmatch(m.Body)
				if answered[p.id] || tok == nil || m.To != p.email {
					continue
				}
				body, _ := json.Marshal(map[string]any{"invitationToken": tok[1], "comment": p.comment,
					"answers": []map[string]any{{"questionId": "nps", "value": 3}, {"questionId": "note", "value": "Ask for " + p.name}}})
				ok(s.do(t, "POST", "/v1/surveys/"+sv.SurveyID+"/responses", "application/json", body, nil), 201, "answer of "+p.id)
				answered[p.id] = true
			}
		}
		sleepBriefly()
	}
	// The loop alerts quoting the comments go out too.
	if _, err := s.dispatch(t); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); strings.Count(fmt.Sprint(s.outbox(t)), "desk@example.com") < len(people); sleepBriefly() {
		if time.Now().After(deadline) {
			t.Fatal("the loop alerts did not arrive")
		}
	}

	// The voucher pages' links, found in the deliveries.
	pages := map[string]string{}
	for _, m := range s.outbox(t) {
		if l := regexp.MustCompile(`/v1/v/[^\s"]+`).FindString(m.Body); m.Kind == "voucher" && l != "" {
			pages[m.To] = l
		}
	}
	if len(pages) != 2 {
		t.Fatalf("voucher links delivered: %v", pages)
	}

	// Merge: managers and admins only; not into itself.
	for _, role := range []string{"agent", "system"} {
		ok(s.staffCall(t, role, "", "POST", "/v1/customers/p-1/merge", `{"duplicateId":"p-2"}`), 403, role+" merges")
	}
	ok(s.staffCall(t, "manager", "sh-01", "POST", "/v1/customers/p-1/merge", `{"duplicateId":"p-1"}`), 400, "merge into itself")
	merged := decode[struct {
		Moved struct{ SurveyResponses, Complaints, Vouchers int }
	}](t, ok(s.staffCall(t, "manager", "sh-01", "POST", "/v1/customers/p-1/merge", `{"duplicateId":"p-2"}`), 200, "merge"))
	if merged.Moved.SurveyResponses != 1 || merged.Moved.Complaints != 1 || merged.Moved.Vouchers != 1 {
		t.Fatalf("merge moved %+v", merged.Moved)
	}
	ok(s.staffCall(t, "manager", "sh-01", "POST", "/v1/customers/p-2/merge", `{"duplicateId":"q-1"}`), 409, "merge into a merged profile")
	if r := ok(s.staffCall(t, "agent", "sh-01", "GET", "/v1/customers/p-2", ""), 200, "the duplicate"); !strings.Contains(r.body, `"customerId":"p-1"`) {
		t.Fatalf("the duplicate leads to %s", r.body)
	}
	if b := decode[loyalty.Balance](t, s.staffCall(t, "agent", "sh-01", "GET", "/v1/loyalty/p-1", "")); b.Balance+b.Pending != 2*(268+120) {
		t.Fatalf("survivor's points after the merge: %+v", b)
	}

	// Export: everything on both profiles.
	ok(s.staffCall(t, "agent", "sh-01", "GET", "/v1/customers/p-1/export", ""), 403, "an agent exports")
	export := ok(s.staffCall(t, "manager", "sh-01", "GET", "/v1/customers/p-1/export", ""), 200, "export")
	if vs := decode[struct {
		Vouchers []struct{ CustomerID, Status string }
	}](t, export).Vouchers; len(vs) != 2 || slices.ContainsFunc(vs, func(v struct{ CustomerID, Status string }) bool {
		return v.CustomerID != "p-1" || v.Status != "issued"
	}) {
		t.Errorf("the export's vouchers: %+v", vs)
	}
	// The duplicate's link opens its voucher, now the survivor's.
	for to, path := range pages {
		ok(s.do(t, "GET", path, "", nil, nil), 200, "the voucher page of "+to)
	}
	secrets := []string{}
	for _, p := range people[:2] {
		for _, v := range []string{p.name, p.email, p.comment, p.description, p.note} {
			if !strings.Contains(export.body, v) {
				t.Errorf("the export lacks %q", v)
			}
			secrets = append(secrets, v)
		}
	}
	secrets = append(secrets, "13912345678")

	// Erasure: managers and admins only; a second time it is gone.
	ok(s.staffCall(t, "agent", "sh-01", "DELETE", "/v1/customers/p-1", ""), 403, "an agent erases")
	ok(s.staffCall(t, "manager", "sh-02", "DELETE", "/v1/customers/p-1", ""), 404, "another location's manager erases")
	ok(s.staffCall(t, "manager", "sh-01", "DELETE", "/v1/customers/p-1", ""), 204, "erase")
	ok(s.staffCall(t, "admin", "*", "DELETE", "/v1/customers/p-1", ""), 404, "erase again")
	ok(s.staffCall(t, "admin", "*", "DELETE", "/v1/customers/p-2", ""), 404, "erase the duplicate")

	for _, c := range []struct {
		path   string
		status int
	}{
		{"/v1/customers/p-1", 404}, {"/v1/customers/p-2", 404}, {"/v1/customers/p-1/export", 404},
		{"/v1/customers/p-1/timeline", 404}, {"/v1/customers/p-1/consent", 200},
		{"/v1/loyalty/p-1", 200}, {"/v1/loyalty/p-1/ledger", 200}, {"/v1/loyalty/p-2/ledger", 200},
		{"/v1/followups?customerId=p-1", 200}, {"/v1/complaints/" + cases["p-1"], 200}, {"/v1/complaints/" + cases["p-2"], 200},
		{"/v1/complaints", 200}, {"/v1/surveys/" + sv.SurveyID + "/responses.csv", 200},
	} {
		r := ok(s.staffCall(t, "admin", "*", "GET", c.path, ""), c.status, "GET "+c.path)
		for _, v := range secrets {
			if strings.Contains(r.body, v) {
				t.Errorf("GET %s returns %q", c.path, v)
			}
		}
	}
	// The voucher pages' links open nothing, as an altered link; the vouchers stay,
	// under a pseudonym, and the rewards table names neither profile.
	for to, path := range pages {
		ok(s.do(t, "GET", path, "", nil, nil), 404, "the voucher page of "+to+" after the erasure")
	}
	ids := scanTables(t, s, []string{`"p-1"`, `"p-2"`, "#p-1", "#p-2", "LINK#"})
	for needle, items := range ids {
		for _, item := range items {
			if strings.HasPrefix(item, "rewards ") {
				t.Errorf("%s is still in %s", needle, item)
			}
		}
	}
	outbox := s.do(t, "GET", "/dev/outbox?limit=200", "", nil, nil)
	for _, v := range secrets {
		if strings.Contains(outbox.body, v) {
			t.Errorf("the outbox holds %q", v)
		}
	}
	if !strings.Contains(outbox.body, people[2].email) {
		t.Error("the other customer's messages left the outbox too")
	}

	// No table holds any of it; the other customer is all there.
	found := scanTables(t, s, append(secrets, people[2].name, people[2].comment))
	for _, v := range secrets {
		if len(found[v]) > 0 {
			t.Errorf("%q is still in %v", v, found[v])
		}
	}
	if len(found[people[2].name]) == 0 || len(found[people[2].comment]) == 0 {
		t.Errorf("the other customer's data went too: %v", found)
	}
	rep, err := loyalty.Reconcile(context.Background(), s.env.Clients.DynamoDB, s.env.Names("loyalty"))
	if err != nil || !rep.Clean() {
		t.Fatalf("loyalty after the erasure: %+v %v", rep, err)
	}
}

// scanTables reads every table and tells, for each needle, the items holding it.
func scanTables(t *testing.T, s *stack, needles []string) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	for _, name := range []string{"customers", "surveys", "complaints", "loyalty", "followups", "rewards"} {
		p := dynamodb.NewScanPaginator(s.env.Clients.DynamoDB, &dynamodb.ScanInput{TableName: aws.String(s.env.Names(name))})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, raw := range page.Items {
				var item map[string]any
				if err := attributevalue.UnmarshalMap(raw, &item); err != nil {
					t.Fatal(err)
				}
				text, _ := json.Marshal(item)
				for _, n := range needles {
					if strings.Contains(string(text), n) {
						found[n] = append(found[n], fmt.Sprintf("%s %v/%v", name, item["pk"], item["sk"]))
					}
				}
			}
		}
	}
	return found
}
