"""Word lists that the rules rely on. Kept as data, in one place, so they can be reviewed and extended.

The learned tagger finds cues beyond these lists; the lists serve the rules that need certainty
(speech tags around quotes, addressees, source typing), not cue detection at large.
"""

from __future__ import annotations

#: Verbs of saying, reporting, believing and disputing (lemmas).
REPORTING_VERBS = frozenset(
    """
    say tell add state claim report announce explain insist warn note stress emphasise emphasize
    argue assert allege acknowledge admit confirm deny reject dismiss dispute contend maintain
    believe think suspect fear estimate predict suggest reckon feel hope expect conclude find
    write tweet post reply respond answer ask quip recall recount describe declare testify
    inform notify brief assure promise vow pledge threaten urge caution concede complain
    indicate reveal disclose divulge show demonstrate prove indicate estimate calculate
    observe remark comment mention point reiterate repeat affirm aver charge accuse blame
    speculate guess imply hint signal understand learn hear reckon agree disagree
    quote cite
    """.split()
)

#: Verbs by which a third party passes information on: the hops of a relay.
RELAY_VERBS = frozenset(
    "tell inform notify brief report announce say warn confirm reveal claim allege testify".split()
)

FIRST_SECOND_PERSON = frozenset("i we you me us who".split())

#: Reporting verbs that take the hearer as direct object: `X told Y that ...`.
ADDRESSEE_VERBS = frozenset("tell inform notify brief assure warn remind promise advise alert".split())

#: Words that make an organisation name an outlet: `Meridian News Agency`, `Channel 9`.
OUTLET_WORDS = frozenset(
    """
    news agency wire press times post herald gazette tribune courier journal daily telegraph
    chronicle observer guardian express mirror sun standard examiner register bulletin review
    radio television tv channel network broadcasting broadcaster newspaper magazine weekly
    monitor dispatch ledger inquirer record reporter newswire media online
    """.split()
)

#: Well-known outlets and wires whose names do not contain an outlet word.
KNOWN_OUTLETS = frozenset(
    """
    reuters ap afp bbc cnn nbc cbs abc npr pbs msnbc fox xinhua tass ria itar-tass anadolu
    bloomberg politico axios vox breitbart huffpost buzzfeed vice slate salon yonhap kyodo
    al-jazeera aljazeera dpa efe ansa ptI sputnik rt irna wafa interfax ukrinform
    """.lower().split()
)

#: Common nouns that make a mention an outlet: `state radio`, `the national broadcaster`.
OUTLET_NOUNS = frozenset(
    "radio television tv broadcaster newspaper media magazine station channel tabloid network outlet "
    "newswire wire daily weekly".split()
)

#: Occupations: an unnamed `chief engineer` or `ship's captain` speaks in an official capacity.
OCCUPATION_NOUNS = frozenset(
    """engineer engineers captain pilot nurse nurses doctor doctors surgeon lawyer lawyers attorney
    teacher principal headteacher coach referee ranger firefighter paramedic paramedics guard guards
    warden curator economist analyst researcher scientist professor veterinarian inspector auditor
    accountant contractor foreman supervisor technician operator skipper""".split()
)

#: Heads of statements that speak for whoever issued them: `a statement from the port authority`.
STATEMENT_NOUNS = frozenset("statement release announcement communique communiqué notice".split())

#: Head nouns of unnamed officials: `a senior official`, `a police spokesman`.
OFFICIAL_NOUNS = frozenset(
    """
    official officials spokesman spokeswoman spokesperson spokespeople spokesmen spokeswomen
    minister ministers officer officers aide aides diplomat diplomats commander commanders
    administrator administrators representative representatives adviser advisers advisor advisors
    secretary governor mayor president chief head director inspector investigator investigators
    prosecutor prosecutors authorities lawmaker lawmakers senator legislator ambassador
    envoy general colonel captain sheriff superintendent commissioner negotiator negotiators
    staffer staffers employee employees manager executive executives chairman chairwoman
    """.split()
)

#: Head nouns of sources nobody can identify: `a source familiar with ...`, `people close to ...`.
ANONYMOUS_NOUNS = frozenset("source sources insider insiders person people individual someone".split())

#: Head nouns of observers: `eyewitnesses`, `a passer-by`.
EYEWITNESS_NOUNS = frozenset(
    "witness witnesses eyewitness eyewitnesses onlooker onlookers bystander bystanders passer-by "
    "passers-by observer observers survivor survivors".split()
)

