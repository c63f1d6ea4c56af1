// Package events holds sample Lambda events for tests, fuzz seeds and `make invoke`;
// these tests keep them decodable by aws-lambda-go and true to the wiring table.
package events

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/mailfeedback"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// decodeStrict reads one file into T, refusing fields T does not have and trailing data.
func decodeStrict[T any](t *testing.T, file string) T {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var v T
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s does not decode into %T: %v", file, v, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("%s has data after the event", file)
	}
	return v
}

// roundTrip marshals and unmarshals v and wants the same value, and the same bytes again.
func roundTrip[T any](t *testing.T, v T) {
	t.Helper()
	first, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back T
	if err := json.Unmarshal(first, &back); err != nil {
		t.Fatalf("unmarshal %s: %v", first, err)
	}
	if !reflect.DeepEqual(v, back) {
		t.Errorf("round trip changed the event:\n got %+v\nwant %+v", back, v)
	}
	second, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("marshal is not stable:\n%s\n%s", first, second)
	}
}

func TestEveryFileIsCovered(t *testing.T) {
	files, err := filepath.Glob("*.json")
	if err != nil {
		t.Fatal(err)
	}
	var known []string
	for _, f := range apiFiles {
		known = append(known, f.file)
	}
	known = append(known, scheduleFile, sqsFile, mailFeedbackFile, manualFile, emailsFile, textsFile)
	for _, f := range files {
		if !slices.Contains(known, f) {
			t.Errorf("%s is not checked by any test here; add it", f)
		}
	}
	for _, f := range known {
		if !slices.Contains(files, f) {
			t.Errorf("%s is missing", f)
		}
	}
}

var apiFiles = []struct {
	file   string
	status int // what the route answers through auth.Require with the event as it is
}{
	{"apigw-health.json", http.StatusOK},
	{"apigw-survey-response.json", http.StatusOK},
	{"apigw-survey-get.json", http.StatusOK},
	{"apigw-loyalty-machine.json", http.StatusOK},
}

const (
	scheduleFile = "schedule-dispatcher.json"
	sqsFile      = "sqs-followups.json"
	// mailFeedbackFile is a batch of SES events as the mail-feedback queue gets them:
	// each body is SNS's envelope (raw delivery off) around the SES event.
	mailFeedbackFile = "sqs-mail-feedback.json"
	// emailsFile is a batch of the emails FIFO queue, as followup-email gets it: a
	// rendered message, and one that is none (it goes to the DLQ).
	emailsFile = "sqs-emails.json"
	// textsFile is the same of the texts FIFO queue, as followup-sms gets it.
	textsFile = "sqs-texts.json"
	// manualFile is what a person passes to a manual function (make invoke FN=reindex):
	// an empty JSON object, as aws lambda invoke sends without --payload.
	manualFile = "manual-reindex.json"
)

func TestManualEventIsAnEmptyObject(t *testing.T) {
	if ev := decodeStrict[map[string]any](t, manualFile); len(ev) != 0 {
		t.Errorf("%s: want {}, got %v", manualFile, ev)
	}
}

// routeFor finds the wiring route an API Gateway route key belongs to.
func routeFor(routeKey string) (wiring.Route, bool) {
	for _, f := range wiring.Functions {
		for _, r := range f.Trigger.Routes {
			if r.Pattern() == routeKey {
				return r, true
			}
		}
	}
	return wiring.Route{}, false
}

