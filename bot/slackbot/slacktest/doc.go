// Package slacktest provides utilities for testing code that talks to Slack,
// in the spirit of net/http/httptest: a fake Slack Web API (and
// response_url host) on loopback that records every call, and helpers that
// sign requests the way Slack signs its callbacks.
//
// It is meant for tests only; nothing in it may reach a real Slack host.
package slacktest
