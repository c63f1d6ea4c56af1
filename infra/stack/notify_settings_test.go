package stack

import (
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/shared/wiring"
)

// withRowEnv returns a copy of the real rows where fn's variable name is e (the shared
// wiring table stays untouched).
func withRowEnv(fn, name string, e wiring.EnvVar) []wiring.Function {
	rows := slices.Clone(wiring.Functions)
	for i := range rows {
		if rows[i].Name != fn {
			continue
		}
		rows[i].Env = slices.Clone(rows[i].Env)
		for j := range rows[i].Env {
			if rows[i].Env[j].Name == name {
				rows[i].Env[j] = e
			}
		}
	}
	return rows
}

func TestValidateRefusesTheWebhookSwitchAndBadSMSSettings(t *testing.T) {
	// GIVEN the real rows, in every stage
	for _, stage := range Stages {
		if err := stageProps(stage).withDefaults().Validate(); err != nil {
			t.Fatalf("stage %s: %v", stage, err)
		}
	}
	tests := []struct {
		name   string
		change func(p *StackProps)
		want   string
	}{
		{"switch on in a row", func(p *StackProps) {
			p.Functions = withRowEnv("followup-sender", webhookSwitch, wiring.EnvVar{Name: webhookSwitch, Value: "true"})
		}, "function followup-sender: " + webhookSwitch},
		{"switch made a setting", func(p *StackProps) {
			p.Functions = withRowEnv("followups-staff", webhookSwitch, wiring.EnvVar{Name: webhookSwitch, Setting: "webhookAllowPrivate", Value: "false"})
		}, "function followups-staff: " + webhookSwitch},
		{"sender id with a space", func(p *StackProps) { p.Settings = map[string]string{settingSMSSenderID: "Hotel Lotus"} }, "smsSenderId"},
		{"sender id too long", func(p *StackProps) { p.Settings = map[string]string{settingSMSSenderID: "HotelLotusSH1"} }, "smsSenderId"},
		{"origination number not E.164", func(p *StackProps) {
			p.Settings = map[string]string{settingSMSOriginationNumber: "206-555-0100"}
		}, "smsOriginationNumber"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// WHEN a deployment changes one thing
			p := devProps().withDefaults()
			tt.change(&p)
			// THEN Validate refuses it, naming what to fix
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if slices.ContainsFunc(wiring.Functions, func(f wiring.Function) bool {
		return slices.ContainsFunc(f.Env, func(e wiring.EnvVar) bool { return e.Name == webhookSwitch && e.Value != "false" })
	}) {
		t.Fatal("the test changed the shared wiring table")
	}
}

// The synthesized template holds the switch off in every function that declares it,
// whatever context a deployment passes, and carries the SMS sender settings to the
// SMS deliverer (followup-sms).
func TestTemplateKeepsWebhooksOffPrivateNetworks(t *testing.T) {
	// GIVEN prod with SMS sender settings, and context that tries to turn the switch on
	p := prodProps()
	p.Settings[settingSMSSenderID] = "HotelLotus"
	p.Settings[settingSMSOriginationNumber] = "+12065550100"
	p.Settings[webhookSwitch] = "true"
	p.Settings["webhookAllowPrivate"] = "true"
	if err := p.withDefaults().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*synthesized{"dev": synthCached(t, "dev", devProps()), "prod+sms": synth(t, p, nil)} {
		// THEN every function that declares the switch has it "false"
		declared := 0
		for _, row := range wiring.Functions {
			fn := s.resource(t, s.logicalID(t, functionID(row.Name)), "AWS::Lambda::Function")
			env, _ := fn.Properties["Environment"].(map[string]any)
			vars, _ := env["Variables"].(map[string]any)
			v, ok := vars[webhookSwitch]
			if !ok {
				continue
			}
			declared++
			if v != "false" {
				t.Errorf("%s: %s %s = %v, want \"false\"", name, row.Name, webhookSwitch, v)
			}
		}
		if declared < 2 {
			t.Errorf("%s: %d functions declare %s, want the sender and followups-staff", name, declared, webhookSwitch)
		}
		// AND the SMS deliverer gets the SMS settings
		if vars := functionEnv(t, s, "followup-sms"); name == "prod+sms" &&
			(vars["NOTIFY_SMS_SENDER_ID"] != "HotelLotus" || vars["NOTIFY_SMS_ORIGINATION_NUMBER"] != "+12065550100") {
			t.Errorf("followup-sms environment %s", jsonString(vars))
		}
		if strings.Contains(s.raw, `"`+webhookSwitch+`":"true"`) {
			t.Errorf("%s: the template turns the switch on somewhere", name)
		}
	}
}
