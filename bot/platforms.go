package bot

import "context"

// openPlatforms builds the adapters the config enables.
func (a *App) openPlatforms() error { return nil }

// runBackground starts platform loops that are not HTTP (Socket Mode).
func (a *App) runBackground(ctx context.Context, errc chan<- error) {}
