package slackbot

import (
	"context"
	"net/http"

	"copbot/bot/internal/admission"
	"copbot/handlers"
	"copbot/storage"
)

// This file puts Slack's requests under the admission story of
// bot/internal/admission: route reads and verifies a request, then takes
// its place among the requests in progress; turnTaking makes each service
// call wait its turn.

// slot is a request's place among those in progress. Work that outlives
// the HTTP handler (a slow slash command) takes it along with Pass.
type slot = admission.Ticket

// route is the request path of every Slack route: intake and verification
// (readVerified), then a place among the requests in progress, given back
// when h returns unless h passed it on. A request over the limit gets 503
// with Retry-After, before anything is done.
func (a *Adapter) route(h func(http.ResponseWriter, *http.Request, *slot, signed)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := a.readVerified(w, r)
		if !ok {
			return
		}
		s := a.limit.Enter()
		if s == nil {
			a.log.Warn("slack request refused: too many in progress", "path", r.URL.Path, "refused_total", a.limit.Refused())
			admission.RefuseBusy(w)
			return
		}
		defer s.Leave()
		h(w, r, s, v)
	}
}

// turnTaking is the service with each call waiting its turn of database
// work (admission.Limit.Turn), until its context ends; it then runs with
// that ended context, so the service answers "too busy, nothing saved"
// without touching the database.
type turnTaking struct {
	service
	limit *admission.Limit
}

func (s turnTaking) Handle(ctx context.Context, req handlers.Request) handlers.Reply {
	defer s.limit.Turn(ctx)()
	return s.service.Handle(ctx, req)
}

// Act and Submit keep their turn while a vote they make waits for its
// batch's COMMIT: giving it back once the vote was queued let the next
// clicks in and grew the batches, but the acknowledgements then outran the
// outbox, and the confirmations came a second or two late (README,
// "Issue 20, third part").
func (s turnTaking) Act(ctx context.Context, req handlers.Request, id, value string) handlers.Reply {
	defer s.limit.Turn(ctx)()
	return s.service.Act(ctx, req, id, value)
}

func (s turnTaking) Submit(ctx context.Context, req handlers.Request, formID, state string, values map[string]string) (handlers.Reply, map[string]string) {
	defer s.limit.Turn(ctx)()
	return s.service.Submit(ctx, req, formID, state, values)
}

func (s turnTaking) Home(ctx context.Context, req handlers.Request) handlers.Reply {
	defer s.limit.Turn(ctx)()
	return s.service.Home(ctx, req)
}

func (s turnTaking) LookUp(ctx context.Context, id storage.Identity) *handlers.Caller {
	defer s.limit.Turn(ctx)()
	return s.service.LookUp(ctx, id)
}
