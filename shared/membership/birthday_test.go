package membership_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/customer"
	"github.com/rapport-crm/rapport/shared/followup"
	"github.com/rapport-crm/rapport/shared/kpi"
	"github.com/rapport-crm/rapport/shared/location"
	"github.com/rapport-crm/rapport/shared/loyalty"
	"github.com/rapport-crm/rapport/shared/membership"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
	"github.com/rapport-crm/rapport/shared/reward"
	"github.com/rapport-crm/rapport/shared/testenv"
)

// The birthday voucher: with the rules offering 50 CNY for 14 days, each member whose
// birthday it is gets one voucher a year however often the hourly job runs that day,
// beside the bonus or without one, counted at the member's home location.
func TestBirthdayVoucherOncePerYear(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	db := env.Clients.DynamoDB
	locs := &location.Store{DB: db, Table: env.Names("customers")}
	home := place.Location{ID: "loc-1", Name: "Harbour Hotel", TimeZone: "Asia/Shanghai"}
	if _, err := locs.PutLocation(ctx, home, 0); err != nil {
		t.Fatal(err)
	}
	customers := &customer.Store{DB: db, Table: locs.Table, Locations: locs}
	if _, _, err := customers.CreateProfile(ctx, customer.ProfileInput{ID: "b-1", Name: ptr("Birthday Guest"), LocationID: ptr("loc-1")}, "t", t0); err != nil {
		t.Fatal(err)
	}
	rewards := &reward.Store{DB: db, Table: env.Names("rewards"), Locations: locs}
	clk := clock.NewManual(t0)
	svc := &loyalty.Service{Store: &loyalty.Store{DB: db, Table: env.Names("loyalty")}, Clock: clk,
		Effects: membership.Messages{Followups: &followup.Store{DB: db, Table: env.Names("followups")}},
		Gifts:   membership.BirthdayVouchers{Rewards: rewards, Homes: customers}}
	rules := loyalty.DefaultRules()
	rules.BirthdayVoucher = &loyalty.BirthdayVoucher{Value: loyalty.VoucherValue{AmountOff: 50, Currency: "CNY"}, ValidDays: 14}
	if err := rules.Validate(); err != nil {
		t.Fatal(err)
	}
	saved, err := svc.Store.PutRules(ctx, rules, 0)
	if err != nil {
		t.Fatal(err)
	}
	// b-1 has a profile at loc-1; b-2 has none; b-3's birthday is in August.
	for cid, bday := range map[string]string{"b-1": "1990-12-06", "b-2": "12-06", "b-3": "08-08"} {
		if _, err := svc.Enrol(ctx, cid, loyalty.Membership{Birthday: bday, TimeZone: "Asia/Shanghai"}); err != nil {
			t.Fatal(err)
		}
	}
	run := func(at string, want int) {
		t.Helper()
		now := utc(at)
		clk.Set(now)
		if n, err := svc.Birthdays(ctx, now); err != nil || n != want {
			t.Fatalf("the job at %s: %d members given something (%v), want %d", at, n, err, want)
		}
	}
	vouchers := func(cid string) []reward.Voucher {
		t.Helper()
		vs, err := rewards.Vouchers(ctx, cid, 10)
		if err != nil {
			t.Fatal(err)
		}
		return vs
	}
	// 6 December in Shanghai from 16:00 UTC on the 5th: the job, hourly, runs twice
	// that morning and once in the evening.
	run("2026-12-05T16:30:00Z", 2)
	run("2026-12-05T17:30:00Z", 0)
	run("2026-12-06T12:30:00Z", 0)
	for _, cid := range []string{"b-1", "b-2"} {
		vs := vouchers(cid)
		if len(vs) != 1 {
			t.Fatalf("%s's vouchers: %+v, want one", cid, vs)
		}
		v := vs[0]
		if v.Source != (reward.Source{Kind: reward.SourceBirthday, ID: "2026"}) || v.Value != (reward.Value{AmountOff: 50, Currency: "CNY"}) ||
			v.Name["zh-CN"] != "生日礼券" || v.Name["en"] != "Birthday voucher" || len(v.LocationIDs) != 0 ||
			!v.ExpiresAt.Equal(utc("2026-12-05T16:30:00Z").Add(14*24*time.Hour)) || v.Status(utc("2026-12-06T12:30:00Z")) != reward.StatusIssued {
			t.Fatalf("%s's voucher: %+v", cid, v)
		}
	}
	if v := vouchers("b-1")[0]; v.LocationID != "loc-1" {
		t.Fatalf("b-1's voucher counts at %q, want its home loc-1", v.LocationID)
	}
	if v := vouchers("b-2")[0]; v.LocationID != "" {
		t.Fatalf("b-2, with no profile, has a voucher counted at %q", v.LocationID)
	}
	if vs := vouchers("b-3"); len(vs) != 0 {
		t.Fatalf("b-3, not their birthday, got %+v", vs)
	}
	byDay, err := kpi.Read(ctx, db, rewards.Table, "loc-1", kpi.Day, "2026-12-06", "2026-12-06")
	if err != nil || byDay["2026-12-06"][reward.Issued] != 1 {
		t.Fatalf("loc-1's counters: %+v %v; want one voucher issued", byDay, err)
	}
	if b, _ := svc.Balance(ctx, "b-1"); b.Balance != 100 {
		t.Fatalf("b-1's balance %d, want the bonus of 100", b.Balance)
	}

	// The next year with no bonus: the voucher alone, still once.
	saved.BirthdayBonus = 0
	if _, err := svc.Store.PutRules(ctx, saved, saved.Version); err != nil {
		t.Fatal(err)
	}
	run("2027-12-05T16:30:00Z", 2)
	run("2027-12-05T17:30:00Z", 0)
	if vs := vouchers("b-1"); len(vs) != 2 || vs[0].Source.ID != "2027" {
		t.Fatalf("b-1's vouchers after two birthdays: %+v", vs)
	}
	if b, _ := svc.Balance(ctx, "b-1"); b.Balance != 100 {
		t.Fatalf("b-1's balance %d, want still 100", b.Balance)
	}
}

