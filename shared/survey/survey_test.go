package survey_test

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
)

// allTypes has a question of every type, two dimensions with several questions each, and
// one required question.
var allTypes = survey.Survey{
	ID: "all-types", Version: 3,
	Questions: []survey.Question{
		{ID: "nps", Type: survey.TypeNPS, Required: true},
		{ID: "csat", Type: survey.TypeCSAT, Dimension: "service quality"},
		{ID: "l5", Type: survey.TypeLikert5, Dimension: "cleanliness"},
		{ID: "l5b", Type: survey.TypeLikert5, Dimension: "cleanliness"},
		{ID: "l10", Type: survey.TypeLikert10, Dimension: "value"},
		{ID: "l10b", Type: survey.TypeLikert10, Dimension: "value"},
		{ID: "l10c", Type: survey.TypeLikert10, Dimension: "value"},
		{ID: "pick", Type: survey.TypeChoice, Options: []string{"a", "b", "c"}, Dimension: "mood"},
		{ID: "multi", Type: survey.TypeChoice, Options: []string{"a", "b", "c"}, Multiple: true},
		{ID: "text", Type: survey.TypeText, Dimension: "mood"},
	},
}

// demoStay is the survey make run seeds (infra/local.DemoSurvey), which the sample
// events in events/ answer.
var demoStay = survey.Survey{
	ID: "demo-stay", Version: 1, LocationID: "loc-1", Anonymous: true,
	Questions: []survey.Question{
		{ID: "nps", Type: survey.TypeNPS, Required: true},
		{ID: "service", Type: survey.TypeCSAT, Dimension: "service quality"},
		{ID: "clean", Type: survey.TypeLikert5, Dimension: "cleanliness"},
	},
}

// decodeSubmission decodes a body the way the handler does, so values are float64, string, []any...
func decodeSubmission(t testing.TB, body string) *survey.Submission {
	t.Helper()
	var sub survey.Submission
	if err := json.Unmarshal([]byte(body), &sub); err != nil {
		t.Fatalf("test body %s: %v", body, err)
	}
	return &sub
}

// withNPS is a body answering the required question plus one more answer.
func withNPS(answer string) string {
	return `{"answers":[{"questionId":"nps","value":8},` + answer + `]}`
}

