// Package demo seeds a fictional Community shaped like the report to the
// Council, for "copbot demo" and the report's tests. It writes through
// storage only: no feature code runs.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"copbot/storage"
)

// Seed fills an empty database with a fictional Community shaped like
// the report to the Council: 81 members (6 federal departments, 21
// provincial and territorial ministries, 22 municipalities, nobody from
// NL, PE, NU or YT), a joining history since October 2025 with departures,
// a panel held on September 16, 2026 with its record, a closed theme poll
// with votes, quarterly meetings ahead, a challenge and invitations. It
// refuses a database that has members or meetings. Every person and
// address is invented (example.ca). Every text a coordinator would write
// is in both languages ("English / français"), so that each language's
// report shows its own.
//
// It moves the store's clock (db.Now) while it writes, so that rows carry
// the demo's dates, and puts it back before returning: nothing else may
// use db meanwhile.
func Seed(ctx context.Context, db *storage.DB) error {
	if err := demoCheckEmpty(ctx, db); err != nil {
		return err
	}
	real := db.Now
	defer func() { db.Now = real }()
	clock := &demoClock{}
	db.Now = clock.now
	g := &demoGen{ctx: ctx, db: db, clock: clock, loc: demoZone()}
	for _, step := range []func() error{g.joinMembers, g.organizations, g.meetings, g.polls, g.record, g.challenges, g.outreach, g.activities} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// demoCheckEmpty refuses a database with any member (even former) or meeting.
func demoCheckEmpty(ctx context.Context, db *storage.DB) error {
	ms, _, err := db.FindMembers(ctx, storage.MemberFilter{IncludeLeft: true, Limit: 1})
	if err != nil {
		return err
	}
	mt, err := db.FindMeetings(ctx, storage.MeetingFilter{Limit: 1})
	if err != nil {
		return err
	}
	if len(ms) > 0 || len(mt) > 0 {
		return storage.Errorf(storage.ECONFLICT, "demo_error_not_empty", nil, "database is not empty")
	}
	return nil
}

type demoClock struct{ t time.Time }

func (c *demoClock) now() time.Time { return c.t }

type demoGen struct {
	ctx     context.Context
	db      *storage.DB
	clock   *demoClock
	loc     *time.Location
	members []*storage.Member
	march   *storage.Meeting
	sept    *storage.Meeting
}

func demoZone() *time.Location {
	loc, err := time.LoadLocation("America/Toronto")
	if err != nil {
		return time.UTC
	}
	return loc
}

// demoOrg is one organization of the demo and how many people it sends.
type demoOrg struct {
	name  string
	order storage.Order
	place string
	n     int
}

// demoOrgs: 6 federal departments (18 people), 21 ministries (33 people)
// and 22 municipalities (30 people): 81 members in 9 provinces and
// territories, NL, PE, NU and YT without anyone.
var demoOrgs = []demoOrg{
	{"Employment and Social Development Canada", storage.OrderFederal, "CA", 5},
	{"Canada Revenue Agency", storage.OrderFederal, "CA", 4},
	{"Immigration, Refugees and Citizenship Canada", storage.OrderFederal, "CA", 3},
	{"Veterans Affairs Canada", storage.OrderFederal, "CA", 2},
	{"Public Services and Procurement Canada", storage.OrderFederal, "CA", 2},
	{"Statistics Canada", storage.OrderFederal, "CA", 2},
	{"ServiceOntario", storage.OrderProvincial, "ON", 3}, {"Ontario Ministry of Health", storage.OrderProvincial, "ON", 2},
	{"Ontario Ministry of Labour", storage.OrderProvincial, "ON", 1}, {"Ontario Ministry of Transportation", storage.OrderProvincial, "ON", 1},
	{"Services Québec", storage.OrderProvincial, "QC", 3}, {"Revenu Québec", storage.OrderProvincial, "QC", 2},
	{"Retraite Québec", storage.OrderProvincial, "QC", 1}, {"Société de l’assurance automobile du Québec", storage.OrderProvincial, "QC", 2},
	{"Service BC", storage.OrderProvincial, "BC", 2}, {"BC Ministry of Health", storage.OrderProvincial, "BC", 1},
	{"BC Ministry of Social Development", storage.OrderProvincial, "BC", 1},
	{"Service Alberta", storage.OrderProvincial, "AB", 2}, {"Alberta Health", storage.OrderProvincial, "AB", 1},
	{"SaskTel Government Services", storage.OrderProvincial, "SK", 1}, {"Saskatchewan Ministry of Finance", storage.OrderProvincial, "SK", 1},
	{"Manitoba Government Inquiry", storage.OrderProvincial, "MB", 2}, {"Manitoba Families", storage.OrderProvincial, "MB", 1},
	{"Service Nova Scotia", storage.OrderProvincial, "NS", 2}, {"Nova Scotia Health", storage.OrderProvincial, "NS", 1},
	{"Service New Brunswick", storage.OrderProvincial, "NB", 2},
	{"NWT Department of Health and Social Services", storage.OrderProvincial, "NT", 1},
	{"City of Toronto 311", storage.OrderMunicipal, "ON", 3}, {"City of Ottawa", storage.OrderMunicipal, "ON", 2},
	{"City of Hamilton", storage.OrderMunicipal, "ON", 1}, {"City of Mississauga", storage.OrderMunicipal, "ON", 1},
	{"City of London", storage.OrderMunicipal, "ON", 1},
	{"Ville de Montréal 311", storage.OrderMunicipal, "QC", 3}, {"Ville de Québec", storage.OrderMunicipal, "QC", 2},
	{"Ville de Laval", storage.OrderMunicipal, "QC", 1}, {"Ville de Gatineau", storage.OrderMunicipal, "QC", 1},
	{"Ville de Sherbrooke", storage.OrderMunicipal, "QC", 1},
	{"City of Vancouver 311", storage.OrderMunicipal, "BC", 2}, {"City of Surrey", storage.OrderMunicipal, "BC", 1},
	{"City of Victoria", storage.OrderMunicipal, "BC", 1},
	{"City of Calgary 311", storage.OrderMunicipal, "AB", 2}, {"City of Edmonton 311", storage.OrderMunicipal, "AB", 1},
	{"City of Red Deer", storage.OrderMunicipal, "AB", 1},
	{"City of Saskatoon", storage.OrderMunicipal, "SK", 1},
	{"City of Winnipeg 311", storage.OrderMunicipal, "MB", 1}, {"City of Brandon", storage.OrderMunicipal, "MB", 1},
	{"Halifax Regional Municipality", storage.OrderMunicipal, "NS", 1}, {"Cape Breton Regional Municipality", storage.OrderMunicipal, "NS", 1},
	{"City of Moncton", storage.OrderMunicipal, "NB", 1},
}

var demoFirst = []string{"Alex", "Camille", "Dominique", "Jordan", "Morgan", "Sacha", "Taylor", "Noor", "Émilie", "Mathieu",
	"Priya", "Wei", "Fatima", "Liam", "Chloé", "Olivier", "Aisha", "Marc", "Sofia", "Gabriel"}
var demoLast = []string{"Tremblay", "Martin", "Roy", "Singh", "Chen", "MacDonald", "Gagnon", "Wilson", "Côté", "Nguyen",
	"Bouchard", "Campbell", "Ahmed", "Lavoie", "Thompson", "Pelletier", "Patel", "Fortin", "Brown", "Ouellet", "Leblanc"}

// Demo history: the first members joined on historyStart, one more every
// few days; demoJoinsInPeriod of the 81 joined after September 1, 2026;
// three more joined earlier and left during the period.
var (
	demoHistoryStart = time.Date(2025, 10, 6, 15, 0, 0, 0, time.UTC)
	demoPeriodStart  = time.Date(2026, 9, 1, 15, 0, 0, 0, time.UTC)
)

// joinsInPeriod is how many of the members joined between September 1,
// 2026 and January 31, 2027 (three more left in that period).
const joinsInPeriod = 12

// joinMembers joins the 81 members (and the 3 who leave), spreading their
// joining dates: the last joinsInPeriod over the period.
func (g *demoGen) joinMembers() error {
	var ins []storage.MemberInput
	for _, o := range demoOrgs {
		for k := 0; k < o.n; k++ {
			ins = append(ins, g.person(len(ins), o))
		}
	}
	before := len(ins) - joinsInPeriod
	for i, in := range ins {
		at := demoHistoryStart.Add(time.Duration(i) * (demoPeriodStart.Sub(demoHistoryStart) / time.Duration(before)))
		if i >= before {
			at = demoPeriodStart.Add(time.Duration(i-before+1) * 11 * 24 * time.Hour)
		}
		if err := g.join(in, at); err != nil {
			return err
		}
	}
	return g.leavers()
}

func (g *demoGen) person(i int, o demoOrg) storage.MemberInput {
	first, last := demoFirst[i%len(demoFirst)], demoLast[(i*7)%len(demoLast)]
	lang := "en"
	if o.place == "QC" || i%5 == 0 {
		lang = "fr"
	}
	email := fmt.Sprintf("%s.%s.%d@example.ca", strings.ToLower(demoASCII(first)), strings.ToLower(demoASCII(last)), i+1)
	return storage.MemberInput{Name: first + " " + last, Email: email, Organization: o.name, Order: o.order,
		Jurisdiction: o.place, Title: "Contact centre manager", Language: lang}
}

// demoASCII drops the accents of the names used in demo emails.
func demoASCII(s string) string {
	return strings.NewReplacer("É", "E", "é", "e", "è", "e", "ô", "o", "ç", "c").Replace(s)
}

func (g *demoGen) join(in storage.MemberInput, at time.Time) error {
	g.clock.t = at
	m, _, err := g.db.JoinMember(g.ctx, in)
	if err != nil {
		return fmt.Errorf("demo member %s: %w", in.Name, err)
	}
	g.members = append(g.members, m)
	return nil
}

// leavers: three members who joined in spring 2026 and left in the period.
func (g *demoGen) leavers() error {
	orgs := []demoOrg{demoOrgs[0], demoOrgs[6], demoOrgs[27]}
	for i, o := range orgs {
		in := g.person(100+i, o)
		in.Email = fmt.Sprintf("former.%d@example.ca", i+1)
		g.clock.t = time.Date(2026, 4, 10+i, 15, 0, 0, 0, time.UTC)
		m, _, err := g.db.JoinMember(g.ctx, in)
		if err != nil {
			return err
		}
		g.clock.t = time.Date(2026, 10, 5+20*i, 15, 0, 0, 0, time.UTC)
		if err := g.db.LeaveMember(g.ctx, m.ID); err != nil {
			return err
		}
	}
	return nil
}

// meetings plans the quarterly meetings from September 2026 to June 2027,
// each created a month ahead as a coordinator would.
func (g *demoGen) meetings() error {
	starts := []time.Time{time.Date(2026, 9, 16, 13, 0, 0, 0, g.loc), time.Date(2026, 12, 16, 13, 0, 0, 0, g.loc),
		time.Date(2027, 3, 17, 13, 0, 0, 0, g.loc), time.Date(2027, 6, 16, 13, 0, 0, 0, g.loc)}
	titles := []string{"Accessibility in the contact centre / L’accessibilité dans les centres de contact", "", "", ""}
	for i, start := range starts {
		g.clock.t = time.Date(2026, 8, 20, 15, 0, 0, 0, time.UTC)
		m, err := g.db.CreateMeeting(g.ctx, storage.MeetingInput{Title: titles[i], StartsAt: start, Zone: g.loc.String(),
			Duration: 90 * time.Minute, Link: "https://meet.example.ca/cop", CreatedBy: "console:demo"})
		if err != nil {
			return fmt.Errorf("demo meeting: %w", err)
		}
		switch i {
		case 0:
			g.sept = m
		case 2:
			g.march = m
		}
	}
	return nil
}

// record writes what happened on September 16: a panel, 40 yes answers,
// 47 people counted.
func (g *demoGen) record() error {
	g.clock.t = time.Date(2026, 9, 10, 15, 0, 0, 0, time.UTC)
	for _, m := range g.members[:40] {
		if err := g.db.SetRSVP(g.ctx, g.sept.ID, m.ID, storage.RSVPYes); err != nil {
			return err
		}
	}
	g.clock.t = time.Date(2026, 9, 17, 15, 0, 0, 0, time.UTC)
	panel, held, n := storage.FormatPanel, true, 47
	_, err := g.db.RecordMeeting(g.ctx, g.sept.ID, storage.RecordUpdate{Held: &held, Format: &panel, Attendance: &n,
		Panelists: []string{"Employment and Social Development Canada / Emploi et Développement social Canada",
			"Ontario Ministry of Public and Business Service Delivery / Ministère des Services au public et aux entreprises de l’Ontario",
			"City of Edmonton 311 / Ville d’Edmonton 311"},
		AddPoints: keyPoints, By: "console:demo"})
	return err
}

// keyPoints are the key points of the demo's September panel.
var keyPoints = []string{
	"Video relay and TTY calls are now answered in every federal contact centre. / " +
		"Les appels par relais vidéo et ATS sont désormais pris dans tous les centres de contact fédéraux.",
	"Plain-language scripts cut repeat calls by a fifth in ServiceOntario’s pilot. / " +
		"Des scripts en langage clair ont réduit d’un cinquième les appels répétés dans le projet pilote de ServiceOntario.",
	"Municipal 311 lines want a shared accessibility checklist; a working group will draft it. / " +
		"Les lignes 311 municipales veulent une liste de contrôle commune\u202f; un groupe de travail la rédigera.",
}

// polls: the theme of March 2027, voted in January and closed; and the
// candidate themes for June, still open.
func (g *demoGen) polls() error {
	g.clock.t = time.Date(2027, 1, 4, 15, 0, 0, 0, time.UTC)
	p, err := g.db.CreatePoll(g.ctx, storage.PollInput{Question: "Theme of the March 2027 meeting? / Thème de la réunion de mars 2027\u202f?", Language: "en",
		Options: []string{"AI in contact centres / L’IA dans les centres de contact", "Workforce wellness / Le bien-être du personnel",
			"Measuring client satisfaction / Mesurer la satisfaction de la clientèle"},
		MeetingID: g.march.ID, Creator: storage.Identity{Platform: storage.PlatformConsole, ID: "demo"}})
	if err != nil {
		return err
	}
	if err := g.votes(p, 30, []int{15, 9, 6}); err != nil {
		return err
	}
	g.clock.t = time.Date(2027, 1, 25, 15, 0, 0, 0, time.UTC)
	if _, _, err := g.db.ClosePoll(g.ctx, p.ID); err != nil {
		return err
	}
	if err := g.db.MarkPollResultPosted(g.ctx, p.ID); err != nil {
		return err
	}
	theme := p.Options[0].Label
	if _, err := g.db.UpdateMeeting(g.ctx, g.march.ID, storage.MeetingUpdate{Theme: &theme}); err != nil {
		return err
	}
	g.clock.t = time.Date(2027, 1, 26, 15, 0, 0, 0, time.UTC)
	open, err := g.db.CreatePoll(g.ctx, storage.PollInput{Question: "Theme of the June 2027 meeting? / Thème de la réunion de juin 2027\u202f?", Language: "en",
		Options: []string{"Omnichannel service / Le service omnicanal", "Indigenous service delivery / Les services aux Autochtones",
			"Wait-time reporting / Publier les temps d’attente"},
		Creator: storage.Identity{Platform: storage.PlatformConsole, ID: "demo"}})
	if err != nil {
		return err
	}
	return g.votes(open, 10, []int{3, 5, 2})
}

// votes has the first n members vote, split over the options as given.
func (g *demoGen) votes(p *storage.Poll, n int, split []int) error {
	k := 0
	for i, count := range split {
		for j := 0; j < count && k < n; j++ {
			if _, err := g.db.Vote(g.ctx, p.ID, g.members[k].ID, p.Options[i].ID); err != nil {
				return fmt.Errorf("demo vote: %w", err)
			}
			k++
		}
	}
	return nil
}

// challenges: the coverage gap (kept by copbot since June 2026) and one
// written by a coordinator.
func (g *demoGen) challenges() error {
	g.clock.t = time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)
	if _, err := g.db.SyncCoverageChallenge(g.ctx); err != nil {
		return err
	}
	g.clock.t = time.Date(2026, 10, 1, 15, 0, 0, 0, time.UTC)
	_, err := g.db.AddChallenge(g.ctx, storage.ChallengeInput{
		Problem:     "Few municipal members attend the quarterly meetings / Peu de membres municipaux assistent aux réunions trimestrielles",
		Criticality: storage.CriticalityMedium,
		Incidence: "Municipal 311 experience is under-represented in the discussions. / " +
			"L’expérience des lignes 311 municipales est sous-représentée dans les discussions.",
		ActionPlan: "Hold one meeting a year at a time that suits municipal shift schedules; ask 311 managers for panel topics. / " +
			"Tenir une réunion par année à une heure qui convient aux horaires des équipes municipales\u202f; demander des sujets de panel aux gestionnaires du 311."})
	return err
}