// A birthday voucher with a wrong field is named in the rules' 400.
func TestBirthdayVoucherRules(t *testing.T) {
	for _, c := range []struct {
		name    string
		voucher loyalty.BirthdayVoucher
		fields  []string
	}{
		{"no value", loyalty.BirthdayVoucher{ValidDays: 7}, []string{"birthdayVoucher.value.amountOff"}},
		{"no validity", loyalty.BirthdayVoucher{Value: loyalty.VoucherValue{PercentOff: 10}}, []string{"birthdayVoucher.validDays"}},
		{"an amount without currency, a negative validity", loyalty.BirthdayVoucher{Value: loyalty.VoucherValue{AmountOff: 10}, ValidDays: -3},
			[]string{"birthdayVoucher.value.currency", "birthdayVoucher.validDays"}},
		{"both an amount and a percentage", loyalty.BirthdayVoucher{Value: loyalty.VoucherValue{AmountOff: 10, Currency: "CNY", PercentOff: 5}, ValidDays: 7},
			[]string{"birthdayVoucher.value.percentOff"}},
		{"a fraction of a cent", loyalty.BirthdayVoucher{Value: loyalty.VoucherValue{AmountOff: 0.001, Currency: "CNY"}, ValidDays: 7},
			[]string{"birthdayVoucher.value.amountOff"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := loyalty.DefaultRules()
			v := c.voucher
			r.BirthdayVoucher = &v
			err := r.Validate()
			var fields []string
			if pe, ok := err.(*problem.Error); ok {
				for _, f := range pe.Fields {
					fields = append(fields, f.Field)
				}
			}
			if !reflect.DeepEqual(fields, c.fields) {
				t.Fatalf("%v naming %v, want %v", err, fields, c.fields)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