func TestAPIGatewayEvents(t *testing.T) {
	lower := regexp.MustCompile(`^[a-z0-9-]+$`)
	for _, tt := range apiFiles {
		t.Run(tt.file, func(t *testing.T) {
			ev := decodeStrict[lambdaevents.APIGatewayV2HTTPRequest](t, tt.file)
			roundTrip(t, ev)

			rc := ev.RequestContext
			if ev.Version != "2.0" {
				t.Errorf("version = %q, want 2.0 (HTTP API payload format 2.0)", ev.Version)
			}
			if ev.RouteKey != rc.RouteKey {
				t.Errorf("routeKey %q differs from requestContext.routeKey %q", ev.RouteKey, rc.RouteKey)
			}
			if ev.RawPath != rc.HTTP.Path {
				t.Errorf("rawPath %q differs from requestContext.http.path %q", ev.RawPath, rc.HTTP.Path)
			}
			if method, _, _ := strings.Cut(ev.RouteKey, " "); method != rc.HTTP.Method {
				t.Errorf("routeKey method %q differs from requestContext.http.method %q", method, rc.HTTP.Method)
			}
			if rc.RequestID == "" || rc.AccountID == "" || rc.APIID == "" || rc.Stage == "" || rc.HTTP.SourceIP == "" {
				t.Errorf("requestContext lacks ids: %+v", rc)
			}
			if !strings.HasPrefix(rc.DomainName, rc.APIID+".execute-api.") || rc.DomainPrefix != rc.APIID {
				t.Errorf("domainName %q / domainPrefix %q do not match apiId %q", rc.DomainName, rc.DomainPrefix, rc.APIID)
			}
			when, err := time.Parse("02/Jan/2006:15:04:05 -0700", rc.Time)
			if err != nil {
				t.Errorf("requestContext.time %q: %v", rc.Time, err)
			} else if when.Unix() != rc.TimeEpoch/1000 {
				t.Errorf("requestContext.time %s and timeEpoch %d disagree", rc.Time, rc.TimeEpoch)
			}
			for k := range ev.Headers {
				if !lower.MatchString(k) {
					t.Errorf("header %q: HTTP APIs send header names in lower case", k)
				}
			}
			if cl, ok := ev.Headers["content-length"]; ok && cl != strconv.Itoa(len(ev.Body)) {
				t.Errorf("content-length %s, body has %d bytes", cl, len(ev.Body))
			}
			if ev.Body != "" && !json.Valid([]byte(ev.Body)) {
				t.Errorf("body is not JSON: %s", ev.Body)
			}

			route, ok := routeFor(ev.RouteKey)
			if !ok {
				t.Fatalf("routeKey %q is no route of the wiring table", ev.RouteKey)
			}
			if want := pathWith(route.Path, ev.PathParameters); want != ev.RawPath {
				t.Errorf("routeKey %q with pathParameters %v is %q, rawPath is %q", ev.RouteKey, ev.PathParameters, want, ev.RawPath)
			}
			hasJWT := rc.Authorizer != nil && rc.Authorizer.JWT != nil
			if (route.Auth == wiring.JWT) != hasJWT {
				t.Errorf("route auth %q, but the event has JWT claims = %v", route.Auth, hasJWT)
			}
			if route.Method == http.MethodPost && ev.Headers["idempotency-key"] == "" {
				t.Error("a POST without the Idempotency-Key header every POST carries")
			}
			if route.Method == http.MethodPost && !strings.HasPrefix(ev.Headers["content-type"], "application/json") {
				t.Errorf("content-type %q", ev.Headers["content-type"])
			}
		})
	}
}

func pathWith(pattern string, params map[string]string) string {
	for k, v := range params {
		pattern = strings.ReplaceAll(pattern, "{"+k+"}", v)
	}
	return pattern
}