func TestCheckValues(t *testing.T) {
	long := func(n int) string { return `"` + strings.Repeat("房", n) + `"` }
	tests := []struct {
		name   string
		answer string // the second answer, after nps
		want   any    // the normalised value, or nil when rejected
	}{
		{"csat 0", `{"questionId":"csat","value":0}`, nil},
		{"csat 1", `{"questionId":"csat","value":1}`, 1},
		{"csat 5", `{"questionId":"csat","value":5}`, 5},
		{"csat 6", `{"questionId":"csat","value":6}`, nil},
		{"csat 2.5", `{"questionId":"csat","value":2.5}`, nil},
		{"csat 4.0", `{"questionId":"csat","value":4.0}`, 4},
		{"csat 4e0", `{"questionId":"csat","value":4e0}`, 4},
		{"csat string", `{"questionId":"csat","value":"4"}`, nil},
		{"csat null", `{"questionId":"csat","value":null}`, nil},
		{"csat missing value", `{"questionId":"csat"}`, nil},
		{"csat bool", `{"questionId":"csat","value":true}`, nil},
		{"csat list", `{"questionId":"csat","value":[4]}`, nil},
		{"csat huge", `{"questionId":"csat","value":1e300}`, nil},
		{"likert5 0", `{"questionId":"l5","value":0}`, nil},
		{"likert5 1", `{"questionId":"l5","value":1}`, 1},
		{"likert5 5", `{"questionId":"l5","value":5}`, 5},
		{"likert5 6", `{"questionId":"l5","value":6}`, nil},
		{"likert10 0", `{"questionId":"l10","value":0}`, nil},
		{"likert10 1", `{"questionId":"l10","value":1}`, 1},
		{"likert10 10", `{"questionId":"l10","value":10}`, 10},
		{"likert10 11", `{"questionId":"l10","value":11}`, nil},
		{"likert10 9.99", `{"questionId":"l10","value":9.99}`, nil},
		{"likert10 -1", `{"questionId":"l10","value":-1}`, nil},
		{"single choice string", `{"questionId":"pick","value":"b"}`, []string{"b"}},
		{"single choice list of one", `{"questionId":"pick","value":["c"]}`, []string{"c"}},
		{"single choice two", `{"questionId":"pick","value":["a","b"]}`, nil},
		{"single choice none", `{"questionId":"pick","value":[]}`, nil},
		{"single choice unknown", `{"questionId":"pick","value":"z"}`, nil},
		{"single choice wrong case", `{"questionId":"pick","value":"A"}`, nil},
		{"single choice number", `{"questionId":"pick","value":1}`, nil},
		{"single choice number in list", `{"questionId":"pick","value":[1]}`, nil},
		{"single choice null", `{"questionId":"pick","value":null}`, nil},
		{"single choice object", `{"questionId":"pick","value":{"a":true}}`, nil},
		{"multiple choice two", `{"questionId":"multi","value":["a","c"]}`, []string{"a", "c"}},
		{"multiple choice all", `{"questionId":"multi","value":["c","b","a"]}`, []string{"c", "b", "a"}},
		{"multiple choice string", `{"questionId":"multi","value":"b"}`, []string{"b"}},
		{"multiple choice none", `{"questionId":"multi","value":[]}`, nil},
		{"multiple choice duplicate", `{"questionId":"multi","value":["a","a"]}`, nil},
		{"multiple choice unknown among known", `{"questionId":"multi","value":["a","z"]}`, nil},
		{"multiple choice nested list", `{"questionId":"multi","value":[["a"]]}`, nil},
		{"text", `{"questionId":"text","value":"warm staff"}`, "warm staff"},
		{"text empty", `{"questionId":"text","value":""}`, ""},
		{"text 2000 runes", `{"questionId":"text","value":` + long(2000) + `}`, strings.Repeat("房", 2000)},
		{"text 2001 runes", `{"questionId":"text","value":` + long(2001) + `}`, nil},
		{"text number", `{"questionId":"text","value":5}`, nil},
		{"text list", `{"questionId":"text","value":["a"]}`, nil},
	}
	// The nps rows test the required question itself, so they answer only it.
	npsTests := []struct {
		body string
		want any
	}{
		{`-1`, nil}, {`0`, 0}, {`-0`, 0}, {`6`, 6}, {`10`, 10}, {`11`, nil}, {`10.5`, nil},
		{`"7"`, nil}, {`7.000`, 7}, {`1e1`, 10}, {`null`, nil}, {`false`, nil}, {`[7]`, nil},
	}
	for _, nt := range npsTests {
		t.Run("nps "+nt.body, func(t *testing.T) {
			checkValue(t, decodeSubmission(t, `{"answers":[{"questionId":"nps","value":`+nt.body+`}]}`), 0, nt.want)
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValue(t, decodeSubmission(t, withNPS(tt.answer)), 1, tt.want)
		})
	}
}

// checkValue runs Check and wants answer i normalised to want, or rejected by naming
// answers[i].value when want is nil.
func checkValue(t *testing.T, sub *survey.Submission, i int, want any) {
	t.Helper()
	_, err := survey.Check(allTypes, sub)
	if want == nil {
		assertFields(t, err, "answers["+strconv.Itoa(i)+"].value")
		return
	}
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	got := sub.Answers[i].Value
	if !reflect.DeepEqual(got, want) {
		t.Errorf("normalised value = %#v (%T), want %#v (%T)", got, got, want, want)
	}
}

