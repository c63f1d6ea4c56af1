package survey

import (
	"net/http"

	"github.com/rapport-crm/rapport/shared/problem"
)

// Pages serves the hosted survey form.
type Pages struct {
	Service *Service
}

func (p *Pages) handleOpen(w http.ResponseWriter, r *http.Request) {
	problem.Write(w, r, problem.New(problem.NotFound, "the hosted form is being built"))
}

func (p *Pages) handlePost(w http.ResponseWriter, r *http.Request) {
	problem.Write(w, r, problem.New(problem.UnsupportedMed, "the hosted form is being built"))
}