// TestAPIGatewayEventsReachTheirRoute runs each event through the Lambda adapter, a
// ServeMux keyed by the wiring pattern and auth.Require, as a deployed function would.
func TestAPIGatewayEventsReachTheirRoute(t *testing.T) {
	for _, tt := range apiFiles {
		t.Run(tt.file, func(t *testing.T) {
			ev := decodeStrict[lambdaevents.APIGatewayV2HTTPRequest](t, tt.file)
			route, ok := routeFor(ev.RouteKey)
			if !ok {
				t.Fatalf("no route %q", ev.RouteKey)
			}
			var gotParams map[string]string
			var gotBody []byte
			var principal *auth.Principal
			mux := http.NewServeMux()
			mux.Handle(route.Pattern(), auth.Require(route, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotParams = map[string]string{}
				for k := range ev.PathParameters {
					gotParams[k] = r.PathValue(k)
				}
				gotBody, _ = io.ReadAll(r.Body)
				if p, ok := auth.From(r.Context()); ok {
					principal = &p
				}
				w.WriteHeader(http.StatusOK)
			})))
			resp, err := httpadapter.NewV2(mux).ProxyWithContext(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tt.status, resp.Body)
			}
			if len(ev.PathParameters) > 0 && !reflect.DeepEqual(gotParams, ev.PathParameters) {
				t.Errorf("the handler saw path values %v, want %v", gotParams, ev.PathParameters)
			}
			if string(gotBody) != ev.Body {
				t.Errorf("the handler read body %q, want %q", gotBody, ev.Body)
			}
			if route.Auth == wiring.JWT {
				claims := ev.RequestContext.Authorizer.JWT.Claims
				if principal == nil || principal.Subject != claims["sub"] {
					t.Fatalf("principal = %+v, want subject %q", principal, claims["sub"])
				}
				if len(route.Roles) > 0 && !principal.Has(route.Roles...) {
					t.Errorf("principal %+v lacks the route's roles %v", principal, route.Roles)
				}
			}
		})
	}
}

func TestSurveyGetClaimsAreCognitoShaped(t *testing.T) {
	ev := decodeStrict[lambdaevents.APIGatewayV2HTTPRequest](t, "apigw-survey-get.json")
	jwt := ev.RequestContext.Authorizer.JWT
	if jwt.Scopes != nil {
		t.Errorf("scopes = %q, want null (ID tokens carry no scopes)", jwt.Scopes)
	}
	for _, k := range []string{"sub", "iss", "aud", "token_use", "cognito:groups", "custom:locations", "exp", "iat"} {
		if jwt.Claims[k] == "" {
			t.Errorf("claim %q is missing", k)
		}
	}
	if !strings.HasPrefix(jwt.Claims["iss"], "https://cognito-idp.") || jwt.Claims["token_use"] != "id" {
		t.Errorf("iss %q, token_use %q", jwt.Claims["iss"], jwt.Claims["token_use"])
	}
	p, err := auth.FromClaims(jwt.Claims)
	if err != nil || !slices.Equal(p.Roles, []string{"manager"}) || !slices.Equal(p.Locations, []string{"loc-1"}) || p.All {
		t.Errorf("FromClaims = %+v, want manager at loc-1", p)
	}
}

// A point-of-sale's client-credentials access token, as API Gateway passes it on: the
// system role from its scope, its location from a location scope, no groups.
func TestMachineClaimsAreClientCredentialsShaped(t *testing.T) {
	ev := decodeStrict[lambdaevents.APIGatewayV2HTTPRequest](t, "apigw-loyalty-machine.json")
	jwt := ev.RequestContext.Authorizer.JWT
	if jwt.Claims["token_use"] != "access" || jwt.Claims["aud"] != "" || jwt.Claims["client_id"] != jwt.Claims["sub"] || jwt.Claims["cognito:groups"] != "" {
		t.Errorf("claims %v are not a client-credentials token's", jwt.Claims)
	}
	if strings.Join(jwt.Scopes, " ") != jwt.Claims["scope"] {
		t.Errorf("scopes %q differ from the scope claim %q", jwt.Scopes, jwt.Claims["scope"])
	}
	p, err := auth.FromClaims(jwt.Claims)
	if err != nil || !slices.Equal(p.Roles, []string{"system"}) || !slices.Equal(p.Locations, []string{"HB01"}) || p.All {
		t.Errorf("FromClaims = %+v, %v; want system at HB01", p, err)
	}
}

