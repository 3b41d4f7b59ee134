"""`draft`'s kinds: every one of the 28 from a verb of its CAMEO class, on sentences written for
these tests; several events in one sentence; an itinerary's legs."""

from __future__ import annotations

import datetime as dt

import pytest
from draft_cast import ACTORS, PLACES

from dashboard import drafting
from dashboard.drafting import lexicon
from dashboard.model import TAXONOMY

SENTENCES = {
    "meeting": "Maia Sandu spoke by telephone with Ilie Bolojan.",
    "visit": "Maia Sandu toured Romania in May 2024.",
    "statement": "Romania announced a new border regime.",
    "report": "Moldpres reported heavy traffic at the border.",
    "intent": "Maia Sandu invited Ilie Bolojan to Chisinau.",
    "mediation": "Romania offered to mediate between the two parties.",
    "military_support": "Romania provided military support for Moldova.",
    "intelligence_sharing": "Romania shared intelligence with Moldova.",
    "military_exercise": "Moldova and Romania held joint exercises.",
    "use_of_force": "Romania fired two missiles at the depot.",
    "appeal": "Maia Sandu called for calm.",
    "diplomatic_cooperation": "Moldova restored diplomatic relations with Romania.",
    "material_cooperation": "Moldova signed a new gas supply contract with Romania.",
    "aid": "Romania donated humanitarian supplies to Moldova.",
    "concession": "Moldova lifted the import ban on Romanian fruit.",
    "release": "Moldova freed three Romanian fishermen.",
    "investigation": "Moldova opened a criminal case against the smugglers.",
    "demand": "Romania demanded an explanation from Moldova.",
    "criticism": "Maia Sandu blamed Romania for the delay.",
    "rejection": "Romania vetoed the proposal from Moldova.",
    "threat": "Romania warned of retaliation against Moldova.",
    "protest": "Moldova's farmers staged a protest outside the Romanian embassy.",
    "force_posture": "Romania deployed extra troops near the border with Moldova.",
    "reduced_relations": "Moldova severed ties with Romania.",
    "sanction": "Moldova froze the assets of two Romanian firms.",
    "coercion": "Moldova deported two Romanian citizens.",
    "assault": "Gunmen kidnapped a Romanian aid worker in Moldova.",
    "mass_violence": "The report documents ethnic cleansing in the region, Romania said.",
}


def propose(text: str, published: dt.date = dt.date(2025, 1, 10)) -> drafting.Draft:
    meta = drafting.Meta(title="A test article", publisher="Test Wire", published=published)
    return drafting.draft(text, meta, ACTORS, PLACES, today=dt.date(2026, 1, 1))


def test_every_kind_has_verbs_in_the_lexicon() -> None:
    assert {t.kind for t in lexicon.TRIGGERS} == set(TAXONOMY)
    assert set(SENTENCES) == set(TAXONOMY)


@pytest.mark.parametrize(("kind", "sentence"), SENTENCES.items())
def test_each_kind_from_a_verb_of_its_cameo_class(kind: str, sentence: str) -> None:
    d = propose(sentence)
    assert kind in [e.kind for e in d.events], [(e.kind, e.note) for e in d.events]
    e = next(e for e in d.events if e.kind == kind)
    assert e.cameo.startswith(TAXONOMY[kind].cameo[:2])


