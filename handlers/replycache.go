package handlers

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// replyCacheSize bounds the reply cache: the directory's places, orders and
// pages in two languages fit many times over. When full it starts afresh.
const replyCacheSize = 512

// replyCacheTTL is how long the cache lives before it starts afresh, even
// while the directory does not change, so that replies to words nobody
// sends again do not stay in memory (issue 16).
const replyCacheTTL = 10 * time.Minute

// replyCache keeps the replies of Cached commands (who, gaps, stats, help)
// read at the newest directory_version seen, or those of one command with
// a Version (meetings) at the newest version of its own. Its zero value is
// ready. The rate limit and the coordinator check run before it, as for
// any command.
type replyCache struct {
	mu      sync.Mutex
	version int64
	started time.Time // when m was made
	m       map[string]Reply
}

// run answers c with cmd from the cache, or runs cmd and caches its reply
// when it succeeded. The version is the one the caller was read at (no
// second read), or read now for a request with no caller.
//
// A command with a Version is cached by that version instead, in its own
// cache, and a reply with an Until is not reused from then on; its Key
// names its Until too, so that an adapter's rendering under the Key is
// not reused either.
func (rc *replyCache) run(ctx context.Context, c *Call, cmd *Command) Reply {
	if cmd.cache != nil {
		rc = cmd.cache
	}
	version, known := c.version, c.version != 0 && c.lookupErr == nil && cmd.Version == nil
	if !known {
		read := c.s.store.DirectoryVersion
		if cmd.Version != nil {
			read = cmd.Version
		}
		v, err := read(ctx)
		if err != nil {
			return cmd.Run(ctx, c)
		}
		version = v
	}
	key := replyKey(version, c, cmd)
	now := c.s.now()
	if r, ok := rc.get(version, key, now); ok {
		return r
	}
	r := cmd.Run(ctx, c)
	if r.Kind == "error" || r.Form != nil || r.File != nil || (!r.Until.IsZero() && !now.Before(r.Until)) {
		return r // a failure may be passing (busy); forms and files are not for reuse
	}
	r.Key, r.Blocks = key, slices.Clip(r.Blocks) // an append by a user copies
	if !r.Until.IsZero() {
		r.Key += "\x1f" + strconv.FormatInt(r.Until.UnixNano(), 10)
	}
	rc.put(version, key, r, now)
	return r
}

// replyKey names everything a Cached command's reply depends on.
func replyKey(version int64, c *Call, cmd *Command) string {
	role := "v"
	switch {
	case c.Coordinator:
		role = "c"
	case c.Member != nil:
		role = "m"
	case c.Former != nil:
		role = "f"
	}
	plain := "0"
	if c.Plain {
		plain = "1"
	}
	parts := append([]string{strconv.FormatInt(version, 10), string(c.Req.Identity.Platform), c.Lang, plain, role,
		cmd.Names[0]}, c.Args...)
	return strings.Join(parts, "\x1f")
}

func (rc *replyCache) get(version int64, key string, now time.Time) (Reply, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if version != rc.version || now.Sub(rc.started) >= replyCacheTTL {
		return Reply{}, false
	}
	r, ok := rc.m[key]
	if ok && !r.Until.IsZero() && !now.Before(r.Until) {
		return Reply{}, false
	}
	return r, ok
}

// put caches r read at version; a reply older than the cache's version is
// dropped, a newer one, a full cache or an old one starts it afresh.
func (rc *replyCache) put(version int64, key string, r Reply, now time.Time) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch {
	case version < rc.version:
		return
	case version > rc.version || rc.m == nil || len(rc.m) >= replyCacheSize || now.Sub(rc.started) >= replyCacheTTL:
		rc.version, rc.started, rc.m = version, now, make(map[string]Reply)
	}
	rc.m[key] = r
}