func TestScheduleEvent(t *testing.T) {
	ev := decodeStrict[lambdaevents.EventBridgeEvent](t, scheduleFile)
	roundTrip(t, ev)
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || ev.Version != "0" {
		t.Errorf("detail-type %q, source %q, version %q", ev.DetailType, ev.Source, ev.Version)
	}
	if string(ev.Detail) != "{}" {
		t.Errorf("detail = %s, want {}", ev.Detail)
	}
	if ev.ID == "" || ev.Time.IsZero() || ev.Time.Location() != time.UTC {
		t.Errorf("id %q, time %v", ev.ID, ev.Time)
	}
	rule := regexp.MustCompile(`^arn:aws:events:([a-z0-9-]+):(\d{12}):rule/[\w.-]+$`)
	if len(ev.Resources) != 1 {
		t.Fatalf("resources = %q, want the one rule", ev.Resources)
	}
	m := rule.FindStringSubmatch(ev.Resources[0])
	if m == nil || m[1] != ev.Region || m[2] != ev.AccountID {
		t.Errorf("resource %q is not a rule ARN in %s/%s", ev.Resources[0], ev.Region, ev.AccountID)
	}
	var scheduled int
	for _, f := range wiring.Functions {
		if f.Trigger.Schedule != nil {
			scheduled++
		}
	}
	if scheduled == 0 {
		t.Error("no function of the wiring table is scheduled; the event has nothing to invoke")
	}
}

func TestSQSEvent(t *testing.T) {
	ev := decodeStrict[lambdaevents.SQSEvent](t, sqsFile)
	roundTrip(t, ev)
	if len(ev.Records) != 2 {
		t.Fatalf("%d records, want 2", len(ev.Records))
	}
	queue := regexp.MustCompile(`^arn:aws:sqs:([a-z0-9-]+):(\d{12}):([\w-]+)$`)
	wantIDs := []string{"06H0C89DSPGF15YJKP4V2ZRJA0", "does-not-exist"}
	seen := map[string]bool{}
	for i, r := range ev.Records {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if r.EventSource != "aws:sqs" {
				t.Errorf("eventSource = %q", r.EventSource)
			}
			m := queue.FindStringSubmatch(r.EventSourceARN)
			if m == nil || m[1] != r.AWSRegion || m[1] != "us-east-1" || m[2] != "000000000000" || m[3] != "rapport-followups" {
				t.Errorf("eventSourceARN %q (awsRegion %q)", r.EventSourceARN, r.AWSRegion)
			}
			sum := md5.Sum([]byte(r.Body))
			if r.Md5OfBody != hex.EncodeToString(sum[:]) {
				t.Errorf("md5OfBody %s, the body's MD5 is %x", r.Md5OfBody, sum)
			}
			if r.MessageId == "" || r.ReceiptHandle == "" || seen[r.MessageId] {
				t.Errorf("messageId %q (seen before %v), receiptHandle %q", r.MessageId, seen[r.MessageId], r.ReceiptHandle)
			}
			seen[r.MessageId] = true
			for _, k := range []string{"ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} {
				if r.Attributes[k] == "" {
					t.Errorf("attribute %s is missing", k)
				}
			}
			if n, err := strconv.Atoi(r.Attributes["ApproximateReceiveCount"]); err != nil || n < 1 {
				t.Errorf("ApproximateReceiveCount %q", r.Attributes["ApproximateReceiveCount"])
			}
			dec := json.NewDecoder(strings.NewReader(r.Body))
			dec.DisallowUnknownFields()
			var msg struct {
				FollowupID string `json:"followupId"`
			}
			if err := dec.Decode(&msg); err != nil || msg.FollowupID != wantIDs[i] {
				t.Errorf("body %s: followupId %q, want %q (%v)", r.Body, msg.FollowupID, wantIDs[i], err)
			}
		})
	}
}

