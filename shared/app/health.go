package app

import (
	"net/http"

	"github.com/rapport-crm/rapport/shared/config"
	"github.com/rapport-crm/rapport/shared/wiring"
)

// Health builds the health function.
func Health(row wiring.Function, _ *config.Env, _ Deps) (Function, error) {
	mux, err := Mux(row, map[string]http.Handler{"GET /v1/health": JSONHandler(map[string]string{"status": "ok"})}, nil)
	return Function{HTTP: mux}, err
}