// outreach: invitations to Yukon and Newfoundland and Labrador.
func (g *demoGen) outreach() error {
	g.clock.t = time.Date(2026, 11, 12, 15, 0, 0, 0, time.UTC)
	for _, v := range []storage.InvitationInput{
		{Target: "YT", Contact: "Council member for Yukon (Deputy Minister’s office) / membre du Conseil pour le Yukon (cabinet du sous-ministre)", SentOn: "2026-11-12",
			FollowUpAt: time.Date(2027, 2, 10, 9, 0, 0, 0, g.loc), CreatedBy: "console:demo"},
		{Target: "NL", Contact: "Council member for Newfoundland and Labrador / membre du Conseil pour Terre-Neuve-et-Labrador", SentOn: "2026-11-12",
			FollowUpAt: time.Date(2027, 2, 10, 9, 0, 0, 0, g.loc), CreatedBy: "console:demo"},
	} {
		if _, err := g.db.AddInvitation(g.ctx, v); err != nil {
			return err
		}
	}
	return nil
}

// activities: a planned activity, as in the Council's report.
func (g *demoGen) activities() error {
	g.clock.t = time.Date(2027, 1, 15, 15, 0, 0, 0, time.UTC)
	remarks, due := "Trial offered to the Community / Essai offert à la Communauté", "2027-06-30"
	_, err := g.db.AddActivity(g.ctx, "Explore a collaborative workspace with ISAC / Explorer un espace de travail collaboratif avec l’ISAC",
		"console:demo", storage.ActivityUpdate{Remarks: &remarks, DueOn: &due})
	return err
}

