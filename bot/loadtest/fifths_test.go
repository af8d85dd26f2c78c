package main

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"copbot/bot/slackbot/slacktest"
)

// TestConfirmFifths: ten clicks whose confirmations wait longer and
// longer land two per fifth; other phases' posts, and paths naming no
// click of the storm, are left out.
func TestConfirmFifths(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)
	sent := make([]time.Time, 10)
	var hooks []slacktest.Call
	for i := range sent {
		sent[i] = t0.Add(time.Duration(i) * time.Millisecond)
		wait := time.Duration(i+1) * 10 * time.Millisecond
		hooks = append(hooks, slacktest.Call{Method: "hook", Path: fmt.Sprintf("/actions/%s/%d/vote", team, i), At: sent[i].Add(wait)})
	}
	hooks = append(hooks,
		slacktest.Call{Method: "hook", Path: "/actions/" + team + "/3/kill", At: t0.Add(time.Hour)},
		slacktest.Call{Method: "hook", Path: "/actions/" + team + "/10/vote", At: t0.Add(time.Hour)},
		slacktest.Call{Method: "hook", Path: "/commands/" + team + "/4/cmd", At: t0.Add(time.Hour)})
	f := confirmFifths(hooks, "vote", sent)
	for k, lat := range f {
		want := []time.Duration{time.Duration(2*k+1) * 10 * time.Millisecond, time.Duration(2*k+2) * 10 * time.Millisecond}
		if fmt.Sprint(lat) != fmt.Sprint(want) {
			t.Errorf("fifth %d: %v, want %v", k, lat, want)
		}
	}
	var out bytes.Buffer
	f[4] = nil
	f.print(&out, "")
	want := "by fifth of the storm (clicks in the order sent), p50/p99 ms: 0–20% 20.0/20.0, 20–40% 40.0/40.0, " +
		"40–60% 60.0/60.0, 60–80% 80.0/80.0, 80–100% -\n"
	if out.String() != want {
		t.Errorf("printed\n%q\nwant\n%q", out.String(), want)
	}
}
