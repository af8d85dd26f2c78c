package bot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"copbot/bot/internal/metrics"
	"copbot/storage"
)

// outboxStats is an adapter whose outbox the metrics watch.
type outboxStats interface {
	OutboxStats() (depth int, dropped int64)
}

// newMetrics builds the registry when [http] metrics_listen is set (nil
// otherwise: no metric is counted).
func (a *App) newMetrics(ctx context.Context) *metrics.Metrics {
	if a.cfg.HTTP.MetricsListen == "" {
		return nil
	}
	bi := ReadBuildInfo(ctx)
	return metrics.New(metrics.Options{Now: a.now, Store: a.Store,
		Build: metrics.Build{Version: bi.Version, Revision: bi.Revision, GoVersion: bi.GoVersion, SQLite: bi.SQLite}})
}

// watchOutboxes adds each adapter's outbox to the metrics.
func (a *App) watchOutboxes() {
	if a.metrics == nil {
		return
	}
	for _, p := range a.posters.order {
		if ob, ok := a.posters.by[p].(outboxStats); ok {
			a.metrics.AddOutbox(string(p), ob.OutboxStats)
		}
	}
}

// socketObserver notes a platform's Socket Mode envelopes as activity
// (idletrim.go) and counts them in the metrics, if any.
func (a *App) socketObserver(p storage.Platform) func(kind, outcome string, took time.Duration) {
	return func(kind, outcome string, took time.Duration) {
		a.idle.seenRequest()
		if a.metrics != nil {
			a.metrics.SocketEnvelope(string(p), kind, outcome, took)
		}
	}
}

// rateLimited is the service's hook for the metrics.
func (a *App) rateLimited(p storage.Platform) {
	if a.metrics != nil {
		a.metrics.RateLimited(string(p))
	}
}

// serveMetrics starts /metrics on its own listener (see Config's
// loopbackOnly); stopMetrics ends it.
func (a *App) serveMetrics(ctx context.Context) error {
	if a.metrics == nil {
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.HTTP.MetricsListen)
	if err != nil {
		return fmt.Errorf("metrics: listen %s: %w", a.cfg.HTTP.MetricsListen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", a.metrics.Handler())
	a.metricsLn = ln
	a.metricsSrv = newServer(ctx, mux, a.limits)
	go func() {
		if err := a.metricsSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics server", "err", err)
		}
	}()
	a.log.Info("metrics", "addr", ln.Addr().String())
	return nil
}

// MetricsAddr is the bound metrics address, once Serve has started it.
func (a *App) MetricsAddr() string {
	if a.metricsLn == nil {
		return ""
	}
	return a.metricsLn.Addr().String()
}