// demoOrgFR are the French names of the demo's provincial, territorial
// and municipal organizations whose name is English (the federal ones are
// built into the registry with theirs; a French name stays as it is).
var demoOrgFR = map[string]string{
	"Ontario Ministry of Health":                   "Ministère de la Santé de l’Ontario",
	"Ontario Ministry of Labour":                   "Ministère du Travail de l’Ontario",
	"Ontario Ministry of Transportation":           "Ministère des Transports de l’Ontario",
	"BC Ministry of Health":                        "Ministère de la Santé de la Colombie-Britannique",
	"BC Ministry of Social Development":            "Ministère du Développement social de la Colombie-Britannique",
	"Alberta Health":                               "Santé Alberta",
	"Saskatchewan Ministry of Finance":             "Ministère des Finances de la Saskatchewan",
	"Manitoba Government Inquiry":                  "Renseignements généraux du gouvernement du Manitoba",
	"Manitoba Families":                            "Familles Manitoba",
	"Service Nova Scotia":                          "Service Nouvelle-Écosse",
	"Nova Scotia Health":                           "Santé Nouvelle-Écosse",
	"Service New Brunswick":                        "Service Nouveau-Brunswick",
	"NWT Department of Health and Social Services": "Ministère de la Santé et des Services sociaux des Territoires du Nord-Ouest",
	"City of Toronto 311":                          "Ville de Toronto 311",
	"City of Ottawa":                               "Ville d’Ottawa",
	"City of Hamilton":                             "Ville de Hamilton",
	"City of Mississauga":                          "Ville de Mississauga",
	"City of London":                               "Ville de London",
	"City of Vancouver 311":                        "Ville de Vancouver 311",
	"City of Surrey":                               "Ville de Surrey",
	"City of Victoria":                             "Ville de Victoria",
	"City of Calgary 311":                          "Ville de Calgary 311",
	"City of Edmonton 311":                         "Ville d’Edmonton 311",
	"City of Red Deer":                             "Ville de Red Deer",
	"City of Saskatoon":                            "Ville de Saskatoon",
	"City of Winnipeg 311":                         "Ville de Winnipeg 311",
	"City of Brandon":                              "Ville de Brandon",
	"Halifax Regional Municipality":                "Municipalité régionale d’Halifax",
	"Cape Breton Regional Municipality":            "Municipalité régionale du Cap-Breton",
	"City of Moncton":                              "Ville de Moncton",
}

// organizations confirms the registry entries the members' organizations
// became (pending, as met in a join), with their French names, as a
// coordinator would: the demo's registry has nothing left to review.
func (g *demoGen) organizations() error {
	orgs, err := g.db.Organizations(g.ctx)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if o.Status != storage.OrgPending {
			continue
		}
		if fr, ok := demoOrgFR[o.Name]; ok && o.NameFR == "" {
			if _, err := g.db.RenameOrganization(g.ctx, o.ID, storage.OrgNames{NameFR: &fr}); err != nil {
				return fmt.Errorf("demo organization %s: %w", o.Name, err)
			}
		}
		if _, _, err := g.db.ConfirmOrganization(g.ctx, o.ID); err != nil {
			return fmt.Errorf("demo organization %s: %w", o.Name, err)
		}
	}
	return nil
}
