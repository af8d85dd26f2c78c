package storage

import "context"

// Actor is the person on whose behalf a request writes: the handlers core
// sets it once per request (WithActor), and the write methods read it from
// their context to record who did what (a meeting's creator, the audit
// log) inside the same transaction as the change.
type Actor struct {
	Identity    Identity
	Name        string // display name, for messages such as "already added by …"
	Coordinator bool   // acting as a coordinator (config or run-time)
}

type actorKey struct{}

// WithActor returns ctx carrying a, for the storage calls made with it.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor ctx carries, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