# More verbs of CAMEO's classes, from the development articles' styles (eval/README.md): readouts,
# a regional weekly, a magazine analysis, wire briefs.
@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        ("meeting", "Maia Sandu sat down with Ilie Bolojan in Chisinau."),  # 040
        ("meeting", "Maia Sandu and Ilie Bolojan met for four hours."),
        ("mediation", "Romania carried messages between Moldova and the separatists."),  # 045
        ("mediation", "Romania tried to bring Maia Sandu and the separatists together."),
        ("intent", "Ilie Bolojan accepted an invitation to visit Chisinau."),  # 036
        ("intent", "Moldova and Romania agreed to resume talks on the border."),  # 030
        ("intent", "Romania said it would send border guards to help Moldova."),  # 033
        ("intent", "Maia Sandu will meet Ilie Bolojan on Friday."),  # 036
        ("diplomatic_cooperation", "The framework of the border agreement was agreed in Chisinau by Moldova and "
         "Romania."),  # 057
        ("diplomatic_cooperation", "Moldova joined the European Union."),
        ("criticism", "Maia Sandu called Romania's decision “absurd”."),  # 111
        ("criticism", "Romania called Maia Sandu a “dictator”."),
        ("criticism", "Moldova said Romania's remark was “extremely wrong”."),
        ("demand", "Maia Sandu said that Romania must stop the smuggling."),  # 100
        ("rejection", "Romania had not agreed to reopen the crossing with Moldova."),  # 120
        ("rejection", "Romania declined to meet Maia Sandu."),
        ("reduced_relations", "Moldova decided to close two border crossings with Romania."),  # 16
        ("reduced_relations", "Moldova withdrew from the energy agreement with Romania."),
        ("reduced_relations", "Ilie Bolojan's visit to Moldova was postponed."),
        ("sanction", "Romania reimposed sanctions on Moldova."),  # 163
        ("use_of_force", "A Romanian drone killed two smugglers in Moldova."),  # 195
        ("visit", "Maia Sandu flew from Chisinau to Bucharest."),  # 042
        ("diplomatic_cooperation", "Moldova became a full member of the European Union."),  # 050
        ("criticism", "Romania said the agreement was “nothing to be proud of”."),  # 111
        ("military_support", "Romania announced a sale of 20 Romanian drones to Moldova."),  # 062
        ("coercion", "Ilie Bolojan was later taken back to prison in Moldova."),  # 173
    ],
)  # fmt: skip
def test_more_verbs_of_cameo_classes(kind: str, sentence: str) -> None:
    d = propose(sentence)
    assert kind in [e.kind for e in d.events], [(e.kind, e.note) for e in d.events]


def test_a_named_speaker_s_plan_is_its_intent_an_unnamed_official_s_only_a_statement() -> None:
    named = propose("Romania said that it would send border guards to Moldova.")
    assert sorted(e.kind for e in named.events) == ["intent", "statement"]
    unnamed = propose("An official said that Romania would send border guards to Moldova.")
    assert [e.kind for e in unnamed.events] == ["statement"]


def test_relations_a_named_speaker_announces_will_be_normalised_are_diplomatic_cooperation() -> None:
    d = propose("Romania announced on 8 January that it would normalise relations with Moldova.")
    assert sorted((e.kind, e.date) for e in d.events) == [
        ("diplomatic_cooperation", "2025-01-08"),
        ("statement", "2025-01-08"),
    ]


def test_a_readout_s_sides_discussed_is_the_meeting_just_told() -> None:
    d = propose(
        "Maia Sandu held talks with Ilie Bolojan in Chisinau on 6 January. The two sides discussed the overall "
        "Moldova-U.S. relationship and the border."
    )
    assert [(e.kind, e.date, len(e.sources)) for e in d.events] == [("meeting", "2025-01-06", 2)]
    assert d.events[0].sources[1]["quote"].endswith("Moldova-U.S. relationship and the border.")


def test_an_itinerary_gives_one_visit_a_leg() -> None:
    d = propose(
        "Maia Sandu was in Vilnius on the 29th and 30th, in Riga on the 30th, and is due in Tallinn on the 3rd.",
        published=dt.date(2025, 7, 1),
    )
    legs = [(e.kind, e.place, e.date, e.until) for e in d.events]
    assert legs == [
        ("visit", "vilnius", "2025-06-29", "2025-06-30"),
        ("visit", "riga", "2025-06-30", None),
        ("visit", "tallinn", "2025-07-03", None),
    ]
    assert {p["actor"] for e in d.events for p in e.participants} == {"maia-sandu"}
    assert "planned" in d.events[2].note
    assert "planned" not in d.events[0].note


def test_an_itinerary_s_days_count_from_the_scene_and_a_pronoun_is_the_last_named_visitor() -> None:
    d = propose(
        "Maia Sandu met Ilie Bolojan in Chisinau on 3 March.\n"
        "She was in Bucharest on the 6th and 7th, in Sofia on the 8th, and is due in Athens on the 12th.",
        published=dt.date(2025, 3, 10),
    )
    legs = [(e.place, e.date, e.until) for e in d.events if e.kind == "visit"]
    assert legs == [("bucharest", "2025-03-06", "2025-03-07"), ("sofia", "2025-03-08", None),
                    ("athens", "2025-03-12", None)]  # fmt: skip
    assert {p["actor"] for e in d.events if e.kind == "visit" for p in e.participants} == {"maia-sandu"}


