package complaint

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/contact"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Settings are the business's complaint handling rules: the taxonomies, the SLA
// policies, the escalation ladder, teams and assignment rules. One versioned record.
type Settings struct {
	Categories []string `dynamodbav:"categories" json:"categories"`
	RootCauses []string `dynamodbav:"rootCauses" json:"rootCauses"`
	// Policies are the SLA targets per severity; CategoryPolicies override them for a
	// category (category → severity → policy).
	Policies         map[string]Policy            `dynamodbav:"policies" json:"policies"`
	CategoryPolicies map[string]map[string]Policy `dynamodbav:"categoryPolicies,omitempty" json:"categoryPolicies,omitempty"`
	// Ladder is what happens as a clock runs down, in order of At (a share of the
	// target): below 1 a warning, from 1 on an escalation on breach.
	Ladder []Step `dynamodbav:"ladder" json:"ladder"`
	// HeadOffice is who the ladder's "head_office" step notifies.
	HeadOffice []contact.Contact `dynamodbav:"headOffice,omitempty" json:"headOffice,omitempty"`
	// Teams are the agents who handle cases, by team name.
	Teams map[string][]Agent `dynamodbav:"teams,omitempty" json:"teams,omitempty"`
	// Rules assign a new case to a team by category and location (first match wins;
	// an empty field matches any); inside the team, agents take turns.
	Rules []Rule `dynamodbav:"rules,omitempty" json:"rules,omitempty"`
	// ReopenWindowDays is how long after resolution a case may be reopened.
	ReopenWindowDays int `dynamodbav:"reopenWindowDays" json:"reopenWindowDays"`
	// CallbackAfterDays is when the customer is asked how the handling felt.
	CallbackAfterDays int       `dynamodbav:"callbackAfterDays" json:"callbackAfterDays"`
	Version           int       `dynamodbav:"version" json:"version"`
	UpdatedAt         time.Time `dynamodbav:"updatedAt" json:"updatedAt"`
	UpdatedBy         string    `dynamodbav:"updatedBy,omitempty" json:"updatedBy,omitempty"`
}

// Policy is an SLA target pair, in business minutes of the location.
type Policy struct {
	AcknowledgeMinutes int `dynamodbav:"acknowledgeMinutes" json:"acknowledgeMinutes"`
	ResolveMinutes     int `dynamodbav:"resolveMinutes" json:"resolveMinutes"`
}

// Step is one rung of the escalation ladder.
type Step struct {
	// At is the share of the target at which the step fires (0.8 = 80%).
	At float64 `dynamodbav:"at" json:"at"`
	// Notify is "assignee" (the case's agent, or the managers when unassigned),
	// "managers" (the location's managers) or "head_office".
	Notify string `dynamodbav:"notify" json:"notify"`
}

// Agent is a member of a team.
type Agent struct {
	ID      string `dynamodbav:"id" json:"id"`
	Name    string `dynamodbav:"name,omitempty" json:"name,omitempty"`
	Channel string `dynamodbav:"channel,omitempty" json:"channel,omitempty"`
	Address string `dynamodbav:"address,omitempty" json:"address,omitempty"`
	Locale  string `dynamodbav:"locale,omitempty" json:"locale,omitempty"`
}

// Rule routes new cases to a team.
type Rule struct {
	Category   string `dynamodbav:"category,omitempty" json:"category,omitempty"`
	LocationID string `dynamodbav:"locationId,omitempty" json:"locationId,omitempty"`
	Team       string `dynamodbav:"team" json:"team"`
}

// Notify targets of ladder steps.
const (
	NotifyAssignee   = "assignee"
	NotifyManagers   = "managers"
	NotifyHeadOffice = "head_office"
)

// DefaultSettings are used until a manager saves others.
func DefaultSettings() Settings {
	return Settings{
		Categories: []string{"service_attitude", "product_quality", "billing", "facilities", "waiting_time", "safety", "other"},
		RootCauses: []string{"staff_behaviour", "training", "process", "product_defect", "supplier", "system_error", "capacity", "customer_misunderstanding", "other"},
		Policies: map[string]Policy{
			"critical": {AcknowledgeMinutes: 30, ResolveMinutes: 4 * 60},
			"high":     {AcknowledgeMinutes: 2 * 60, ResolveMinutes: 8 * 60},
			"normal":   {AcknowledgeMinutes: 4 * 60, ResolveMinutes: 24 * 60},
			"low":      {AcknowledgeMinutes: 8 * 60, ResolveMinutes: 40 * 60},
		},
		Ladder:            []Step{{At: 0.8, Notify: NotifyAssignee}, {At: 1, Notify: NotifyManagers}, {At: 1.5, Notify: NotifyHeadOffice}},
		ReopenWindowDays:  14,
		CallbackAfterDays: 3,
	}
}

// Policy is the SLA policy of a case's severity and category.
func (s Settings) Policy(category, severity string) Policy {
	if p, ok := s.CategoryPolicies[category][severity]; ok {
		return p
	}
	return s.Policies[severity]
}

