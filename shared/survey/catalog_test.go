package survey_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	curs "github.com/rapport-crm/rapport/shared/cursor"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/survey"
)

// The survey list over DynamoDB Local: newest first through the catalog index, page by
// page, each token seeing only its surveys (its locations' and every location's), an
// edit keeping the survey's place and showing its current version.
func TestListSurveys(t *testing.T) {
	f := newFixture(t) // s-1, for every location
	f.staff.Cursors = curs.New(curs.Static("catalog-test-key"))
	ctx := context.Background()
	define := func(name, loc string, title map[string]string) survey.Survey {
		t.Helper()
		f.clk.Advance(time.Minute)
		sv, err := f.staff.Define(ctx, everyone, survey.Definition{Name: name, Title: title, LocationID: loc, Questions: []survey.Question{
			{ID: "nps", Type: survey.TypeNPS, Text: map[string]string{"en": "Recommend us?", "zh-CN": "推荐我们吗？"}},
			{ID: "note", Type: survey.TypeText, Text: map[string]string{"en": "Anything else?"}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		return sv
	}
	sh1 := define("Stay", "sh-01", map[string]string{"zh-CN": "住宿调查", "en": "Your stay"})
	bj := define("Dinner", "bj-01", nil)
	sh2 := define("Spa", "sh-01", nil)
	f.clk.Advance(time.Minute)
	if _, err := f.staff.Edit(ctx, everyone, sh1.ID, survey.Definition{Name: "Stay", LocationID: "sh-01", Version: 1, Questions: []survey.Question{
		{ID: "csat", Type: survey.TypeCSAT, Text: map[string]string{"en": "Happy?"}}}}); err != nil {
		t.Fatal(err)
	}

	list := func(p auth.Principal, loc string, limit int) ([]survey.Summary, error) {
		var out []survey.Summary
		cursor := ""
		for range 20 {
			page, err := f.staff.List(ctx, p, loc, limit, cursor)
			if err != nil {
				return nil, err
			}
			out = append(out, page.Items...)
			if page.NextCursor == nil {
				return out, nil
			}
			cursor = *page.NextCursor
		}
		t.Fatal("no last page")
		return nil, nil
	}
	idsOf := func(ss []survey.Summary) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	sh := auth.Principal{Subject: "agent-sh", Roles: []string{"agent"}, Locations: []string{"sh-01"}}
	nobody := auth.Principal{Subject: "agent-none", Roles: []string{"agent"}}
	for _, tt := range []struct {
		name  string
		p     auth.Principal
		loc   string
		limit int
		want  []string
	}{
		{"head office", everyone, "", 50, []string{sh2.ID, bj.ID, sh1.ID, "s-1"}},
		{"head office, a page of one", everyone, "", 1, []string{sh2.ID, bj.ID, sh1.ID, "s-1"}},
		{"head office at bj-01", everyone, "bj-01", 2, []string{bj.ID, "s-1"}},
		{"an agent of sh-01", sh, "", 50, []string{sh2.ID, sh1.ID, "s-1"}},
		{"an agent of sh-01, pages of two", sh, "sh-01", 2, []string{sh2.ID, sh1.ID, "s-1"}},
		{"a token without locations", nobody, "", 50, nil},
	} {
		got, err := list(tt.p, tt.loc, tt.limit)
		if err != nil || !slices.Equal(idsOf(got), tt.want) {
			t.Errorf("%s: %v %v, want %v", tt.name, idsOf(got), err, tt.want)
		}
	}
	all, _ := list(everyone, "", 50)
	want := survey.Summary{ID: sh1.ID, Name: "Stay", Title: map[string]string{"zh-CN": "Stay", "en": "Stay"}, LocationID: "sh-01",
		Version: 2, Questions: 1, CreatedAt: f.clk.Now()}
	if got := all[2]; got.ID != want.ID || got.Version != 2 || got.Questions != 1 || !got.CreatedAt.Equal(want.CreatedAt) || got.Title["en"] != "Stay" || got.Title["zh-CN"] != "Stay" {
		t.Errorf("the edited survey: %+v, want %+v", got, want)
	}
	if got := all[0]; got.Questions != 2 || got.Title["zh-CN"] != "Spa" || got.Title["en"] != "Spa" {
		t.Errorf("a survey without a title: %+v, want its name in both languages", got)
	}

	if _, err := f.staff.List(ctx, sh, "bj-01", 50, ""); problem.KindOf(err) != problem.NotFound {
		t.Errorf("an agent of sh-01 at bj-01: %v, want 404", err)
	}
	page, err := f.staff.List(ctx, everyone, "", 1, "")
	if err != nil || page.NextCursor == nil {
		t.Fatalf("%+v %v", page, err)
	}
	if _, err := f.staff.List(ctx, everyone, "bj-01", 1, *page.NextCursor); problem.KindOf(err) != problem.Invalid {
		t.Errorf("a cursor of another list: %v, want 400", err)
	}
}