def test_one_place_with_two_days_is_not_an_itinerary() -> None:
    d = propose("Maia Sandu visited Vilnius on 3 January and returned on 5 January.")
    assert [(e.kind, e.date) for e in d.events] == [("visit", "2025-01-03")]


@pytest.mark.parametrize(
    ("sentence", "kinds"),
    [
        # how news copy tells a meeting without "met"
        ("Maia Sandu and Ilie Bolojan held almost two hours of talks in Chisinau.", ["meeting"]),
        ("Maia Sandu and Ilie Bolojan held a short meeting on the margins.", ["meeting"]),
        ("Ilie Bolojan also attended the talks.", ["meeting"]),
        ("Maia Sandu greeted Ilie Bolojan at the airport.", ["meeting"]),
        ("Maia Sandu greeted the returning fishermen at the airport.", ["meeting"]),
        ("Maia Sandu met the returning fishermen at the airport.", ["meeting"]),
        ("Maia Sandu called Ilie Bolojan by phone.", ["meeting"]),
        ("Maia Sandu then spoke to Ilie Bolojan.", ["meeting"]),
        ("Maia Sandu said after meeting Ilie Bolojan that the border would stay open.", ["statement", "meeting"]),
        ("Maia Sandu concluded her two-day state visit to Romania.", ["visit"]),
        # other kinds in the words news copy uses for them
        ("Moldova and Romania signed a joint declaration on energy security.", ["diplomatic_cooperation"]),
        ("The border treaty was signed in Chisinau by Maia Sandu and Ilie Bolojan.", ["diplomatic_cooperation"]),
        ("Moldova and Romania adopted a joint communique on the Danube.", ["diplomatic_cooperation"]),
        ("Romania removed two Moldovan banks from its sanctions list.", ["concession"]),
        ("The exchange of six prisoners between Moldova and Romania took place at the border.", ["release"]),
        ("The handover was facilitated by Romania.", ["mediation"]),
        ("Maia Sandu called the decision a “grave mistake”.", ["criticism"]),
        ("Maia Sandu conveyed strong concerns about the delay to Romania.", ["criticism"]),
        ("Maia Sandu called the talks “a real step forward”.", ["statement"]),
        ("Ilie Bolojan was arrested in Chisinau in 2019.", ["coercion"]),
        ("Moldova and Romania announced a new transport corridor along the Prut.", ["material_cooperation"]),
        # not a meeting
        ("The plan was greeted with scepticism in Moldova, Maia Sandu said.", ["statement"]),
        ("Romania met the deadline for the reform, Maia Sandu said.", ["statement"]),
        # a named actor announcing an act: the act and the announcement
        ("Romania said on 8 January that it had released two Moldovan fishermen.", ["statement", "release"]),
        ("Maia Sandu announced that Moldova had expelled two Romanian diplomats.",
         ["statement", "reduced_relations"]),
        # an outlet or an unnamed source only attributes what it reports
        ("Moldpres reported that Romania had released two Moldovan fishermen.", ["release"]),
        ("An official told Moldpres that Romania had released two Moldovan fishermen.", ["release"]),
    ],
)  # fmt: skip
def test_an_announced_act_is_two_events_when_a_named_actor_announces_it(
    sentence: str, kinds: list[str]
) -> None:
    d = propose(sentence)
    assert sorted(e.kind for e in d.events) == sorted(kinds), [(e.kind, e.note) for e in d.events]
    act = next(e for e in d.events if e.kind == kinds[-1])
    if len(kinds) == 2:
        said = next(e for e in d.events if e.kind == "statement")
        assert said.date == act.date


# CAMEO's demand (10) is a more intense appeal (02): an appeal's verb with what makes it insist
# ("immediate", "unconditional") is a demand; without it, an appeal.
@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Maia Sandu called for the immediate lifting of Romania's ban on Moldovan wine.", "demand"),
        ("Maia Sandu urged an unconditional release of the Moldovan fishermen held by Romania.", "demand"),
        ("Maia Sandu urged Romania to immediately release the fishermen.", "demand"),
        ("Maia Sandu called for the lifting of Romania's ban on Moldovan wine.", "appeal"),
        ("Maia Sandu urged Romania to release the fishermen.", "appeal"),
    ],
)
def test_an_insistent_appeal_is_a_demand(sentence: str, kind: str) -> None:
    kinds = [e.kind for e in propose(sentence).events]
    assert kind in kinds, kinds
    assert ("appeal" if kind == "demand" else "demand") not in kinds, kinds  # one of the two, not both