// Route picks the team of a new case by the rules, or "" when none matches.
func (s Settings) Route(category, locationID string) string {
	for _, r := range s.Rules {
		if (r.Category == "" || r.Category == category) && (r.LocationID == "" || r.LocationID == locationID) {
			return r.Team
		}
	}
	return ""
}

// Agent finds a team member by id.
func (s Settings) Agent(id string) (Agent, bool) {
	teams := make([]string, 0, len(s.Teams))
	for t := range s.Teams {
		teams = append(teams, t)
	}
	sort.Strings(teams)
	for _, t := range teams {
		if i := slices.IndexFunc(s.Teams[t], func(a Agent) bool { return a.ID == id }); i >= 0 {
			return s.Teams[t][i], true
		}
	}
	return Agent{}, false
}

const maxMinutes = 60 * 24 * 90

// Validate checks settings, naming every bad field.
func (s *Settings) Validate() error {
	var errs []problem.FieldError
	bad := func(f, format string, args ...any) {
		errs = append(errs, problem.FieldError{Field: f, Message: fmt.Sprintf(format, args...)})
	}
	checkNames := func(field string, names []string) {
		if len(names) == 0 || len(names) > 100 {
			bad(field, "needs 1 to 100 entries")
		}
		seen := map[string]bool{}
		for i, n := range names {
			if !validID(n) || seen[n] {
				bad(fmt.Sprintf("%s[%d]", field, i), "must be unique, letters, digits, '.', '_' or '-'")
			}
			seen[n] = true
		}
	}
	checkNames("categories", s.Categories)
	checkNames("rootCauses", s.RootCauses)
	checkPolicy := func(field string, p Policy) {
		if p.AcknowledgeMinutes < 1 || p.AcknowledgeMinutes > maxMinutes {
			bad(field+".acknowledgeMinutes", "must be 1 to %d", maxMinutes)
		}
		if p.ResolveMinutes < p.AcknowledgeMinutes || p.ResolveMinutes > maxMinutes {
			bad(field+".resolveMinutes", "must be at least acknowledgeMinutes and at most %d", maxMinutes)
		}
	}
	for _, sev := range Severities {
		p, ok := s.Policies[sev]
		if !ok {
			bad("policies."+sev, "is required")
			continue
		}
		checkPolicy("policies."+sev, p)
	}
	for sev := range s.Policies {
		if !slices.Contains(Severities, sev) {
			bad("policies."+sev, "severities are %s", strings.Join(Severities, ", "))
		}
	}
	for cat, bySev := range s.CategoryPolicies {
		if !slices.Contains(s.Categories, cat) {
			bad("categoryPolicies."+cat, "is not a category")
		}
		for sev, p := range bySev {
			if !slices.Contains(Severities, sev) {
				bad("categoryPolicies."+cat+"."+sev, "severities are %s", strings.Join(Severities, ", "))
				continue
			}
			checkPolicy("categoryPolicies."+cat+"."+sev, p)
		}
	}
	if len(s.Ladder) == 0 || len(s.Ladder) > 5 {
		bad("ladder", "needs 1 to 5 steps")
	}
	for i, st := range s.Ladder {
		f := fmt.Sprintf("ladder[%d]", i)
		if st.At <= 0 || st.At > 10 || (i > 0 && st.At <= s.Ladder[i-1].At) {
			bad(f+".at", "must be above 0, at most 10, and rise step by step")
		}
		if !slices.Contains([]string{NotifyAssignee, NotifyManagers, NotifyHeadOffice}, st.Notify) {
			bad(f+".notify", "must be assignee, managers or head_office")
		}
	}
	for i, c := range s.HeadOffice {
		if !slices.Contains(contact.Channels, c.Channel) || strings.TrimSpace(c.Address) == "" {
			bad(fmt.Sprintf("headOffice[%d]", i), "needs a channel (email, sms, webhook) and an address")
		}
	}
	for team, agents := range s.Teams {
		if !validID(team) {
			bad("teams."+team, "team names are letters, digits, '.', '_' or '-'")
		}
		if len(agents) == 0 {
			bad("teams."+team, "needs at least one agent")
		}
		for i, a := range agents {
			f := fmt.Sprintf("teams.%s[%d]", team, i)
			if !validID(a.ID) {
				bad(f+".id", "must be letters, digits, '.', '_' or '-'")
			}
			if a.Address != "" && !slices.Contains(contact.Channels, a.Channel) {
				bad(f+".channel", "must be email, sms or webhook")
			}
		}
	}
	for i, r := range s.Rules {
		if _, ok := s.Teams[r.Team]; !ok {
			bad(fmt.Sprintf("rules[%d].team", i), "is not a team")
		}
		if r.Category != "" && !slices.Contains(s.Categories, r.Category) {
			bad(fmt.Sprintf("rules[%d].category", i), "is not a category")
		}
	}
	if s.ReopenWindowDays < 0 || s.ReopenWindowDays > 365 {
		bad("reopenWindowDays", "must be 0 to 365")
	}
	if s.CallbackAfterDays < 0 || s.CallbackAfterDays > 90 {
		bad("callbackAfterDays", "must be 0 to 90 (0: no callback)")
	}
	return problem.Fields(errs)
}
