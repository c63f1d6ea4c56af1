package survey

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rapport-crm/rapport/shared/dynamo"
	"github.com/rapport-crm/rapport/shared/kpi"
)

// Tally is what aggregates count: everything the results are computed from. All of it
// is integers, so sums over days, shards and locations are exact.
type Tally struct {
	Responses  int
	NPSCount   int
	Promoters  int
	Detractors int
	CSATCount  int
	Satisfied  int
	// DimSum and DimCount per dimension, over every rating answer on it.
	DimSum   map[string]int
	DimCount map[string]int
	// Dist counts answers per question per value (ratings) or option (choices).
	Dist map[string]map[string]int
}

// counters lists what one response adds, as attribute name → increment.
func counters(sv Survey, r Response) map[string]int {
	c := map[string]int{"n": 1}
	byID := map[string]Question{}
	for _, q := range sv.Questions {
		byID[q.ID] = q
	}
	for _, a := range r.Answers {
		q := byID[a.QuestionID]
		switch v := a.Value.(type) {
		case int:
			switch q.Type {
			case TypeNPS:
				c["npsN"]++
				if v >= 9 {
					c["npsPro"]++
				} else if v <= 6 {
					c["npsDet"]++
				}
			case TypeCSAT:
				c["csatN"]++
				if v >= 4 {
					c["csatSat"]++
				}
			}
			if q.Dimension != "" {
				c["dimSum|"+q.Dimension] += v
				c["dimN|"+q.Dimension]++
			}
			c["dist|"+q.ID+"|"+strconv.Itoa(v)]++
		case []string:
			for _, o := range v {
				c["dist|"+q.ID+"|"+o]++
			}
		}
	}
	return c
}

// aggregateUpdates are the transaction items adding a response to its location's and
// the survey's daily aggregates.
func (s *Store) aggregateUpdates(sv Survey, r Response) []types.TransactWriteItem {
	c := counters(sv, r)
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	var adds []string
	attrNames := map[string]string{}
	values := map[string]types.AttributeValue{}
	for i, n := range names {
		adds = append(adds, fmt.Sprintf("#a%d :v%d", i, i))
		attrNames[fmt.Sprintf("#a%d", i)] = n
		values[fmt.Sprintf(":v%d", i)] = dynamo.N(int64(c[n]))
	}
	day := r.SubmittedAt.UTC().Format(dayFormat)
	shard := shardOf(r.ID)
	var items []types.TransactWriteItem
	for _, loc := range []string{r.LocationID, allLocations} {
		if loc == "" {
			continue
		}
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: aws.String(s.Table), Key: dynamo.Key(surveyPK(sv.ID), aggregateSK(loc, day, shard)),
			UpdateExpression:          aws.String("ADD " + strings.Join(adds, ", ")),
			ExpressionAttributeNames:  attrNames,
			ExpressionAttributeValues: values,
		}})
	}
	return items
}

// kpiUpdate is the transaction item adding a response to its location's KPI counters
// of its local day (every survey together); ok is false for a response of no location.
func (s *Store) kpiUpdate(sv Survey, r Response, day string) (types.TransactWriteItem, bool, error) {
	if r.LocationID == "" {
		return types.TransactWriteItem{}, false, nil
	}
	c := counters(sv, r)
	return kpi.Add(s.Table, r.LocationID, kpi.SK(kpi.Day, day, kpi.Shard(r.ID)), map[string]int{
		kpi.Responses: c["n"], kpi.NPSCount: c["npsN"], kpi.Promoters: c["npsPro"], kpi.Detractors: c["npsDet"],
		kpi.CSATCount: c["csatN"], kpi.Satisfied: c["csatSat"],
	})
}

// staffUpdate is the transaction item adding a response to its staff member's counters
// of its local day at its location: what kpiUpdate counts, and per dimension rated the
// sum of its scores and their number (kpi.DimSum and kpi.DimCount + kpi.DimensionKey);
// ok is false for a response that names no staff member or location.
func (s *Store) staffUpdate(sv Survey, r Response, day string) (types.TransactWriteItem, bool, error) {
	if r.LocationID == "" || r.StaffID == "" {
		return types.TransactWriteItem{}, false, nil
	}
	c := counters(sv, r)
	counts := map[string]int{
		kpi.Responses: c["n"], kpi.NPSCount: c["npsN"], kpi.Promoters: c["npsPro"], kpi.Detractors: c["npsDet"],
		kpi.CSATCount: c["csatN"], kpi.Satisfied: c["csatSat"],
	}
	for name, v := range c {
		if dim, ok := strings.CutPrefix(name, "dimSum|"); ok {
			counts[kpi.DimSum+kpi.DimensionKey(dim)] = v
		} else if dim, ok := strings.CutPrefix(name, "dimN|"); ok {
			counts[kpi.DimCount+kpi.DimensionKey(dim)] = v
		}
	}
	return kpi.AddStaff(s.Table, r.LocationID, day, r.StaffID, counts)
}