# What is given "in return" or "in exchange" for what the other side did is yielded (CAMEO 08, the root
# of a release in exchange too), not cooperation offered (05); the same verb without it stays 05.
@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Moldova freed two Romanian fishermen, and Romania recognised Moldova's new border in return.",
         "concession"),
        ("Romania restored diplomatic relations with Moldova in exchange for the release of two fishermen.",
         "concession"),
        ("Romania restored diplomatic relations with Moldova.", "diplomatic_cooperation"),
    ],
)  # fmt: skip
def test_cooperation_given_in_return_is_a_concession(sentence: str, kind: str) -> None:
    kinds = [e.kind for e in propose(sentence).events]
    assert kind in kinds, kinds
    assert ("diplomatic_cooperation" if kind == "concession" else "concession") not in kinds, kinds


def test_a_participle_after_a_determiner_names_those_released_and_tells_no_release() -> None:
    d = propose(
        "Moldova freed two Romanian fishermen on 6 January.\n"
        "The freed fishermen were driven to the border.\n"
        "Those released thanked Maia Sandu.\n"
    )
    assert [(e.kind, e.sentence) for e in d.events if e.kind == "release"] == [("release", 1)]


# More of CAMEO's verb lists, from the styles the development set gained last (a radio bulletin, a
# press release in the first person, a weekly round-up, an African regional daily): each sentence is
# written for this test, one verb class a row.
@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        ("meeting", "Maia Sandu and Ilie Bolojan met over dinner in Chisinau."),  # 040
        ("meeting", "Maia Sandu spoke with the President of Romania about the border."),
        ("appeal", "Moldova calls on Romania to reopen the crossing."),  # 020, the present
        ("appeal", "Maia Sandu asked Romania to reopen the crossing."),
        ("intent", "Moldova and Romania agreed to restart talks on the border."),  # 030
        ("diplomatic_cooperation", "The border deal Moldova and Romania signed in Chisinau came into force."),  # 057
        ("diplomatic_cooperation", "Maia Sandu thanked Romania for its help at the border."),  # 051
        ("concession", "A truce that Moldova declared in May held for a week."),  # 087
        ("criticism", "Romania cut the power after accusing Moldova of smuggling."),  # 111
        ("criticism", "Romania summoned Moldova's ambassador over the remarks."),  # 114
        ("criticism", "Moldova lodged a formal protest with Romania."),
        ("rejection", "Romania declined both requests from Moldova."),  # 120
        ("threat", "Romania warned that Moldova would pay a heavy price."),  # 130
        ("threat", "Maia Sandu warned that those who helped the smugglers would be punished."),
        ("reduced_relations", "Moldova expelled a Romanian diplomat."),  # 161
        ("reduced_relations", "Romania withdrew its ambassador from Moldova."),
        ("reduced_relations", "Moldova declared two Romanian diplomats persona non grata."),
        ("sanction", "Romania is imposing sanctions on Moldova."),  # 163
        ("sanction", "Romania suspended imports of Moldovan wine."),
        ("sanction", "Moldova boycotted the summit in Romania."),
        ("force_posture", "Romania held live-fire drills near the border with Moldova."),  # 150
        ("force_posture", "Romanian jets flew into Moldova's airspace on Monday."),
        ("assault", "Ilie Bolojan was shot dead outside his home in Chisinau."),  # 186
        ("use_of_force", "Fighting resumed on the border between Moldova and Romania."),  # 190
        ("use_of_force", "Romania's drone strike, launched at dawn, killed two smugglers in Moldova."),  # 195
    ],
)  # fmt: skip
def test_verbs_of_cameo_classes_from_the_last_four_styles(kind: str, sentence: str) -> None:
    d = propose(sentence)
    assert kind in [e.kind for e in d.events], [(e.kind, e.note) for e in d.events]


