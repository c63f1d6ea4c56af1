package page

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/rapport-crm/rapport/shared/problem"
)

// RetrySoon is the Retry-After (seconds) of a page that asks to try again in a
// moment, when the error names no wait of its own.
const RetrySoon = 5

// Refusal is how a page shows an error that is not about the input: the message M it
// shows, its status (0: the error kind's own) and the Retry-After (seconds) it sends
// when the error names none (0: it sends none and asks nobody to come back).
type Refusal[M any] struct {
	Message M
	Status  int
	Retry   int
}

// Refusals are a package's refusals by error kind, and Other for the kinds they do
// not name. The page shows no detail of the error: that is logged.
type Refusals[M any] struct {
	Kinds map[problem.Kind]Refusal[M]
	Other Refusal[M]
}

// For is the refusal of err, with its status; when it asks to try again, it sets
// Retry-After on h: the error's own wait, else the refusal's.
func (rs Refusals[M]) For(h http.Header, err error) Refusal[M] {
	kind := problem.KindOf(err)
	rf, ok := rs.Kinds[kind]
	if !ok {
		rf = rs.Other
	}
	if rf.Status == 0 {
		rf.Status = kind.Status()
	}
	if rf.Retry > 0 {
		var pe *problem.Error
		if errors.As(err, &pe) && pe.RetryAfter > 0 {
			rf.Retry = pe.RetryAfter
		}
		h.Set("Retry-After", strconv.Itoa(rf.Retry))
	}
	return rf
}

// LogFailure logs a request a page refused, once, at error level for a 5xx, as
// problem.Write does for the JSON routes.
func LogFailure(r *http.Request, status int, err error) {
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	slog.Log(r.Context(), level, "request failed", "status", status, "kind", string(problem.KindOf(err)), "error", err.Error())
}
