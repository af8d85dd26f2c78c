package storage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
)

// Votes by email: a poll's email to a member carries links with a secret
// that lets its holder vote in that poll as that member, and nothing else
// (migration 0040). Only the secret's SHA-256 is stored.

// EmailVoter is who a vote link's secret stands for.
type EmailVoter struct {
	PollID   int64
	MemberID int64
}

func emailVoteHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// NewEmailVoteToken makes a new secret for memberID's vote links in poll
// pollID and keeps its hash. Every call makes another; earlier ones stay
// good.
func (d *DB) NewEmailVoteToken(ctx context.Context, pollID, memberID int64) (string, error) {
	token := rand.Text()
	err := d.write(ctx, func(t *tx) error {
		_, err := t.exec(`INSERT INTO email_vote_tokens (hash, poll_id, member_id, created_at) VALUES (?, ?, ?, ?)`,
			emailVoteHash(token), pollID, memberID, formatTime(d.now()))
		return err
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// EmailVoterOf returns the poll and member token stands for. An unknown
// token is ErrNotFound; it is a read, so that the tokens anyone can send
// never wait for the writer.
func (d *DB) EmailVoterOf(ctx context.Context, token string) (EmailVoter, error) {
	var v EmailVoter
	err := d.read(ctx, func(t *tx) error {
		var err error
		v, err = t.emailVoter(token)
		return err
	})
	return v, err
}

func (t *tx) emailVoter(token string) (EmailVoter, error) {
	var v EmailVoter
	err := t.queryRow("SELECT poll_id, member_id FROM email_vote_tokens WHERE hash = ?", emailVoteHash(token)).
		Scan(&v.PollID, &v.MemberID)
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	return v, err
}

// EmailVote records the choice made on the page of a vote link: options
// are the ids of the options chosen. One option in a single-choice poll is
// Vote; several, or any in a multiple-choice poll, a whole ballot
// (CastBallot, which replaces the member's choices); none takes back
// every choice (Unvote) in a multiple-choice poll that is not anonymous,
// and is an empty ballot in others. In the vote's own transaction, before anything
// is written: the token still stands for the member (ErrNotFound), the
// member has not left ("email_vote_error_left"), and every option is
// still in the poll ("email_vote_error_options_changed": the options were
// replaced since the page was shown); then the poll's rules apply as for a
// vote from a chat. It returns once the vote has committed.
func (d *DB) EmailVote(ctx context.Context, token string, options []int64) (*VoteResult, EmailVoter, error) {
	v, err := d.EmailVoterOf(ctx, token)
	if err != nil {
		return nil, v, err
	}
	option := int64(0)
	if len(options) == 1 {
		option = options[0]
	}
	res, err := d.pollVoteTx(ctx, v.PollID, option, func(t *tx, p *Poll) (VoteAction, []int64, error) {
		if err := t.checkEmailVoter(token, v, p, options); err != nil {
			return "", nil, err
		}
		switch {
		case len(options) == 0 && p.MaxVotes > 1 && !p.Anonymous:
			return d.unvoteFor(v.MemberID, 0)(t, p)
		case len(options) == 1 && p.MaxVotes == 1:
			return d.voteFor(v.MemberID, options[0])(t, p)
		}
		return d.ballotFor(v.MemberID, options)(t, p)
	})
	return res, v, err
}

// checkEmailVoter is EmailVote's check inside the vote's transaction.
func (t *tx) checkEmailVoter(token string, v EmailVoter, p *Poll, options []int64) error {
	if now, err := t.emailVoter(token); err != nil || now != v {
		return ErrNotFound // gone with its member since the read
	}
	var active bool
	if err := t.queryRow("SELECT left_at IS NULL FROM members WHERE id = ?", v.MemberID).Scan(&active); err != nil {
		return err
	}
	if !active {
		return Errorf(EFORBIDDEN, "email_vote_error_left", map[string]any{"ID": p.ID}, "member %d has left", v.MemberID)
	}
	for _, o := range options {
		if _, ok := p.Option(o); !ok {
			return Errorf(ECONFLICT, "email_vote_error_options_changed", map[string]any{"ID": p.ID},
				"option %d is no longer in poll %d", o, p.ID)
		}
	}
	return nil
}