// assertFields wants an Invalid problem naming exactly these fields, in this order.
func assertFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	var pe *problem.Error
	if !errors.As(err, &pe) {
		t.Fatalf("Check = %v, want a problem naming %q", err, fields)
	}
	if pe.Kind != problem.Invalid {
		t.Errorf("kind = %q, want invalid", pe.Kind)
	}
	var got []string
	for _, f := range pe.Fields {
		got = append(got, f.Field)
		if f.Message == "" {
			t.Errorf("field %s has no message", f.Field)
		}
	}
	if !slices.Equal(got, fields) {
		t.Errorf("fields = %q, want %q (%v)", got, fields, pe.Fields)
	}
}

func TestCheckQuestions(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		fields  []string
		message string // a part of the first field's message
	}{
		{"required question missing", `{"answers":[{"questionId":"csat","value":4}]}`, []string{"answers"}, "nps"},
		{"no answers at all", `{}`, []string{"answers"}, "nps is required"},
		{"null answers", `{"answers":null}`, []string{"answers"}, "nps is required"},
		{"unknown questionId", withNPS(`{"questionId":"wifi","value":3}`), []string{"answers[1].questionId"}, "not a question"},
		{"empty questionId", `{"answers":[{"questionId":"","value":3},{"questionId":"nps","value":3}]}`, []string{"answers[0].questionId"}, "required"},
		{"missing questionId", withNPS(`{"value":3}`), []string{"answers[1].questionId"}, "required"},
		{"questionId of another case", withNPS(`{"questionId":"CSAT","value":3}`), []string{"answers[1].questionId"}, "not a question"},
		{"duplicate questionId", withNPS(`{"questionId":"nps","value":9}`), []string{"answers[1].questionId"}, "twice"},
		{"duplicate of a bad answer", `{"answers":[{"questionId":"nps","value":99},{"questionId":"nps","value":9}]}`,
			[]string{"answers[0].value", "answers[1].questionId"}, "0 to 10"},
		{"required answered badly is one error", `{"answers":[{"questionId":"nps","value":"ten"}]}`, []string{"answers[0].value"}, "whole number"},
		{"comment over 4000 runes", `{"answers":[{"questionId":"nps","value":3}],"comment":"` + strings.Repeat("冷", 4001) + `"}`,
			[]string{"comment"}, "4000"},
		{"every problem named", `{"answers":[{"questionId":"csat","value":9},{"questionId":"x","value":1},{"questionId":"csat","value":1},{"questionId":"pick","value":"q"}],"comment":"` +
			strings.Repeat("a", 4001) + `"}`,
			[]string{"answers[0].value", "answers[1].questionId", "answers[2].questionId", "answers[3].value", "answers", "comment"}, "1 to 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			score, err := survey.Check(allTypes, decodeSubmission(t, tt.body))
			assertFields(t, err, tt.fields...)
			var pe *problem.Error
			if errors.As(err, &pe) && len(pe.Fields) > 0 && !strings.Contains(pe.Fields[0].Message, tt.message) {
				t.Errorf("message %q does not mention %q", pe.Fields[0].Message, tt.message)
			}
			if !reflect.DeepEqual(score, survey.Score{}) {
				t.Errorf("a rejected submission scored %+v", score)
			}
		})
	}
}

func TestCheckCommentLimitCountsRunes(t *testing.T) {
	sub := decodeSubmission(t, `{"answers":[{"questionId":"nps","value":3}],"comment":"`+strings.Repeat("冷", 4000)+`"}`)
	if _, err := survey.Check(allTypes, sub); err != nil {
		t.Errorf("a comment of 4000 runes (12000 bytes) was rejected: %v", err)
	}
}

func TestCheckUnknownQuestionType(t *testing.T) {
	s := survey.Survey{Questions: []survey.Question{{ID: "slider", Type: "slider"}}}
	_, err := survey.Check(s, decodeSubmission(t, `{"answers":[{"questionId":"slider","value":3}]}`))
	assertFields(t, err, "answers[0].value")
}

