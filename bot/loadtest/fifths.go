package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"copbot/bot/slackbot/slacktest"
)

// fifths are a storm's confirmation latencies (click to its
// confirmation's arrival) by the fifth of the storm the click was sent
// in, each sorted. Clicks go out in index order, so a backlog that grows
// through the storm shows as later fifths waiting longer, which one
// p50/p99 over the whole storm hides.
type fifths [5][]time.Duration

// confirmFifths groups the confirmations of phase among hooks (response_url
// posts, whose path names the click: /actions/TEAM/i/phase) by fifth:
// click i of len(sent) is in fifth i*5/len(sent).
func confirmFifths(hooks []slacktest.Call, phase string, sent []time.Time) fifths {
	var f fifths
	for _, h := range hooks {
		var i int
		if _, err := fmt.Sscanf(h.Path, "/actions/"+team+"/%d/"+phase, &i); err != nil || i < 0 || i >= len(sent) ||
			!strings.HasSuffix(h.Path, "/"+phase) {
			continue
		}
		k := i * 5 / len(sent)
		f[k] = append(f[k], h.At.Sub(sent[i]))
	}
	for k := range f {
		slices.Sort(f[k])
	}
	return f
}

// print writes one line: p50/p99 per fifth, "-" where a fifth had none.
func (f fifths) print(w io.Writer, indent string) {
	var parts []string
	for k, lat := range f {
		span := fmt.Sprintf("%d–%d%%", k*20, (k+1)*20)
		if len(lat) == 0 {
			parts = append(parts, span+" -")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s/%s", span, ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100])))
	}
	fmt.Fprintf(w, "%sby fifth of the storm (clicks in the order sent), p50/p99 ms: %s\n", indent, strings.Join(parts, ", "))
}