#: Head nouns of documents: `a report by ...`, `court filings`.
DOCUMENT_NOUNS = frozenset(
    """
    report reports study studies document documents filing filings record records memo memorandum
    letter letters survey poll polls data statistics figures numbers analysis audit review census
    indictment complaint lawsuit affidavit transcript minutes footage video recording
    assessment paper papers dossier cable cables email emails log logs ruling verdict judgment
    website webpage database register map chart timeline spreadsheet invoice invoices receipt receipts
    infographic infographics graphic graphics literature leaflet leaflets flyer flyers brochure pamphlet
    thread book manual handbook textbook section legislation statute treaty note
    """.split()
)

#: Documents that state findings in their own right (`a new poll puts her ahead`); not letters or
#: emails, which are acts of their writers.
FINDING_NOUNS = frozenset(
    "poll polls survey surveys study studies census audit data figures statistics numbers".split()
)

#: Verbs by which a poll or study states a finding with no clause of its own: `a new poll puts her seven
#: points ahead`, `surveys have shown him ahead`, `the audit gives the city a deficit of $3 million`.
SHOWING_VERBS = frozenset("show put give find place suggest indicate reveal".split())

#: Verbs that only ever put words out (not `wrote a letter`, `tweeted a photo`): what they report at
#: length is a statement even where the parse misses the clause.
PLAIN_SPEECH_VERBS = frozenset("say add state insist".split())

#: Verbs of judging or directing someone: with an object rather than a reported statement they are acts.
JUDGING_VERBS = frozenset(
    "accuse blame charge urge demand condemn denounce slam criticize criticise praise hail threaten".split()
)
#: Verbs of committing to a deed: with an infinitive (`Iran agreed to limit its programme`) the
#: author reports the commitment, an act; with a clause (`agreed that the talks had failed`) a view.
COMMITTING_VERBS = frozenset({"agree"})

#: Verbs of holding a view, not of passing words on: `the NRA believes`, `Saudi Arabia feels`.
VIEW_VERBS = frozenset(
    "believe think suspect fear estimate predict suggest reckon feel hope expect conclude find understand "
    "learn hear guess speculate imply agree disagree".split()
)

#: Heads of groups spoken of collectively: `many residents believe ...`.
COLLECTIVE_NOUNS = frozenset(
    """
    residents people villagers locals citizens voters farmers workers parents families fans
    critics supporters opponents activists protesters protestors demonstrators analysts experts
    economists scientists doctors teachers students observers commentators americans
    community public majority many most some others shoppers commuters owners traders merchants
    neighbours neighbors members everyone everybody family relatives friends colleagues
    """.split()
)

#: Determiners and quantifiers marking a group rather than an individual.
COLLECTIVE_QUANTIFIERS = frozenset("many most some several few numerous countless all".split())

#: Role nouns that can stand for a person already introduced: `the minister said`.
ROLE_NOUNS = OFFICIAL_NOUNS | frozenset(
    "leader premier chancellor head founder owner lawyer attorney doctor professor analyst "
    "economist researcher scientist expert coach captain priest bishop judge".split()
)

#: Nouns by which news refers back to a person it has named without giving a role (`the billionaire
#: said`, `the nominee added`): never a first mention.
EPITHET_NOUNS = frozenset(
    """billionaire millionaire businessman businesswoman mogul tycoon magnate nominee frontrunner
    incumbent actor actress singer rapper celebrity cleric""".split()
)

#: Common nouns that name an institution: `police said`, `the ministry said`.
INSTITUTION_NOUNS = frozenset(
    """authority police government ministry army military navy council court prosecutors prosecution
    parliament cabinet administration department agency commission committee company firm board embassy
    municipality regulator office union club party center centre organization organisation""".split()
)

#: Last words that make a name a business or body, whatever the NER says (`Crestline Homes`).
BUSINESS_NAME_WORDS = frozenset(
    """homes coaches transport lines airlines airways motors energy foods group holdings partners inc corp
    ltd llc bank fund trust foundation institute association council agency ministry company""".split()
)
#: Head words of body names (`Jordan Valley Authority`): a run of capitalised words holding one is no
#: person's name.
BODY_NAME_WORDS = BUSINESS_NAME_WORDS | frozenset(
    """authority corporation department office commission party union committee court police army
    government university board service services club church hospital school college federation league
    alliance coalition network co chamber""".split()
)
#: ... and of place names (`Mary Street`), for runs the NER left unlabelled (a labelled person may be
#: `Stuart Hall`).
NAME_WORDS_OF_BODIES = BODY_NAME_WORDS | frozenset(
    """street avenue road square river lake bay valley park bridge airport island county city hall center
    centre museum stadium station""".split()
)

#: Verbs of perception: an unnamed source who `saw` or `heard` it is an eyewitness.
PERCEPTION_VERBS = frozenset("see hear witness watch notice spot smell feel observe".split())

PERSON_PRONOUNS = frozenset("he she him her his hers".split())
PLURAL_PRONOUNS = frozenset("they them their".split())