func TestSQSMailFeedbackEvent(t *testing.T) {
	ev := decodeStrict[lambdaevents.SQSEvent](t, mailFeedbackFile)
	roundTrip(t, ev)
	if len(ev.Records) != 2 {
		t.Fatalf("%d records, want 2", len(ev.Records))
	}
	queue, ok := wiring.QueueByName("mail-feedback")
	if !ok {
		t.Fatal("no mail-feedback queue in the wiring table")
	}
	want := []mailfeedback.Feedback{
		{Source: mailfeedback.SourceBounce, Recipients: []string{"guest.gone@example.com"}, At: time.Date(2026, 12, 6, 6, 59, 58, 123e6, time.UTC)},
		{Source: mailfeedback.SourceComplaint, Recipients: []string{"guest.angry@example.com"}, At: time.Date(2026, 12, 6, 7, 1, 0, 0, time.UTC)},
	}
	for i, r := range ev.Records {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if r.EventSource != "aws:sqs" || r.AWSRegion != "us-east-1" ||
				r.EventSourceARN != "arn:aws:sqs:us-east-1:000000000000:rapport-"+queue.Name {
				t.Errorf("source %q %q %q", r.EventSource, r.EventSourceARN, r.AWSRegion)
			}
			sum := md5.Sum([]byte(r.Body))
			if r.Md5OfBody != hex.EncodeToString(sum[:]) {
				t.Errorf("md5OfBody %s, the body's MD5 is %x", r.Md5OfBody, sum)
			}
			// The body is SNS's envelope, every field of it known.
			dec := json.NewDecoder(strings.NewReader(r.Body))
			dec.DisallowUnknownFields()
			var env struct {
				Type, MessageId, TopicArn, Message, Timestamp, SignatureVersion, Signature, SigningCertURL, UnsubscribeURL string
			}
			if err := dec.Decode(&env); err != nil || env.Type != "Notification" || !strings.HasPrefix(env.TopicArn, "arn:aws:sns:us-east-1:000000000000:") {
				t.Errorf("SNS envelope %+v: %v", env, err)
			}
			got, err := mailfeedback.Parse(r.Body)
			if err != nil || !reflect.DeepEqual(got, want[i]) {
				t.Errorf("Parse = %+v, %v; want %+v", got, err, want[i])
			}
		})
	}
}

func TestSQSDeliveryEvents(t *testing.T) {
	for file, channel := range map[string]string{emailsFile: "email", textsFile: "sms"} {
		queue := map[string]string{"email": "emails", "sms": "texts"}[channel]
		ev := decodeStrict[lambdaevents.SQSEvent](t, file)
		roundTrip(t, ev)
		if len(ev.Records) != 2 {
			t.Fatalf("%s: %d records, want 2", file, len(ev.Records))
		}
		for i, r := range ev.Records {
			t.Run(fmt.Sprint(file, i), func(t *testing.T) {
				if r.EventSource != "aws:sqs" || r.EventSourceARN != "arn:aws:sqs:us-east-1:000000000000:rapport-"+queue+".fifo" {
					t.Errorf("eventSource %q, eventSourceARN %q: want the %s FIFO queue", r.EventSource, r.EventSourceARN, queue)
				}
				sum := md5.Sum([]byte(r.Body))
				if r.Md5OfBody != hex.EncodeToString(sum[:]) {
					t.Errorf("md5OfBody %s, the body's MD5 is %x", r.Md5OfBody, sum)
				}
				// A FIFO queue's records carry their group, deduplication id and sequence.
				for _, k := range []string{"ApproximateReceiveCount", "SentTimestamp", "MessageGroupId", "MessageDeduplicationId", "SequenceNumber"} {
					if r.Attributes[k] == "" {
						t.Errorf("attribute %s is missing", k)
					}
				}
				dec := json.NewDecoder(strings.NewReader(r.Body))
				dec.DisallowUnknownFields()
				var m followup.Message
				if err := dec.Decode(&m); err != nil {
					t.Fatalf("body %s: %v", r.Body, err)
				}
				if i == 0 && (m.ID != r.Attributes["MessageGroupId"] || m.ID != r.Attributes["MessageDeduplicationId"] || m.Channel != channel || m.To == "") {
					t.Errorf("the rendered message %+v: its id is its group and deduplication id, on the %s channel", m, channel)
				}
				if i == 1 && m.ID != "" {
					t.Errorf("the second record should be no rendered message (no id): %+v", m)
				}
			})
		}
	}
}