func TestNPSCategory(t *testing.T) {
	tests := []struct {
		nps      int
		category string
		low      bool
	}{
		{0, "detractor", true},
		{5, "detractor", true},
		{6, "detractor", true},
		{7, "passive", false},
		{8, "passive", false},
		{9, "promoter", false},
		{10, "promoter", false},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.nps), func(t *testing.T) {
			body := `{"answers":[{"questionId":"nps","value":` + strconv.Itoa(tt.nps) + `}]}`
			score, err := survey.Check(allTypes, decodeSubmission(t, body))
			if err != nil {
				t.Fatal(err)
			}
			if score.NPS == nil || *score.NPS != tt.nps {
				t.Fatalf("NPS = %v, want %d", score.NPS, tt.nps)
			}
			if score.NPSCategory != tt.category {
				t.Errorf("category of %d = %q, want %q", tt.nps, score.NPSCategory, tt.category)
			}
			if score.CSAT != nil {
				t.Errorf("CSAT = %d without a csat answer", *score.CSAT)
			}
			if score.Low() != tt.low {
				t.Errorf("Low() for NPS %d = %v, want %v", tt.nps, score.Low(), tt.low)
			}
		})
	}
}

func TestScoreLow(t *testing.T) {
	n := func(i int) *int { return &i }
	tests := []struct {
		name  string
		score survey.Score
		want  bool
	}{
		{"nothing", survey.Score{}, false},
		{"nps 0", survey.Score{NPS: n(0)}, true},
		{"nps 6", survey.Score{NPS: n(6)}, true},
		{"nps 7", survey.Score{NPS: n(7)}, false},
		{"nps 10", survey.Score{NPS: n(10)}, false},
		{"csat 1", survey.Score{CSAT: n(1)}, true},
		{"csat 2", survey.Score{CSAT: n(2)}, true},
		{"csat 3", survey.Score{CSAT: n(3)}, false},
		{"nps 7 csat 3", survey.Score{NPS: n(7), CSAT: n(3)}, false},
		{"nps 7 csat 2", survey.Score{NPS: n(7), CSAT: n(2)}, true},
		{"nps 10 csat 1", survey.Score{NPS: n(10), CSAT: n(1)}, true},
		{"nps 6 csat 5", survey.Score{NPS: n(6), CSAT: n(5)}, true},
		{"dimensions alone", survey.Score{Dimensions: map[string]float64{"cleanliness": 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.score.Low(); got != tt.want {
				t.Errorf("Low() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheckScore(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		nps      int
		csat     *int
		dims     map[string]float64
		category string
		low      bool
	}{
		{"nps only", `{"answers":[{"questionId":"nps","value":9}]}`, 9, nil, nil, "promoter", false},
		{"nps 7 csat 3 is not low",
			`{"answers":[{"questionId":"nps","value":7},{"questionId":"csat","value":3}]}`,
			7, intRef(3), map[string]float64{"service quality": 3}, "passive", false},
		{"csat 2 is low", `{"answers":[{"questionId":"nps","value":9},{"questionId":"csat","value":2}]}`,
			9, intRef(2), map[string]float64{"service quality": 2}, "promoter", true},
		{"dimension mean of two",
			`{"answers":[{"questionId":"l5","value":4},{"questionId":"nps","value":8},{"questionId":"l5b","value":5}]}`,
			8, nil, map[string]float64{"cleanliness": 4.5}, "passive", false},
		{"dimension means round to hundredths",
			`{"answers":[{"questionId":"nps","value":8},{"questionId":"l10","value":1},{"questionId":"l10b","value":1},{"questionId":"l10c","value":2},` +
				`{"questionId":"l5","value":2},{"questionId":"l5b","value":2}]}`,
			8, nil, map[string]float64{"value": 1.33, "cleanliness": 2}, "passive", false},
		{"round half up",
			`{"answers":[{"questionId":"nps","value":8},{"questionId":"l10","value":2},{"questionId":"l10b","value":2},{"questionId":"l10c","value":1}]}`,
			8, nil, map[string]float64{"value": 1.67}, "passive", false},
		{"choice and text add no dimension",
			`{"answers":[{"questionId":"nps","value":8},{"questionId":"pick","value":"a"},{"questionId":"text","value":"x"}]}`,
			8, nil, nil, "passive", false},
		{"every dimension",
			`{"answers":[{"questionId":"nps","value":3},{"questionId":"csat","value":5},{"questionId":"l5","value":1},{"questionId":"l10","value":10}]}`,
			3, intRef(5), map[string]float64{"service quality": 5, "cleanliness": 1, "value": 10}, "detractor", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			score, err := survey.Check(allTypes, decodeSubmission(t, tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if score.NPS == nil || *score.NPS != tt.nps || score.NPSCategory != tt.category {
				t.Errorf("NPS %v %q, want %d %q", score.NPS, score.NPSCategory, tt.nps, tt.category)
			}
			if !reflect.DeepEqual(score.CSAT, tt.csat) {
				t.Errorf("CSAT = %v, want %v", derefInt(score.CSAT), derefInt(tt.csat))
			}
			if !reflect.DeepEqual(score.Dimensions, tt.dims) {
				t.Errorf("Dimensions = %v, want %v", score.Dimensions, tt.dims)
			}
			if score.Low() != tt.low {
				t.Errorf("Low() = %v, want %v", score.Low(), tt.low)
			}
		})
	}
}

func intRef(i int) *int { return &i }

func derefInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestSampleEventBody checks the body of events/apigw-survey-response.json against the
// demo survey: it is the low score `make invoke` uses to show a recovery follow-up.
func TestSampleEventBody(t *testing.T) {
	bodies := eventBodies(t)
	body, ok := bodies["apigw-survey-response.json"]
	if !ok {
		t.Fatal("events/apigw-survey-response.json has no body")
	}
	sub := decodeSubmission(t, body)
	score, err := survey.Check(demoStay, sub)
	if err != nil {
		t.Fatal(err)
	}
	if *score.NPS != 3 || score.NPSCategory != "detractor" || score.CSAT == nil || *score.CSAT != 2 || !score.Low() {
		t.Errorf("score = %+v, want a low one (NPS 3, CSAT 2)", score)
	}
	if !reflect.DeepEqual(score.Dimensions, map[string]float64{"service quality": 2}) {
		t.Errorf("dimensions = %v", score.Dimensions)
	}
	if sub.Comment != "The room was cold" {
		t.Errorf("comment = %q", sub.Comment)
	}
}

// eventBodies reads the `body` of every sample event in events/, by file, and of every
// record of SQS events.
func eventBodies(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "events", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev struct {
			Body    *string `json:"body"`
			Records []struct {
				Body string `json:"body"`
			} `json:"Records"`
		}
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(f)
		if ev.Body != nil {
			out[name] = *ev.Body
		}
		for i, r := range ev.Records {
			out[name+"#"+strconv.Itoa(i)] = r.Body
		}
	}
	return out
}

// FuzzCheck feeds arbitrary JSON to Check: it must never panic, and when it accepts a
// submission every value must be normalised, in range, and agree with the score.
func FuzzCheck(f *testing.F) {
	bodies := eventBodies(f)
	if len(bodies) == 0 {
		f.Fatal("no bodies found in events/ to seed from")
	}
	for _, b := range bodies {
		f.Add([]byte(b))
	}
	for _, b := range []string{
		`{"answers":[{"questionId":"nps","value":10},{"questionId":"multi","value":["a","b"]},{"questionId":"pick","value":"c"},{"questionId":"text","value":"ok"},{"questionId":"l10","value":7}],"comment":""}`,
		`{"answers":[{"questionId":"nps","value":10.5}]}`,
		`{"answers":[{"questionId":"nps","value":"7"}]}`,
		`{"answers":[{"questionId":"nps","value":-0},{"questionId":"multi","value":"a"}]}`,
		`{"answers":[{"questionId":"nps","value":1e308},{"questionId":"nps","value":null}]}`,
		`{"answers":[{},{"value":[[]]}],"invitationToken":"t"}`,
		`{"answers":null}`,
		`null`,
	} {
		f.Add([]byte(b))
	}
	// The scales as the API contract states them, independent of the code under test.
	scales := map[string][2]int{"nps": {0, 10}, "csat": {1, 5}, "likert5": {1, 5}, "likert10": {1, 10}}
	byID := map[string]survey.Question{}
	for _, q := range allTypes.Questions {
		byID[q.ID] = q
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var sub survey.Submission
		if json.Unmarshal(data, &sub) != nil {
			return
		}
		score, err := survey.Check(allTypes, &sub)
		if err != nil {
			var pe *problem.Error
			if !errors.As(err, &pe) || pe.Kind != problem.Invalid || len(pe.Fields) == 0 {
				t.Fatalf("Check = %#v, want an invalid problem naming fields", err)
			}
			for _, fe := range pe.Fields {
				if !strings.HasPrefix(fe.Field, "answers") && fe.Field != "comment" {
					t.Fatalf("field %q is not a field of the submission", fe.Field)
				}
			}
			return
		}
		seen := map[string]bool{}
		for i, a := range sub.Answers {
			q, ok := byID[a.QuestionID]
			if !ok || seen[a.QuestionID] {
				t.Fatalf("answer %d to %q accepted (known %v, seen %v)", i, a.QuestionID, ok, seen[a.QuestionID])
			}
			seen[a.QuestionID] = true
			switch q.Type {
			case survey.TypeNPS, survey.TypeCSAT, survey.TypeLikert5, survey.TypeLikert10:
				n, ok := a.Value.(int)
				lo, hi := scales[q.Type][0], scales[q.Type][1]
				if !ok || n < lo || n > hi {
					t.Fatalf("answer %d (%s) = %#v, want an int in %d..%d", i, q.Type, a.Value, lo, hi)
				}
				if q.Type == survey.TypeNPS && (score.NPS == nil || *score.NPS != n) {
					t.Fatalf("score NPS %v, answer %d", derefInt(score.NPS), n)
				}
				if q.Type == survey.TypeCSAT && (score.CSAT == nil || *score.CSAT != n) {
					t.Fatalf("score CSAT %v, answer %d", derefInt(score.CSAT), n)
				}
			case survey.TypeChoice:
				picked, ok := a.Value.([]string)
				if !ok || len(picked) == 0 || (!q.Multiple && len(picked) != 1) {
					t.Fatalf("answer %d (choice) = %#v", i, a.Value)
				}
				for j, p := range picked {
					if !slices.Contains(q.Options, p) || slices.Contains(picked[:j], p) {
						t.Fatalf("answer %d picks %q: not an option, or twice", i, p)
					}
				}
			case survey.TypeText:
				s, ok := a.Value.(string)
				if !ok || len([]rune(s)) > survey.MaxTextAnswer {
					t.Fatalf("answer %d (text) = %#v", i, a.Value)
				}
			}
		}
		if !seen["nps"] {
			t.Fatal("accepted without the required nps answer")
		}
		if len([]rune(sub.Comment)) > survey.MaxComment {
			t.Fatalf("accepted a comment of %d runes", len([]rune(sub.Comment)))
		}
		if score.NPSCategory == "" {
			t.Fatal("no NPS category")
		}
		for d, m := range score.Dimensions {
			if math.IsNaN(m) || m < 1 || m > 10 {
				t.Fatalf("dimension %q mean %v is outside every scale", d, m)
			}
		}
		if _, err := json.Marshal(sub); err != nil {
			t.Fatalf("a normalised submission does not encode: %v", err)
		}
	})
}
