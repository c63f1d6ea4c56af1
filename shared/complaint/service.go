package complaint

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/shared/auth"
	"github.com/rapport-crm/rapport/shared/clock"
	"github.com/rapport-crm/rapport/shared/place"
	"github.com/rapport-crm/rapport/shared/problem"
)

// Locations reads the locations registry.
type Locations interface {
	Location(ctx context.Context, id string) (place.Location, error)
	LocationIDs(ctx context.Context) ([]string, error)
}

// Customers finds the customer a contact belongs to, and whom a caller may see.
type Customers interface {
	// FindByContact is the customer with this normalised phone or email; "" when none.
	FindByContact(ctx context.Context, phone, email string) (string, error)
	// Reachable is nil when p may see the customer, a not-found problem otherwise.
	Reachable(ctx context.Context, p auth.Principal, cid string) error
}

// Service is the complaints domain's behaviour. Intake is in intake.go, staff actions
// in action.go, the customer's tracking view in track.go, the SLA ladder in
// escalate.go, the queue and reports in queue.go and report.go.
type Service struct {
	Store     *Store
	Locations Locations
	Customers Customers
	// Effects are what a case's life does beyond the complaints table (messages,
	// compensation): shared/casework.
	Effects Effects
	Clock   clock.Clock
	// PublicURL is the API's base URL, for the tracking link sent to the customer.
	PublicURL string
}

// Limits of intake fields.
const (
	MaxDescription = 5000
	MaxName        = 200
	MaxNote        = 5000
	MaxPoints      = 100000
)

func fieldErrors() (*[]problem.FieldError, func(string, string, ...any)) {
	var errs []problem.FieldError
	return &errs, func(f, format string, args ...any) {
		errs = append(errs, problem.FieldError{Field: f, Message: fmt.Sprintf(format, args...)})
	}
}

// location reads a registered location, as a field error when it is unknown.
func (s *Service) location(ctx context.Context, id, field string) (place.Location, error) {
	loc, err := s.Locations.Location(ctx, id)
	if errors.Is(err, place.ErrNotFound) {
		return place.Location{}, problem.Field(field, fmt.Sprintf("%q is not a registered location", id))
	}
	return loc, err
}

func (s *Service) trackingURL(token string) string {
	if s.PublicURL == "" {
		return ""
	}
	return strings.TrimRight(s.PublicURL, "/") + "/v1/complaints/track/" + url.PathEscape(token)
}

// indexed is the case with its index keys: the queues, the customer's cases when one
// is linked, and the SLA index while a clock runs toward its next ladder step.
func (s *Service) indexed(c Complaint, h Hours, st Settings) (caseItem, error) {
	it := caseItem{Complaint: c, QueuePK: queuePK(c.LocationID), QueueSK: statusSK(c.Status, c.CreatedAt, c.ID)}
	if c.Assignee != "" {
		it.AssigneePK, it.AssigneeSK = assigneePK(c.Assignee), statusSK(c.Status, c.CreatedAt, c.ID)
	}
	if c.CustomerID != "" {
		it.CustomerPK, it.CustomerSK = customerPK(c.CustomerID), customerSK(c.CreatedAt, c.ID)
	}
	next, ok, err := c.nextCheck(h, st.Ladder)
	if err != nil {
		return caseItem{}, err
	}
	if ok {
		it.SLAPK, it.SLASK = slaPK(shardOf(c.ID, slaShards)), slaSK(next, c.ID)
	}
	return it, nil
}

// Case is a case with its full timeline, for staff.
type Case struct {
	Complaint
	AcknowledgeByAt time.Time `json:"acknowledgeBy"`
	ResolveByAt     time.Time `json:"resolveBy"`
	Timeline        []Event   `json:"timeline,omitempty"`
}

func caseOf(c Complaint, events []Event) Case {
	return Case{Complaint: c, AcknowledgeByAt: c.AcknowledgeBy(), ResolveByAt: c.ResolveBy(), Timeline: events}
}

// Get is a case with its full timeline.
func (s *Service) Get(ctx context.Context, p auth.Principal, complaintID string) (Case, error) {
	c, events, err := s.visible(ctx, p, complaintID)
	return caseOf(c.Complaint, events), err
}