// addItem adds one aggregate item's counters to the tally.
func (t *Tally) addItem(item map[string]types.AttributeValue) {
	for name, av := range item {
		n, ok := av.(*types.AttributeValueMemberN)
		if !ok {
			continue
		}
		v, err := strconv.Atoi(n.Value)
		if err != nil {
			continue
		}
		t.add(name, v)
	}
}

func (t *Tally) add(name string, v int) {
	if t.DimSum == nil {
		t.DimSum, t.DimCount, t.Dist = map[string]int{}, map[string]int{}, map[string]map[string]int{}
	}
	switch {
	case name == "n":
		t.Responses += v
	case name == "npsN":
		t.NPSCount += v
	case name == "npsPro":
		t.Promoters += v
	case name == "npsDet":
		t.Detractors += v
	case name == "csatN":
		t.CSATCount += v
	case name == "csatSat":
		t.Satisfied += v
	case strings.HasPrefix(name, "dimSum|"):
		t.DimSum[strings.TrimPrefix(name, "dimSum|")] += v
	case strings.HasPrefix(name, "dimN|"):
		t.DimCount[strings.TrimPrefix(name, "dimN|")] += v
	case strings.HasPrefix(name, "dist|"):
		q, val, _ := strings.Cut(strings.TrimPrefix(name, "dist|"), "|")
		if t.Dist[q] == nil {
			t.Dist[q] = map[string]int{}
		}
		t.Dist[q][val] += v
	}
}

// Results are a survey's scores over a period.
type Results struct {
	SurveyID   string `json:"surveyId"`
	From       string `json:"from"`
	To         string `json:"to"`
	LocationID string `json:"locationId,omitempty"`
	Responses  int    `json:"responses"`
	// NPS is % promoters (9–10) − % detractors (0–6), one decimal; null without answers.
	NPS       *float64  `json:"nps"`
	NPSDetail NPSDetail `json:"npsDetail"`
	// CSAT is the % of 4–5 answers on 1–5 CSAT questions, one decimal; null without answers.
	CSAT         *float64                  `json:"csat"`
	CSATCount    int                       `json:"csatCount"`
	Dimensions   map[string]DimensionScore `json:"dimensions"`
	Distribution map[string]map[string]int `json:"distribution"`
}

// NPSDetail are the counts behind the NPS.
type NPSDetail struct {
	Count      int `json:"count"`
	Promoters  int `json:"promoters"`
	Passives   int `json:"passives"`
	Detractors int `json:"detractors"`
}

// DimensionScore is a dimension's mean over its answers.
type DimensionScore struct {
	Mean  float64 `json:"mean"`
	Count int     `json:"count"`
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

// Results computes the scores from a tally.
func (t Tally) Results() Results {
	r := Results{
		Responses:    t.Responses,
		NPSDetail:    NPSDetail{Count: t.NPSCount, Promoters: t.Promoters, Detractors: t.Detractors, Passives: t.NPSCount - t.Promoters - t.Detractors},
		CSATCount:    t.CSATCount,
		Dimensions:   map[string]DimensionScore{},
		Distribution: map[string]map[string]int{},
	}
	if t.NPSCount > 0 {
		nps := round(float64(t.Promoters-t.Detractors)*100/float64(t.NPSCount), 1)
		r.NPS = &nps
	}
	if t.CSATCount > 0 {
		csat := round(float64(t.Satisfied)*100/float64(t.CSATCount), 1)
		r.CSAT = &csat
	}
	for d, n := range t.DimCount {
		if n > 0 {
			r.Dimensions[d] = DimensionScore{Mean: round(float64(t.DimSum[d])/float64(n), 2), Count: n}
		}
	}
	for q, m := range t.Dist {
		r.Distribution[q] = m
	}
	return r
}
