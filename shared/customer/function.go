package customer

import (
	"github.com/rapport-crm/rapport/shared/app"
	"github.com/rapport-crm/rapport/shared/config"
)

// NewService is the customer domain over the function's customers table; locs is the
// registry its profiles name their locations in (nil where no route needs it).
func NewService(env *config.Env, d app.Deps, locs Locations) *Service {
	store := &Store{DB: d.Clients.DynamoDB, Table: env.String("CUSTOMERS_TABLE"), Locations: locs}
	return &Service{Store: store, Clock: d.Clock}
}

// NewSigner is the signer of the unsubscribe key the reference names (the
// UNSUBSCRIBE_KEY variable: KMS key ARNs in AWS, key files locally), for the function
// that verifies links and the one that makes them. An empty reference (a variable
// missing, which the build reports) gives a signer without keys.
func NewSigner(store *Store, ref string, d app.Deps) (*Signer, error) {
	s := &Signer{Store: store}
	if ref == "" {
		return s, nil
	}
	ring, err := d.MACRing(ref)
	if err != nil {
		return nil, err
	}
	for _, k := range ring {
		s.Keys = append(s.Keys, k)
	}
	return s, nil
}
