package kpi

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestPeriodsAreLocalAndISO(t *testing.T) {
	for _, c := range []struct {
		at   string
		zone string
		want Periods
	}{
		{"2026-11-30T15:59:00Z", "Asia/Shanghai", Periods{"2026-11-30", "2026-W49", "2026-11"}},
		{"2026-11-30T16:00:00Z", "Asia/Shanghai", Periods{"2026-12-01", "2026-W49", "2026-12"}},
		{"2026-12-31T16:30:00Z", "Asia/Shanghai", Periods{"2027-01-01", "2026-W53", "2027-01"}}, // a Friday in 2026's week 53
		{"2027-01-04T00:30:00Z", "America/New_York", Periods{"2027-01-03", "2026-W53", "2027-01"}},
		{"2027-01-04T00:30:00Z", "", Periods{"2027-01-04", "2027-W01", "2027-01"}},
	} {
		at, _ := time.Parse(time.RFC3339, c.at)
		got, err := At(at, c.zone)
		if err != nil || got != c.want {
			t.Errorf("%s in %q: %+v, %v; want %+v", c.at, c.zone, got, err, c.want)
		}
	}
	if _, err := At(time.Now(), "Mars/Olympus"); err == nil {
		t.Error("an unknown zone was accepted")
	}
}

func TestAddLeavesOutZerosAndNothing(t *testing.T) {
	if _, ok, err := Add("t", "loc-1", SK(Day, "2026-12-01", 0), map[string]int{Visits: 0}); ok || err != nil {
		t.Fatalf("all zeros: ok %v, %v; want nothing to add", ok, err)
	}
	it, ok, err := Add("t", "loc-1", SK(Day, "2026-12-01", 2), map[string]int{Visits: 1, RepeatVisits: 0})
	if !ok || err != nil {
		t.Fatalf("ok %v, %v", ok, err)
	}
	u := it.Update
	if len(u.ExpressionAttributeValues) != 2 { // the location and one counter
		t.Errorf("values %v, want the location and visits only", u.ExpressionAttributeValues)
	}
	pk, _ := u.Key["pk"].(*types.AttributeValueMemberS)
	sk, _ := u.Key["sk"].(*types.AttributeValueMemberS)
	if pk == nil || pk.Value != "KPI#loc-1" || sk == nil || sk.Value != "D#2026-12-01#2" {
		t.Errorf("key %v, want KPI#loc-1 / D#2026-12-01#2", u.Key)
	}
}

func TestMedianIsTheBucketOfTheMiddleDuration(t *testing.T) {
	c := Counts{}
	for _, m := range []int{3, 20, 50, 55, 100} { // buckets 5, 30, 60, 60, 120
		c[Bucket(AcknowledgeMinutes, m)]++
	}
	if m, ok, over := Median(c, AcknowledgeMinutes); m != 60 || !ok || over {
		t.Fatalf("median %d %v %v, want 60 (the third of five lies in (45, 60])", m, ok, over)
	}
	c[Bucket(AcknowledgeMinutes, 20000)] += 6 // six more, all over the last bound
	if _, ok, over := Median(c, AcknowledgeMinutes); ok || !over {
		t.Fatalf("median of mostly overlong durations: ok %v over %v, want over", ok, over)
	}
	if _, ok, over := Median(Counts{}, ResolveMinutes); ok || over {
		t.Fatal("a median of nothing")
	}
	if Bucket(ResolveMinutes, 60) != "resMin_60" || Bucket(ResolveMinutes, 61) != "resMin_90" {
		t.Fatal("bucket bounds are inclusive upper bounds")
	}
}