# Verbs of CAMEO's codebook common in news copy that no development article uses yet: written from the
# codebook's classes (043 receive a visitor, 051 praise, 055 relations restored, 081 sanctions put off,
# 130 an ultimatum, 150/152 a show of force or an alert, 163 a ban), not from any article.
@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        ("meeting", "Maia Sandu received Ilie Bolojan at the presidential palace."),  # 043
        ("meeting", "Maia Sandu received the visiting Romanian foreign minister in Chisinau."),
        ("diplomatic_cooperation", "Romania reopened its embassy in Chisinau after two years."),  # 055
        ("diplomatic_cooperation", "Moldova expressed appreciation for Romania's help at the border."),  # 051
        ("concession", "Romania said it would hold off, for the time being, on tariffs on Moldovan wine."),  # 081
        ("concession", "Romania suspended the planned tariffs on Moldovan wine."),
        ("threat", "Romania gave Moldova an ultimatum over the border."),  # 130
        ("force_posture", "Romania scrambled two fighter jets over the border with Moldova."),  # 150
        ("force_posture", "Moldova put its border troops on high alert after Romania's remarks."),  # 152
        ("sanction", "Romania banned Moldovan airlines from its airspace."),  # 163
    ],
)  # fmt: skip
def test_verbs_of_cameo_classes_common_in_news_copy(kind: str, sentence: str) -> None:
    d = propose(sentence)
    assert kind in [e.kind for e in d.events], [(e.kind, e.note) for e in d.events]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Maia Sandu was asked by a reporter to comment on Romania.", "appeal"),  # asked, not asking
        ("It was the first train to leave Moldova since the Romanian invasion.", "use_of_force"),  # a time
        ("Moldova has had no flights to Romania since the 2022 offensive.", "use_of_force"),
        ("Romania met the deadline set by Moldova.", "meeting"),
        ("Maia Sandu received a letter from Romania.", "meeting"),  # a thing received, not a visitor
        ("Moldova received two new ambulances from Romania.", "meeting"),
    ],
)  # fmt: skip
def test_words_of_a_class_that_tell_no_such_event(sentence: str, kind: str) -> None:
    # a second sentence that drafts, so that the text always has one event
    d = propose(sentence + " Maia Sandu met Ilie Bolojan in Chisinau on 6 January.")
    assert kind not in [e.kind for e in d.events if e.sentence == 1], [(e.kind, e.note) for e in d.events]


# Verbs of CAMEO's classes that the three development articles of the second new round lost (a Security
# Council session report, a Korean wire in translation, a South American daily in translation), written
# for these tests from the classes, not copied from the articles.
@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        ("meeting", "Maia Sandu and Ilie Bolojan held a summit in Chisinau."),  # 040
        ("intent", "Moldova and Romania agreed to restore regular visits between their leaders."),  # 036
        ("intent", "Maia Sandu said that Moldova would fully normalize its defence pact with Romania."),
        ("intent", "Under the agreement, Moldova is to withdraw its border guards within ten days."),
        ("mediation", "The talks, which opened in Chisinau on Monday, were convened by Romania."),  # 045
        ("mediation", "Romania convened talks between Moldova and the separatists."),
        ("diplomatic_cooperation", "Moldova and Romania announced the conclusion of the negotiations on a "
                                   "free trade agreement."),  # 057
        ("diplomatic_cooperation", "Romania took custody of the Moldovan embassy in Kyiv."),  # 05
        ("aid", "Romania released $5 million from its emergency fund for humanitarian needs in Moldova."),  # 070
        ("concession", "Romania announced that it would lift export restrictions on Moldovan wine."),  # 081
        ("concession", "Moldova withdrew its complaint against Romania at the World Trade Organization."),
        ("rejection", "The Security Council failed to adopt a draft resolution on Moldova, owing to the "
                      "negative vote of Romania."),  # 129
        ("rejection", "Romania cast its veto against the resolution on Moldova."),
        ("rejection", "Romania blocked Moldova's entry into the Schengen area."),  # 12
        ("force_posture", "Romania fired a ballistic missile into the Black Sea."),  # 150
        ("force_posture", "Romania ordered troops into two border districts of Moldova."),
        ("reduced_relations", "Moldova expelled the diplomatic staff of Romania."),  # 161
        ("reduced_relations", "Moldova, suspended from the bloc since 2016, was not invited by Romania."),  # 16
        ("reduced_relations", "Moldova revoked Romania's authorisation to run the consulate."),
        ("statement", "Romania answered that it would keep the consulate in Chisinau open."),  # 010
        ("appeal", "Maia Sandu appealed directly to Ilie Bolojan to open the border."),  # 020
        # 112: an accusation reported as what was said
        ("criticism", "Maia Sandu said Romania had made a fundamental error in closing the border."),
        ("criticism", "Maia Sandu told Ilie Bolojan there was no justification for the closure."),
    ],
)  # fmt: skip
def test_verbs_of_cameo_classes_from_a_session_report_a_translated_wire_and_a_translated_daily(
    kind: str, sentence: str
) -> None:
    d = propose(sentence)
    assert kind in [e.kind for e in d.events], [(e.kind, e.note) for e in d.events]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # a warning about a choice not yet made, and a denial, are statements, not accusations
        ("Maia Sandu said that leaving the union would be a mistake for Moldova.", "criticism"),
        ("Romania denied that its border guards were complicit in the smuggling.", "criticism"),
        # money released is not a release of people
        ("Romania released $5 million from its emergency fund for humanitarian needs in Moldova.", "release"),
        # relations restored are diplomatic cooperation (05), not an intent
        ("Moldova and Romania agreed to restore diplomatic relations.", "intent"),
        # what a speaker says another will yield is what was said, not that side's concession
        ("Maia Sandu said that Romania would lift the restrictions on Moldovan wine.", "concession"),
        # a missile fired at a target is fighting, not a show of force
        ("Romania fired two missiles at the depot in Moldova.", "force_posture"),
    ],
)  # fmt: skip
def test_words_near_the_new_classes_that_tell_no_such_event(sentence: str, kind: str) -> None:
    d = propose(sentence + " Maia Sandu met Ilie Bolojan in Chisinau on 6 January.")
    assert kind not in [e.kind for e in d.events if e.sentence == 1], [(e.kind, e.note) for e in d.events]


