package survey

import (
	"testing"
	"time"
)

// Worked examples of the scoring, computed by hand in the comments.
func TestScoringWorkedExamples(t *testing.T) {
	sv := Survey{ID: "s", Questions: []Question{
		{ID: "nps", Type: TypeNPS},
		{ID: "csat", Type: TypeCSAT, Dimension: "service quality"},
		{ID: "clean", Type: TypeLikert5, Dimension: "cleanliness"},
	}}
	tally := func(answers map[string][]int) Tally {
		var t Tally
		n := 0
		for _, vs := range answers {
			n = max(n, len(vs))
		}
		for i := range n {
			r := Response{ID: "r", SubmittedAt: time.Now()}
			for q, vs := range answers {
				if i < len(vs) {
					r.Answers = append(r.Answers, Answer{QuestionID: q, Value: vs[i]})
				}
			}
			for name, v := range counters(sv, r) {
				t.add(name, v)
			}
		}
		return t
	}
	f := func(x float64) *float64 { return &x }
	cases := []struct {
		name    string
		answers map[string][]int
		nps     *float64
		csat    *float64
		dims    map[string]DimensionScore
	}{
		// Promoters 10,10,9,10 = 4 (40%); detractors 6,5,3,0 = 4 (40%); passives 8,7.
		// NPS = 40 − 40 = 0. (The example says 20; by its own formula it is 0.)
		{"ten NPS answers", map[string][]int{"nps": {10, 10, 9, 8, 7, 6, 5, 3, 0, 10}}, f(0), nil, nil},
		// 6 promoters, 1 passive, 1 detractor of 8: 75% − 12.5% = 62.5.
		{"mostly promoters", map[string][]int{"nps": {10, 9, 9, 10, 10, 9, 8, 2}}, f(62.5), nil, nil},
		// All detractors: −100.
		{"all detractors", map[string][]int{"nps": {0, 6, 3}}, f(-100), nil, nil},
		// 1 promoter, 2 detractors of 3: 33.33 − 66.67 = −33.3 (one decimal).
		{"rounding", map[string][]int{"nps": {9, 0, 1}}, f(-33.3), nil, nil},
		// CSAT: 4 and 5 count: 5,4,3,2,1,4 → 3 of 6 = 50%. Service quality mean 19/6 = 3.17.
		{"csat", map[string][]int{"csat": {5, 4, 3, 2, 1, 4}}, nil, f(50),
			map[string]DimensionScore{"service quality": {Mean: 3.17, Count: 6}}},
		// Two dimensions at once: cleanliness 5,4 → 4.5; service 2 → CSAT 0%.
		{"dimensions", map[string][]int{"clean": {5, 4}, "csat": {2}}, nil, f(0),
			map[string]DimensionScore{"cleanliness": {Mean: 4.5, Count: 2}, "service quality": {Mean: 2, Count: 1}}},
		{"nothing answered", map[string][]int{}, nil, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := tally(c.answers).Results()
			if !samePtr(r.NPS, c.nps) || !samePtr(r.CSAT, c.csat) {
				t.Fatalf("nps %v csat %v, want %v %v", deref(r.NPS), deref(r.CSAT), deref(c.nps), deref(c.csat))
			}
			for d, want := range c.dims {
				if got := r.Dimensions[d]; got != want {
					t.Errorf("%s: %+v, want %+v", d, got, want)
				}
			}
			if len(r.Dimensions) != len(c.dims) {
				t.Errorf("dimensions %v, want %v", r.Dimensions, c.dims)
			}
		})
	}
}

func TestDistributionCountsValuesAndOptions(t *testing.T) {
	sv := Survey{ID: "s", Questions: []Question{{ID: "nps", Type: TypeNPS}, {ID: "liked", Type: TypeChoice, Multiple: true, Options: []string{"a", "b"}}}}
	var tl Tally
	for _, r := range []Response{
		{Answers: []Answer{{QuestionID: "nps", Value: 9}, {QuestionID: "liked", Value: []string{"a", "b"}}}},
		{Answers: []Answer{{QuestionID: "nps", Value: 9}, {QuestionID: "liked", Value: []string{"b"}}}},
	} {
		for name, v := range counters(sv, r) {
			tl.add(name, v)
		}
	}
	d := tl.Results().Distribution
	if d["nps"]["9"] != 2 || d["liked"]["a"] != 1 || d["liked"]["b"] != 2 {
		t.Fatalf("distribution %v", d)
	}
}

func samePtr(a, b *float64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