def test_released_prisoners_are_still_a_release() -> None:
    d = propose("Romania released 52 prisoners to Moldova on 6 January.")
    assert "release" in [e.kind for e in d.events], [(e.kind, e.note) for e in d.events]


# Verbs of CAMEO's classes that the three development articles of the third new round lost (a foreign
# ministry's press-conference transcript, a Gulf news agency's report, a French wire in translation),
# and the rejections the set drafted as criticism or statements, written for these tests from the classes.
@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        # 040/043 consult: a visitor received or welcomed by title, views exchanged, a three-way meeting, a
        # document handed in person
        ("meeting", "On 6 January, Maia Sandu received him in Chisinau for talks."),
        ("meeting", "Maia Sandu welcomed President Ilie Bolojan in Chisinau."),
        ("meeting", "Maia Sandu had a candid and in-depth exchange of views with Ilie Bolojan."),
        ("meeting", "Maia Sandu and Ilie Bolojan spoke on the sidelines of the summit."),
        ("meeting", "The two presidents were then joined by Ilie Bolojan for a three-way meeting."),
        ("meeting", "Ilie Bolojan handed the commission's report to President Maia Sandu in Chisinau."),
        # 010 the statements of agency style
        ("statement", "Maia Sandu affirmed that the border would stay open."),
        # 020 the present of an answer, a request put as trust
        ("appeal", "We urge Romania to reopen the crossing."),
        ("appeal", "“I know I can count on you to bring Romania back to the table,” Maia Sandu told Ilie Bolojan."),
        # 030 willingness reiterated, leaders agreeing to instruct their officials
        ("intent", "Maia Sandu reiterated her willingness to speak to Ilie Bolojan."),
        ("intent", "Maia Sandu and Ilie Bolojan agreed to direct their officials to intensify the talks."),
        # 051 praise: support reiterated, thanks expressed, a message of congratulations, the present's welcome
        ("diplomatic_cooperation", "Maia Sandu reiterated Moldova's support for the talks."),
        ("diplomatic_cooperation", "Ilie Bolojan expressed his thanks to Moldova for its help."),
        ("diplomatic_cooperation", "Maia Sandu cabled a message of congratulations to Ilie Bolojan."),
        ("diplomatic_cooperation", "Romania welcomes the decision of Moldova."),
        # 057 a joint statement issued
        ("diplomatic_cooperation", "Moldova and Romania published a joint statement of twelve points."),
        # 061 an agreement to build an industrial site
        ("material_cooperation", "Romania signed an agreement with its Moldovan partners to open a second "
                                 "assembly line in Chisinau."),
        # 062 an arms sale approved, its buyer named before the goods
        ("military_support", "Romania approved a possible sale to Moldova of infrared search and track systems "
                             "for its F-16 fighter jets."),
        # 070 relief pledged in two currencies
        ("aid", "Romania pledged RON250 million (US$50 million) in relief to Moldova."),
        # 081 a listing to be removed, 163 an embargo announced by an organ of the state
        ("concession", "Romania said it would remove Moldova from its list of high-risk states."),
        ("sanction", "Romania's customs authority announced that Romania would suspend imports of Moldovan wine."),
        # 111 disapproval declared
        ("criticism", "Romania firmly opposes and strongly condemns this."),
        ("criticism", "Romania said that it was profoundly disappointed and troubled by the visit."),
        # 030 a matter taken to another forum; 061 a document signed on economic cooperation
        ("intent", "After the vote, Romania and Moldova said they would take the matter to the General Assembly."),
        ("material_cooperation", "Moldova and Romania signed a statement on the plan to develop key areas of "
                                 "economic cooperation until 2030."),
        # 130 countermeasures promised
        ("threat", "Romania will take resolute and strong measures to defend its interests."),
        ("threat", "Romania vowed to take resolute and forceful measures against Moldova."),
        # 12 reject: a proposal opposed, a request refused or rebuffed, whatever determiner it has
        ("rejection", "Romania repeated that the treaty was unacceptable and that it would keep opposing it."),
        ("rejection", "Romania opposes the draft resolution on Moldova."),
        ("rejection", "Romania refused Moldova's request for talks on 6 January."),
        ("rejection", "Romania dismissed Moldova's proposal as nonsense on 6 January."),
        ("rejection", "Romania rebuffed the offer from Moldova."),
        ("rejection", "Romania responded by rejecting the plan."),
        # 124 refuse to yield, said by the side itself or for its own state
        ("rejection", "Romania said it would not accept the proposal."),
        ("rejection", "Maia Sandu replied that Moldova would not withdraw its troops."),
        ("rejection", "Romania answered that it would keep the custody of the embassy until Moldova named "
                      "another state."),
        ("rejection", "The European Union will maintain sanctions on Romania, Maia Sandu said."),
    ],
)  # fmt: skip
def test_verbs_of_cameo_classes_from_a_transcript_a_gulf_agency_and_a_translated_wire(
    kind: str, sentence: str
) -> None:
    d = propose(sentence)
    assert kind in [e.kind for e in d.events], [(e.kind, e.note) for e in d.events]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        # "a shadow over the visit" tells no visit
        ("Taxes cast a shadow over the visit of Maia Sandu.", "visit"),
        # a spokesperson's "We have noted the reports" says nothing on the record
        ("Romania has noted the reports.", "statement"),
        # praise of a plan is praise, not a greeting
        ("Maia Sandu welcomed the plan of Romania.", "meeting"),
        # what a speaker says another side will not yield or will suspend is what was said, not its act
        ("Maia Sandu said that Romania would not lift the ban.", "rejection"),
        ("Maia Sandu said that Romania would suspend imports of Moldovan wine.", "sanction"),
        # what a side says it will keep open is no refusal
        ("Romania answered that it would keep the consulate in Chisinau open.", "rejection"),
        # opposition to an act, not to a proposal, is disapproval, not a rejection
        ("Romania firmly opposes arms sales to Moldova.", "rejection"),
    ],
)  # fmt: skip
def test_words_near_the_third_round_s_classes_that_tell_no_such_event(sentence: str, kind: str) -> None:
    d = propose(sentence + " Maia Sandu met Ilie Bolojan in Chisinau on 6 January.")
    assert kind not in [e.kind for e in d.events if e.sentence == 1], [(e.kind, e.note) for e in d.events]


def test_a_concession_given_in_turn_is_one_whoever_reports_it() -> None:
    """ "The Ministry of Trade said that Seoul, in turn, would withdraw the complaint": the concession is the
    side's own, though an unnamed ministry says so (a speaker not in the data)."""
    d = propose("The trade ministry said that Romania, in turn, would withdraw the complaint it had filed.")
    assert "concession" in [e.kind for e in d.events], [(e.kind, e.note) for e in d.events]


def test_a_welcome_and_the_views_exchanged_are_the_reception_just_told() -> None:
    """An agency's "received …" then "welcomed the President …, and the two sides exchanged views": one
    meeting, its quote in both sentences."""
    d = propose(
        "Maia Sandu today received President Ilie Bolojan in Chisinau.\n"
        "Ilie Bolojan arrived in Moldova earlier today.\n"
        "Maia Sandu welcomed President Ilie Bolojan, and the two sides exchanged views on trade."
    )
    meetings = [e for e in d.events if e.kind == "meeting"]
    assert len(meetings) == 1, [(e.kind, e.sources) for e in d.events]
    assert len(meetings[0].sources) == 2, meetings[0].sources
