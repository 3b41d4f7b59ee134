"""The drafter's lexicon: which words propose which kind of event, and which words hedge.

Every kind's verbs and phrases follow CAMEO's verb classes (the codebook's examples for each
root and sub-code). A pattern is a regular expression matched case-insensitively on word
boundaries inside one clause; `(?-i:…)` marks a part that must keep its case (a proper noun).
Patterns are kept narrow on purpose: a draft the editor has to delete costs more than one
the editor has to add.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Trigger(NamedTuple):
    kind: str
    pattern: str
    cameo: str  # the CAMEO code the phrase stands for
    needs: str = ""  # "media": only when a news outlet or "media" is the clause's subject


_PROPER = r"(?-i:[A-Z])"  # a capitalised word follows: a name, not a common noun
_WEAPONS = r"(?:missiles?|missile systems|troops|forces|soldiers|bases?|weapons|warplanes|jets|drones)"

TRIGGERS: tuple[Trigger, ...] = (
    # 04 Consult: meetings (040, 043, 046), visits (042, 043), mediation (045)
    Trigger("meeting", r"met(?= (?:with|at|in|on|for)\b| " + _PROPER + r")", "040"),
    # "met over lunch", "met over dinner in Osaka"
    Trigger("meeting", r"met over (?:a )?(?:[\w-]+ )?(?:breakfast|lunch|dinner|tea|coffee)\b", "040"),
    # "sat down there again with the EU's envoy", "sat down for talks"
    Trigger("meeting", r"sat down (?:[\w-]+ ){0,2}(?:with|for)(?= \w)", "040"),
    Trigger("meeting", r"meets?(?= (?:with|at|in|on)\b| " + _PROPER + r")", "040"),
    Trigger("meeting", r"(?:meeting|talks|summit|encounter) (?:took place|was held|were held)", "043"),
    Trigger("meeting", r"held (?:talks|a meeting|meetings|discussions|consultations|a call|a phone call|"
            r"a summit|summit talks)", "040"),
    # "held nearly three hours of talks", "held a brief meeting", "held two rounds of negotiations"
    Trigger("meeting", r"held (?:an? )?(?:[\w-]+ ){1,3}(?:of )?(?:talks|meetings?|discussions|consultations|"
            r"negotiations|summits?)", "040"),
    Trigger("meeting", r"attended (?:the|a|an|their) (?:[\w-]+ ){0,2}(?:talks|meeting|summit|negotiations)",
            "040"),
    # "greeted Putin on the tarmac", "greeted the freed prisoners"; not "was greeted with scepticism"
    Trigger("meeting", r"greeted(?! (?:with|by|as)\b)(?= \w)", "040"),
    Trigger("meeting", r"(?<=after )meeting(?= " + _PROPER + r")", "040"),
    # "called Lukashenko by phone"
    Trigger("meeting", r"called(?= (?:[\w'’.-]+ ){1,5}(?:by (?:tele)?phone|on the phone))", "040"),
    Trigger("meeting", r"(?:spoke|talked) (?:by phone|on the phone|by telephone|by video link)", "040"),
    Trigger("meeting", r"(?:phoned|telephoned)(?= " + _PROPER + r"| (?:his|her|their) )", "040"),
    Trigger("meeting", r"held (?:an? )?(?:phone|telephone|video) (?:call|conversation|talks)", "040"),
    Trigger("meeting", r"(?:spoke|spoken|talked) (?:with|to)(?= " + _PROPER + r"| (?:his|her|their) |"
            r" the (?:[\w-]+ )?(?-i:[A-Z]))", "040"),
    # "met the returning crew", not "met the deadline"
    Trigger("meeting", r"met(?= (?:the|his|her|their) (?![\w-]+ (?:demands?|deadlines?|targets?|criteria|"
            r"requirements|conditions|expectations|goals?)\b)(?!(?:demands?|deadlines?|targets?|criteria|"
            r"requirements|conditions|expectations|goals?)\b))", "040"),
    Trigger("meeting", r"discuss(?:ed|es)", "040"),
    Trigger("meeting", r"hosted(?= (?:his|her|their|the \w+ (?:delegation|president|minister|envoy|leader)|"
            + _PROPER + r"))", "044"),
    # 043 a host receiving a visitor, as state media tell it: "Putin received Xi in the Kremlin", "received
    # the visiting foreign minister"; not "received a letter"
    Trigger("meeting", r"received(?= (?:the visiting |visiting )?" + _PROPER + r"| the visiting )", "043"),
    # 043 the visitor named just before: "Xi Jinping received him at the Great Hall for talks"
    Trigger("meeting", r"received (?:him|her|them)(?= (?:at|in|for|on)\b)", "043"),
    # a host greeting a visitor by title: "welcomed President Al Assad and his delegation" (not "welcomed
    # the plan", praise, below)
    Trigger("meeting", r"welcomed(?= (?:the visiting |visiting )?(?:President|Prime Minister|King|Queen|Emir|"
            r"Sultan|Crown Prince|Chancellor|Foreign Minister|Minister|Secretary|His|Her)\b)", "043"),
    # 040 consult, in the words of readouts and ceremonial agency style: "the two sides exchanged views",
    # "had a candid and in-depth exchange of views with", "spoke on the sidelines of the summit"
    Trigger("meeting", r"exchanged views|(?:had|held) an? (?:[\w-]+ ){0,4}?exchange of views|"
            r"(?:spoke|talked|met) on the sidelines", "040"),
    # "were then joined by the President of the Commission for a three-way meeting"
    Trigger("meeting", r"(?:was|were) (?:then |later )?joined by (?:[\w'’,.-]+ ){1,12}?for (?:an? |"
            r"the |their )?"
            r"(?:[\w-]+ ){0,2}?(?:meeting|talks|summit|discussions)\b", "040"),
    # a document handed in person: "handed the agency's report to Prime Minister Kishida", "presented his
    # credentials to the President"
    Trigger("meeting", r"(?:handed|presented|delivered) (?:over )?(?:[\w'’-]+ ){0,5}?(?:report|"
            r"letter|message|"
            r"credentials|invitation|note|copy)\b(?: [\w'’-]+){0,4}? to (?=(?:the )?(?-i:[A-Z]))", "040"),
    Trigger("visit", r"visit(?:ed|s|ing)?(?= " + _PROPER + r")", "042"),
    Trigger("visit", r"(?:arrived|arrives|arriving|landed) in", "042"),
    Trigger("visit", r"(?:travell?ed|travell?ing|travels|flew|went) (?:to|there)", "042"),
    # "flew from Tel Aviv to Abu Dhabi"
    Trigger("visit", r"flew from (?-i:[A-Z])[\w'’-]*+(?: (?-i:[A-Z])[\w'’-]*+)? to", "042"),
    # "a three-day state visit", not "a shadow over the visit" (a preposition or article between)
    Trigger("visit", r"(?:a|an) (?:(?!(?:the|over|of|on|for|during|after|before|to|in|at|ahead|with)\b)"
            r"[\w-]+ ){0,3}visit\b(?! by\b)", "042"),
    Trigger("visit", r"(?:toured|tours|touring)(?= " + _PROPER + r")", "042"),
    Trigger("visit", r"(?:concluded|began|started|wrapped up|ended) (?:his|her|their|its|a|an) "
            r"(?:[\w-]+ ){0,3}(?:visit|trip|tour)\b", "042"),
    Trigger("visit", r"paid (?:a|an) (?:[\w-]+ ){0,2}(?:visit|trip) to", "042"),
    # 045 mediate: "carried messages between the two", "tried to bring Trump and Rouhani together"
    Trigger("mediation", r"(?:carried|carrying|passed|passing) messages between|shuttled between", "045"),
    Trigger("mediation", r"(?:tried|sought|offered|attempted|trying|seeking) to bring (?:[\w'’.-]+ ){1,6}?"
            r"together", "045"),
    Trigger("mediation", r"(?:broker|brokered|brokering|mediate[ds]?|mediating|facilitated|facilitating)",
            "045"),
    # 045 a third side convening the talks: "talks convened by the African Union", "Qatar convened talks
    # between the two"
    Trigger("mediation", r"(?:talks|negotiations|consultations),? (?:[\w'’,-]+ ){0,12}?"
            r"(?:convened|facilitated) by|convened (?:[\w-]+ ){0,2}(?:talks|negotiations|"
            r"consultations) (?:between|with)\b", "045"),
    # 01 Make public statement; a news outlet's account is a report
    # "We have noted the reports": a spokesperson's formula that says nothing on the record
    Trigger("statement", r"(?:said|says|stated|stating|told|tells|added|adding|"
            r"noted(?! (?:the |these |those |such )?(?:reports?|remarks|comments|news)\b)|stressed|"
            r"emphasi[sz]ed|warned|warns|assured|indicated|expressed|highlighted|characteri[sz]ed|"
            r"described|declared|remarked|commented|insisted|announced|acknowledged|denied|"
            r"confirmed|wrote|tweeted|answered|replied|responded|retorted|affirmed|reiterated|underlined|"
            r"underscored|asserted)", "010"),
    # "called the deal “a feat of diplomacy”": a verdict in quotation marks
    Trigger("statement", r"call(?:ed|ing|s) (?:the|it|this|that|his|her|their)(?: [\w-]+){0,3}?(?= [“\"])",
            "010"),
    Trigger("statement",
            r"remain(?:s|ed)? (?:skeptical|sceptical|concerned|optimistic|cautious|wary|doubtful)",
            "012"),
    Trigger("report", r"(?:showed|showing|shows|broadcast|aired|published|posted|reported|reports)", "010",
            "media"),
    # 02 Appeal, 03 Express intent to cooperate
    Trigger("appeal", r"(?:urged|appealed (?:\w+ly )?(?:to|for)|called on|called for|asked for|requested)",
            "020"),
    # the present and the infinitive ("We once again call on the Government to cooperate"); "asked" with
    # its object and what it is asked to do ("asked the Government of India to waive"), not "asked
    # whether" nor "was asked by a reporter"
    Trigger("appeal", r"(?:call|calls|calling) (?:on|upon)(?= (?:the |an? )?(?-i:[A-Z])| (?:all|both) )",
            "020"),
    Trigger("appeal", r"(?<!was )(?<!were )asked (?:[\w'’.-]+ ){1,6}?to (?!be\b)(?=\w)", "020"),
    # the present of a spokesperson's answer: "We urge Japan to stop", "urges the US side to"
    Trigger("appeal", r"(?:urge|urges)(?= (?:the |an? )?(?-i:[A-Z])| (?:all|both) )", "020"),
    # a request put as trust: "I know I can count on you to bring Russia back to its senses"
    Trigger("appeal", r"count(?:s|ed|ing)? on (?:you|him|her|them|(?-i:[A-Z])[\w'’-]*+) to (?=\w)", "020"),
    Trigger("intent", r"(?:invited)(?= " + _PROPER + r"| (?:his|her|their) )", "036"),
    Trigger("intent", r"explor(?:ed|es|ing) (?:ways|options|whether|how)", "030"),
    Trigger("intent", r"(?:pledged|promised|vowed|offered to|intends to|plans to|planned to)", "030"),
    Trigger("intent", r"(?:expressed|reiterated|reaffirmed|confirmed|signall?ed|voiced) (?:his |"
            r"her |its |their )?"
            r"(?:readiness|willingness|interest|hope)", "030"),
    # 036 express intent to meet: "accepted an invitation to visit Washington"
    Trigger("intent", r"accepted (?:an|the|a|his|her|their) (?:[\w-]+ )?invitation", "036"),
    # 030-036: what two sides agree to do is their intent ("agreed to resume military communications");
    # an agreement signed or relations established stay 05 (below)
    Trigger("intent", r"agreed to (?:resume|maintain|work|keep|cooperate|hold|meet|visit|continue|increase|"
            r"expand|curb|step up|strengthen|deepen|explore|consider|stay|remain|restart|reopen|relaunch|"
            r"start|begin|launch|set up|open|pursue|negotiate|revive|improve|direct|instruct|task|intensify|"
            # relations restored or normalised are 05 (below)
            r"restore(?! (?:[\w-]+ ){0,2}?(?:relations|ties)\b))", "030"),
    # What an actor says it will do for another (033 material aid, 036 meet or negotiate): "he would
    # travel to Washington on Monday", "Frontex said it would send 50 officers", "Biden will meet X"
    # (the modal alone is the trigger: the verb after it still proposes the visit or the meeting planned)
    Trigger("intent", r"(?:would|will)(?= (?:[\w-]+ ){0,2}?(?:travel to|visit|meet|send|provide|give|deliver|"
            # "would take the matter to the General Assembly": to another forum
            r"take (?:the|this|that) (?:matter|issue|case|question|dispute) to|"
            r"keep up|support|help|host|sign|resume|reopen|strengthen|expand|"
            r"(?:restore|normali[sz]e)(?! (?:[\w-]+ ){0,2}?(?:relations|ties)\b))\b)", "030"),
    # what an agreement binds a side to do, in news copy's "is to": "the TPLF is to disarm its fighters",
    # "the government is to restore services" (not "is to blame", "is to be")
    Trigger("intent", r"(?:is|are) to (?=(?:disarm|restore|allow|withdraw|release|hand over|resume|reopen|"
            r"open|provide|send|deliver|pay|return|lift|end|hold|host|meet|visit|sign|ratify|implement|"
            r"normali[sz]e|establish|pull back|demobili[sz]e|cease|halt|stop|grant)\b)", "030"),
    # 05 Engage in diplomatic cooperation
    Trigger("diplomatic_cooperation",
            r"signed (?:an?|the) (?:[\w-]+ ){0,3}(?:agreement|deal|treaty|memorandum|accords?|declaration|"
            r"communiqu[eé]|statement)",
            "057"),
    # "The accords were signed at the White House", "a joint declaration was signed with the King"
    Trigger("diplomatic_cooperation", r"(?:agreement|deal|treaty|memorandum|accords?|declaration) "
            r"(?:was|were) signed", "057"),
    # "France and China published a joint statement of fifty-one points"
    Trigger("diplomatic_cooperation", r"(?:issued|published|released|adopted|signed) (?:an? |the |their )?"
            r"joint (?:statement|declaration|communiqu[eé])", "057"),
    Trigger("diplomatic_cooperation", r"adopted (?:an?|the) (?:[\w-]+ ){0,3}(?:declaration|resolution|"
            r"communiqu[eé]|agreement)", "057"),
    Trigger("diplomatic_cooperation", r"(?:agreed to|agreed on|praised|recogni[sz]ed)", "050"),
    # "the deals Russia and Ukraine signed with Turkey", "the accord that the two sides signed"
    Trigger("diplomatic_cooperation", r"(?:agreements?|deals?|treaty|treaties|accords?|memorand(?:um|a)|"
            r"declarations?) (?:that |which )?(?-i:[A-Z])[\w'’-]*+(?: (?:and )?[\w'’-]++){0,5}? signed\b",
            "057"),
    # 051 praise: "thanked the African Union for hosting the talks", "congratulated Moldova"
    Trigger("diplomatic_cooperation", r"(?:thanked|commended|congratulated|applauded|lauded)"
            r"(?= (?:the |an? )?"
            r"(?-i:[A-Z])| (?:his|her|their|its|both|all) )", "051"),
    # a message sent: "cabled a message of congratulations to His Highness"
    Trigger("diplomatic_cooperation", r"(?:sent|cabled|conveyed|addressed|dispatched) (?:an? |his |"
            r"her |their |its )?"
            r"(?:[\w-]+ )?(?:message|cable|letter|telegram)s? of (?:congratulations|thanks|"
            r"appreciation|support|"
            r"solidarity)\b", "051"),
    # the present, in a spokesperson's answer: "China welcomes the decision"
    Trigger("diplomatic_cooperation", r"(?:welcomes|hails|endorses)(?= (?:the|this|that|these|those|"
            r"its|their|"
            r"an?|(?-i:[A-Z]))\b)", "051"),
    Trigger("diplomatic_cooperation", r"(?:welcomed|hailed|endorsed)"
            r"(?! (?:[\w-]+ ){0,3}(?:to|in) (?-i:[A-Z]))",
            "051"),
    Trigger("diplomatic_cooperation", r"(?:established|restored|normali[sz]ed|resumed) (?:[\w-]+ ){0,2}"
            r"(?:diplomatic relations|relations|ties)", "055"),
    Trigger("diplomatic_cooperation", r"apologi[sz]ed", "055"),
    # "agreed to reopen their embassies", "reopened its embassy in Tehran"
    Trigger("diplomatic_cooperation", r"(?:reopen(?:ed|s|ing)?|re-open(?:ed|s|ing)?) (?:[\w'’-]+ ){0,2}"
            r"(?:embass(?:y|ies)|consulates?|missions)\b", "055"),
    # 051 praise: "expressed appreciation for China's role", "voiced support for the deal"
    Trigger("diplomatic_cooperation", r"(?:expressed|voiced|conveyed|reaffirmed|reiterated|affirmed) "
            r"(?:its |his |her |their |the (?-i:[A-Z])[\w'’.-]*+ |"
            r"(?-i:[A-Z])[\w'’.-]*+ )?(?:strong |full |deep |"
            r"sincere |continued )?(?:appreciation|gratitude|thanks|support for|solidarity with)", "051"),
    # "The framework of the deal was agreed in Lausanne", "the plan was concluded in Vienna"
    Trigger("diplomatic_cooperation", r"(?:deal|agreement|framework|accords?|treaty|plan of action|"
            r"declaration|pact)(?: [\w-]+){0,4}? (?:was|were) "
            r"(?:agreed|concluded|reached|struck|finali[sz]ed)",
            "057"),
    Trigger("diplomatic_cooperation", r"(?:concluded|reached|struck) (?:an?|the) (?:[\w-]+ ){0,3}"
            r"(?:agreement|deal|treaty|accord)", "057"),
    # "announced the conclusion of the negotiations of their association agreement", "concluded talks on
    # a free trade agreement"
    Trigger("diplomatic_cooperation", r"(?:conclusion|concluded|completion|completed|finali[sz]ed) (?:of )?"
            r"(?:the |their |its )?(?:[\w-]+ ){0,2}?(?:negotiations|talks) (?:on|of|for|over) "
            r"(?:[\w'’-]+ ){0,4}?(?:agreement|deal|treaty|accord|pact)\b", "057"),
    # 05 a protecting power: "took custody of the Argentine embassy", "agreed to represent its interests"
    Trigger("diplomatic_cooperation", r"(?:took|taken|takes|taking|assumed|assume) (?:over )?(?:the )?"
            r"custody of (?:[\w'’-]+ ){0,3}?(?:embass(?:y|ies)|consulates?|missions?|premises)\b", "050"),
    Trigger("diplomatic_cooperation", r"(?:joined|became (?:a |an )?(?:full |permanent )?member of) "
            r"(?:NATO|the (?:European Union|EU|alliance|G20|G7|United Nations|UN|African Union|WTO))\b",
            "050"),
    # "announcing that Israel and the UAE would establish full diplomatic relations"
    Trigger("diplomatic_cooperation", r"(?:establish|restore|normali[sz]e|resume) (?:[\w-]+ ){0,2}"
            r"(?:diplomatic relations|relations|ties)", "055"),
    # 06 Engage in material cooperation
    Trigger("military_support", r"host(?:ed|s|ing)? (?:[\w-]+ ){0,2}" + _WEAPONS, "062"),
    Trigger("military_support", r"(?:logistics|logistical|staging) (?:hub|base|ground)", "062"),
    # "a planned $23 billion sale of F-35 fighters and drones"
    Trigger("military_support", r"(?:sale|sales|transfer|delivery) (?:to (?-i:[A-Z])[\w'’-]*+ )?of "
            r"(?:[\w$€£.,-]+ ){0,10}?(?:fighters|jets|"
            r"drones|missiles|weapons|arms|tanks|warplanes|air defen[cs]e systems)\b", "062"),
    Trigger("military_support", r"(?:allowed|let|permitted) (?:[\w-]+ ){0,2}(?:forces|troops) to", "062"),
    Trigger("military_support", r"(?:provided|supplied|sent|delivered) (?:[\w-]+ ){0,2}(?:military support|"
            r"support for|weapons|arms|ammunition|drones|missiles)", "062"),
    Trigger("intelligence_sharing",
            r"shar(?:ed|ing|es?) (?:[\w-]+ ){0,2}(?:intelligence|targeting data|data)",
            "064"),
    Trigger("intelligence_sharing", r"(?:conduct(?:ed|ing)?|carr(?:ied|ying) out) reconnaissance", "064"),
    Trigger("military_exercise", r"(?:joint|military|naval) (?:exercises|drills|manoeuvres|maneuvers)",
            "062"),
    # a signed agreement is 057 (above); a contract, a loan or a supply is economic cooperation (061), and so
    # is a document signed on economic cooperation ("signed a statement on the plan to develop key areas of
    # economic cooperation until 2030")
    Trigger("material_cooperation", r"signed (?:an?|the) (?:[\w-]+ ){0,2}(?:statement|agreement|memorandum|"
            r"plan|programme|program) (?:on|for) (?:[\w'’-]+ ){0,8}?(?:economic|trade|investment|energy) "
            r"(?:cooperation|partnership|ties)\b", "061"),
    Trigger("material_cooperation", r"(?:signed|concluded|awarded) (?:an?|the) (?:[\w-]+ ){0,2}"
            r"(?:trade|energy|gas|oil|investment|supply|arms|construction) contracts?", "061"),
    Trigger("material_cooperation", r"(?:granted|extended|provided|approved) (?:an?|the) "
            r"(?:[\w$€£.,-]+ ){0,3}"
            r"(?:loan|credit line|investment)", "061"),
    Trigger("material_cooperation", r"(?:extradited|handed over (?:the )?suspects?)", "063"),
    # "signed an agreement with its Chinese partners to open a second final assembly line"
    Trigger("material_cooperation", r"(?:with|between) (?:[\w'’-]+ ){1,4}?to (?:build|open|"
            r"set up|establish|expand|construct) (?:an? |the |its |their )?(?:[\w-]+ ){0,3}?(?:plant|factory|"
            r"assembly line|production line|pipeline|refinery|mine|railway|port terminal)\b", "061"),
    Trigger("material_cooperation", r"(?:supplied|sold|exported) (?:[\w-]+ ){0,2}"
            r"(?:gas|oil|electricity|grain|"
            r"fuel|energy)", "061"),
    Trigger("material_cooperation", r"(?:announced|launched|unveiled) (?:an?|the) (?:[\w-]+ ){0,3}"
            r"(?:economic|trade|energy|transport|infrastructure|investment) (?:corridor|partnership|project)",
            "061"),
    # 07 Provide aid, 08 Yield
    Trigger("aid", r"(?:provided|sent|delivered|pledged|donated|granted|allocated) (?:[\w$€£.,()-]+ ){0,4}"
            r"(?:in )?(?:aid|assistance|humanitarian|relief)\b", "070"),
    Trigger("aid", r"granted (?:political )?asylum", "075"),
    # "released $20 million from the Central Emergency Response Fund for humanitarian needs"
    Trigger("aid", r"(?:released|allocated|pledged|approved|disbursed|announced) (?:[\w$€£.,-]+ ){0,2}?"
            r"(?:million|billion)\b(?: [\w'’$€£.,()-]+){0,8}? "
            r"(?:for|in|of) (?:[\w'’-]+ ){0,2}?(?:humanitarian|"
            r"relief|aid|assistance|emergency|reconstruction)\b", "070"),
    # "released three prisoners", not "released a statement"
    Trigger("release", r"(?:prisoner (?:exchange|swap)|(?:exchange|swap) of (?:[\w-]+ ){0,2}(?:prisoners|"
            r"detainees))", "084"),
    # not "the freed prisoners were driven to the border": a participle after a determiner names them
    Trigger("release", r"(?<!\bthe )(?<!\bthose )(?<!\bthese )(?<!\bnewly )"
            r"(?:released|freed|pardoned)(?! (?:a|an|the|its|their|his|her) (?:[\w-]+ )?"
            r"(?:statement|report|video|footage|data|figures|photos?|images?|details|results|list|plan|budget))"
            # not money: "released $20 million from the fund"
            r"(?! ?[$€£]| [\d.,]+ (?:million |billion )?(?:dollars|euros|pounds|yuan|roubles|rubles)\b)",
            "084"),
    Trigger("concession", r"(?:eased|lifted) (?:[\w-]+ ){0,2}(?:sanctions|restrictions)", "081"),
    # announced or promised, as the set codes "would hold off on tariffs": "would lift export restrictions
    # on three materials", "to ease the curbs"
    Trigger("concession", r"(?:would|will|to|agreed to) (?:lift|ease|remove|scrap) (?:the |its |their |all )?"
            r"(?:[\w-]+ ){0,2}?(?:sanctions|restrictions|curbs|controls|tariffs|ban|embargo)\b", "081"),
    # a complaint or an objection dropped: "would withdraw the complaint it had filed with the WTO"
    Trigger("concession", r"(?:withdr(?:ew|aw|aws|awn|awing)|dropped|drop|drops) "
            r"(?:the |its |their |his |her |a )?(?:[\w-]+ ){0,2}?"
            r"(?:complaint|lawsuit|legal case|objections?|veto threat)\b", "080"),
    # 081 sanctions put off or taken back: "would hold off, for the time being, on tariffs", "suspended the
    # tariffs", "waived sanctions on the pipeline"
    Trigger("concession", r"(?:hold|held|holding) off(?:, [^,.;]{1,30},)? on (?:[\w$€£.,-]+ ){0,5}?"
            r"(?:tariffs|sanctions|duties)\b|(?:suspended|postponed|delayed|paused|waived|scrapped|dropped) "
            r"(?:the |its |their |planned |new |further )?(?:[\w$€£.,-]+ ){0,2}?"
            r"(?:tariffs|sanctions|duties)\b",
            "081"),
    Trigger("concession", r"withdr(?:ew|awn) (?:[\w-]+ ){0,2}(?:troops|forces)", "087"),
    Trigger("concession", r"(?:declared|agreed to|agreed on|announced) (?:a|an) "
            r"(?:[\w-]+ ){0,2}(?:ceasefire|truce)",
            "087"),
    Trigger("concession", r"(?:lifted|eased) (?:[\w-]+ ){0,2}(?:ban|embargo|blockade)", "081"),
    # "a humanitarian truce that the government declared in March"
    Trigger("concession", r"(?:ceasefire|cease-fire|truce|armistice) (?:that |which )(?:[\w'’-]+ ){1,4}?"
            r"(?:declared|announced|agreed|proclaimed)\b", "087"),
    # "removed the airline from its sanctions list"
    Trigger("concession", r"(?:removed|delisted|struck|(?:would|will|to) (?:remove|delist|strike)) "
            r"(?:[\w-]+ ){1,3}(?:from|off) (?:its|the|their|a) "
            r"(?:[\w-]+ ){0,2}(?:sanctions list|blacklist|list)", "081"),
    # 09–14: investigate, demand, disapprove, reject, threaten, protest
    Trigger("investigation", r"(?:launched|opened) an? (?:[\w-]+ )?"
            r"(?:inquiry|investigation|probe|criminal case)",
            "090"),
    Trigger("investigation", r"(?:investigated|is investigating|are investigating)", "090"),
    Trigger("demand", r"(?:demanded|demands)", "100"),
    # CAMEO's demand is a more intense appeal: "called for the immediate lifting of the ban", "urged an
    # unconditional release" (an appeal's verb with what makes it insist)
    Trigger("demand", r"(?:called for|calls for|calling for|urged|urges|urging) (?:the |an? )?"
            r"(?:immediate|unconditional|complete and immediate)\b|"
            r"(?:called on|calls on|urged|urges) (?:[\w'’.-]+ ){1,4}?to (?:immediately|unconditionally)\b",
            "100"),
    # 10: what another side "must" do ("the U.S. side must stop hyping … and lift its sanctions")
    Trigger("demand", r"must (?:immediately )?(?:stop|end|lift|cease|halt|withdraw|release|return|respect|"
            r"refrain|abandon|drop)\b", "100"),
    Trigger("criticism", r"(?:critici[sz]ed|condemned|denounced|accused|blamed|slammed|"
            r"lambasted|rebuked)", "111"),
    # the present participle and present ("after accusing the TPLF of attacking a base")
    Trigger("criticism", r"(?:critici[sz]ing|condemning|denouncing|accusing|accuses|condemns|denounces|"
            r"criticises|criticizes)"
            r"(?= (?:the |an? |its |his |her |their )?(?-i:[A-Z])| (?:him|her|them|it) )",
            "111"),
    # 114 complain officially: an envoy summoned, a protest lodged
    Trigger("criticism", r"summon(?:ed|s|ing)? (?:[\w'’.-]+ ){0,4}?"
            r"(?:ambassadors?|envoys?|chargés? d'affaires|"
            r"charg[eé]s? d’affaires|charges d'affaires|diplomats?|high commissioners?|consuls?)\b", "114"),
    Trigger("criticism", r"(?:lodged|lodge|lodges|filed|delivered) (?:an? |its |their )?(?:[\w-]+ ){0,2}?"
            r"(?:protest|complaint|démarche|demarche)\b", "114"),
    # "called the agreement a “huge mistake”", "calling the deal a betrayal"
    Trigger("criticism", r"call(?:ed|ing|s) (?:the|it|this|that|his|her|their) (?:[\w-]+ ){0,2}?"
            r"(?:an? )?[“\"]?(?:[\w-]+ ){0,2}?(?:mistake|betrayal|disgrace|failure|farce|provocation|shame|"
            r"crime|stab in the back|insult|violation|blunder)", "111"),
    Trigger("criticism", r"(?:conveyed|voiced|raised|expressed) (?:[\w-]+ ){0,2}concerns?", "111"),
    # 111 disapproval declared: "China firmly opposes and strongly condemns this", "was profoundly
    # disappointed and troubled by that visit"
    Trigger("criticism", r"(?:firmly|strongly|resolutely|categorically) (?:oppos|condemn|"
            r"denounc)(?:es|ed|e)\b|"
            r"(?:condemns|denounces) (?=this|that|these|those)|"
            r"(?:was|were|is|are) (?:deeply |profoundly |very |extremely |gravely |greatly )?(?:disappointed|"
            r"troubled|dismayed|appalled|outraged)(?: and (?:[\w-]+ )?\w+)? (?:by|at|with)\b", "111"),
    # 111 a pejorative verdict: "called Israel a “terror state”", "regarded Xi as a “dictator”",
    # "said the remark was “extremely wrong”", "called it irresponsible political manipulation"
    Trigger("criticism", r"(?:call(?:ed|ing|s)|regard(?:ed|s)|described|branded|labell?ed) "
            r"(?:[\w'’.-]+ ){1,3}?"
            r"(?:as )?(?:an? )?[“\"]?(?:[\w-]+ ){0,2}?(?:dictator|terror(?:ist)? state|irresponsible|"
            r"unacceptable|outrageous|absurd|manipulation|hypocri\w+|lies|nonsense)", "111"),
    Trigger("criticism", r"(?:was|were|is|are) [“\"]?(?:extremely |absolutely |completely |totally |deeply )?"
            r"(?:wrong|unacceptable|outrageous|irresponsible|absurd|shameful|regrettable|disappointing|"
            r"nothing to be proud of)\b", "111"),
    # 12: "China had not agreed to restore the channels", "declined to meet"
    Trigger("rejection", r"(?:had|has|have|did) not (?:yet )?agreed? to|declined to", "120"),
    # "declined both requests", "declined the invitation"
    Trigger("rejection", r"(?:declined|refused|rejected|rebuffed|spurned|rejecting|refusing|rebuffing|"
            r"dismissing|rejects|refuses|rebuffs|dismisses|dismissed) (?:the |an? |both |all |his |"
            r"her |their |its |"
            r"our |(?-i:[A-Z])[\w.-]*+['’]s )"
            r"(?:[\w-]+ ){0,2}?(?:requests?|offers?|invitations?|proposals?|demands?|calls?|appeals?|plans?|"
            r"ideas?|suggestions?|initiatives?|ultimatums?|overtures?)\b",
            "120"),
    # 124 refuse to yield: what a side says it will not give up or keep doing ("would not withdraw its
    # troops", "will not lift the sanctions", "would keep the custody of the embassy", "will maintain
    # sanctions")
    Trigger("rejection", r"(?:would|will) not (?:withdraw|lift|ease|release|hand over|extradite|"
            r"accept|return|"
            r"give up|back down|yield|comply|reverse|revoke|withdraw)\b|"
            r"(?:would|will) (?:keep|maintain|retain) (?:the |its |their |his |her )?(?:custody|"
            r"control|troops|"
            r"forces|ban|embargo|sanctions|restrictions|tariffs)\b", "124"),
    # 12: a proposal or a deal opposed ("would keep opposing it in Brussels", "opposes the draft resolution")
    Trigger("rejection", r"(?:keep|keeps|kept|continue|continues|continued) (?:to )?oppos(?:e|ing)\b|"
            r"oppos(?:e|es|ed|ing) (?:the|this|that|its|their|any|an?) (?:[\w-]+ ){0,2}?(?:agreement|deal|"
            r"proposals?|plan|draft|resolution|bid|accession|initiative|treaty|request)\b", "120"),
    Trigger("rejection", r"(?:rejected|refused to|turned down|vetoed|dismissed (?:the|a|an) (?:[\w-]+ )?"
            r"(?:proposal|offer|plan|demand|request|call))", "120"),
    # 129 a veto: "cast its veto", "the negative vote of a permanent member", "the Council failed to adopt
    # a draft resolution"
    Trigger("rejection", r"(?:cast|casts|casting|used|uses|exercised|wielded) (?:its |a |their |his |her )?"
            r"veto\b|negative vote of|failed to (?:adopt|pass) (?:an?|the) (?:[\w-]+ ){0,2}?(?:draft )?"
            r"resolution", "129"),
    # 12 an entry refused: "blocked its entry into the BRICS", "vetoed Ukraine's accession"
    Trigger("rejection", r"(?:blocked|blocks|blocking|barred|opposed) (?:[\w'’-]+ ){0,2}?(?:entry|accession|"
            r"admission|membership|bid to join)\b", "120"),
    Trigger("threat", r"threaten(?:ed|s)", "130"),
    # 1313? an ultimatum given: "gave Moldova an ultimatum", "issued an ultimatum"
    Trigger("threat", r"(?:gave|issued|delivered|set) (?:[\w'’-]+ ){0,2}?an? (?:[\w-]+ )?ultimatum", "130"),
    # 130: countermeasures promised ("will take resolute and strong measures", "vowed to take forceful
    # measures")
    Trigger("threat", r"(?:will|would|to) take (?:[\w-]+ ){0,3}?(?:resolute|forceful|strong|firm|decisive|"
            r"necessary|counter)[\w-]* (?:and (?:[\w-]+ ){1,2})?(?:measures|countermeasures|steps|action)\b",
            "130"),
    Trigger("threat", r"warned of (?:[\w-]+ ){0,2}"
            r"(?:retaliation|consequences|a response|countermeasures)", "130"),
    # 130: a warning of what the other side will suffer ("warned that those who offended China would be
    # punished", "warned that Moldova would pay a heavy price")
    Trigger("threat", r"warn(?:ed|s|ing)? (?:that )?(?:[\w'’-]+ ){1,6}?(?:would|will) (?:be punished|pay\b|"
            r"face (?:consequences|retaliation|a response)|regret\b|suffer\b)", "130"),
    Trigger("protest", r"(?:protested|demonstrators|protesters) ", "140"),
    Trigger("protest", r"(?:staged|held) (?:a|an) (?:[\w-]+ )?"
            r"(?:protest|demonstration|rally|strike|sit-in)", "140"),
    # 15–20: force posture, reduce relations, coerce, assault, fight
    Trigger("force_posture", r"(?:mobili[sz]ed|deployed|massed) (?:[\w-]+ ){0,2}(?:troops|forces|units)",
            "150"),
    # "ordered troops into two breakaway regions", "sent forces to the border"
    Trigger("force_posture", r"(?:ordered|sent|dispatched|moved) (?:[\w-]+ ){0,3}?(?:troops|forces|soldiers|"
            r"units) (?:into|to)\b|ordered the deployment of", "150"),
    # "scrambled two fighter jets", "put its forces on high alert" (150, 152)
    Trigger("force_posture", r"scrambled (?:[\w-]+ ){0,2}(?:fighters?|jets?|aircraft|warplanes|interceptors|"
            r"planes)\b", "150"),
    Trigger("force_posture", r"(?:put|placed|raised) (?:[\w'’-]+ ){0,3}?(?:on|to) (?:high |full |combat |"
            r"heightened |maximum )?(?:alert|readiness)\b", "152"),
    # 150 a show of force: one side's drills around or near another ("live-fire drills in six zones around
    # Taiwan"); drills held together are 062 (above)
    Trigger("force_posture", r"(?:live-fire|war) (?:drills|exercises|games)|(?:drills|exercises|manoeuvres|"
            r"maneuvers) (?:[\w-]+ ){0,4}?(?:around|near|off|close to) (?:the )?(?-i:[A-Z])", "150"),
    # 150 a missile test, fired into the sea rather than at a target: "fired an intercontinental ballistic
    # missile into the East Sea", "test-fired a cruise missile"
    Trigger("force_posture", r"(?:fired|launched|test-fired|test-launched) (?:an? |two |three |several |"
            r"\w+ )?(?:[\w-]+ ){0,3}?(?:missiles?|rockets?)(?: [\w-]+){0,2}? "
            r"(?:into|toward|towards|off|over) (?:the )?(?:[\w-]+ )?(?:sea|waters|ocean|Sea|Ocean)\b|"
            r"test-(?:fired|launched)|"
            r"(?:missile|weapons?|nuclear) tests?\b", "150"),
    # "aircraft had flown into its air defence identification zone", "warships entered its waters"
    Trigger("force_posture", r"(?:flew|flown|flying|sailed|entered|crossed) (?:into )?(?:its|the|their|"
            r"(?-i:[A-Z])[\w'’]+) (?:[\w'’-]+ ){0,2}?(?:air defen[cs]e (?:identification )?zone|airspace|"
            r"territorial waters|median line)", "150"),
    Trigger("reduced_relations", r"(?:expel(?:led|s|ling)?|recall(?:ed|s|ing)?|withdr(?:ew|aws|awing|awn)) "
            r"(?:[\w'’-]+ ){0,4}?(?:diplomats?|ambassadors?|envoys?|high commissioners?|consuls?|"
            r"chargés? d'affaires|charg[eé]s? d’affaires|consular officials|embassy staff|"
            r"diplomatic (?:staff|personnel|corps|missions?))\b",
            "161"),
    # 16 a member suspended: "suspended from the bloc since December 2016", "suspended Russia's membership"
    Trigger("reduced_relations", r"suspended (?:from|by) (?:the|its) (?:[\w-]+ )?(?:bloc|organi[sz]ation|"
            r"alliance|union|council|commonwealth|group|community)\b|suspended (?:[\w'’-]+ ){1,2}?"
            r"(?:membership|voting rights)\b", "160"),
    # 16 a permission withdrawn: "revoked Brazil's authorisation to represent Argentina's interests"
    Trigger("reduced_relations", r"revok(?:ed|es|ing) (?:[\w'’-]+ ){0,3}?(?:authori[sz]ation|accreditation|"
            r"credentials|agr[ée]ment|exequatur|permission)\b", "160"),
    # "declared six of our diplomats persona non grata"
    Trigger("reduced_relations", r"declared (?:[\w'’.,-]+ ){1,8}?persona non grata", "161"),
    Trigger("reduced_relations", r"(?:severed|cut|broke off|suspended|downgraded) (?:[\w-]+ ){0,2}"
            r"(?:ties|relations|talks|cooperation)", "160"),
    Trigger("reduced_relations", r"closed (?:its|the|their) (?:[\w-]+ )?(?:embassy|consulate)", "161"),
    # 16: borders closed to the other side, a treaty left, a visit called off
    Trigger("reduced_relations", r"(?:decided to |voted to )?clos(?:e|ed|ing) (?:[\w'’-]+ ){0,4}?"
            r"(?:border|crossings?|border crossings?|airspace)\b", "160"),
    Trigger("reduced_relations", r"(?:border|crossings?|airspace) (?:was |were )?(?:closed|shut)\b", "160"),
    Trigger("reduced_relations", r"closure (?:was|were) (?:widened|extended)", "160"),
    Trigger("reduced_relations", r"withdr(?:ew|aws|awn) (?:[\w.-]+ ){0,3}?from (?:the|an?|its) "
            r"(?:[\w-]+ ){0,2}"
            r"(?:deal|agreement|treaty|accords?|pact)", "160"),
    Trigger("reduced_relations", r"(?:visit|trip|talks|summit|meeting)(?: (?:to|with|in) [\w'’-]+)? "
            r"(?:was|were|had been|has been) "
            r"(?:postponed|cancell?ed|called off)", "160"),
    Trigger("reduced_relations", r"(?:postponed|cancell?ed|called off) (?:[\w-]+ ){0,2}(?:visit|trip|talks|"
            r"summit|meeting)", "160"),
    Trigger("sanction", r"(?:imposed|reimposed|re-imposed|announced|introduced) (?:[\w-]+ ){0,3}sanctions",
            "163"),
    Trigger("sanction", r"(?:impos(?:e|es|ing)|reimpos(?:e|es|ing)) (?:[\w-]+ ){0,3}sanctions", "163"),
    # 163 embargo: "suspended imports of citrus fruit from Taiwan", "halted exports of sand to the island"
    Trigger("sanction", r"(?:suspended|halted|banned|stopped|blocked|barred|(?:would|will|to) "
            r"(?:suspend|halt|ban|stop|block|bar)) (?:all |some )?"
            r"(?:imports|exports)\b",
            "163"),
    Trigger("sanction", r"boycott(?:ed|s|ing)?(?= (?:the |an? |its |their )?(?:[\w-]+ ){0,2}?(?:workshop|"
            r"conference|summit|talks|meeting|games|olympics|election|vote|ceremony)\b| (?-i:[A-Z]))", "163"),
    Trigger("sanction", r"(?:imposed|introduced) (?:an? )?(?:[\w-]+ )?"
            r"(?:embargo|import ban|export ban)", "163"),
    Trigger("sanction", r"(?:blacklisted|froze (?:the )?(?:[\w-]+ )?assets)", "163"),
    # 163 an embargo on carriers or goods: "banned Belarusian airlines from its airspace", "banned imports"
    Trigger("sanction", r"banned (?:[\w'’-]+ ){0,3}?(?:airlines?|carriers|flights|planes|ships|vessels|"
            r"imports|"
            r"exports|goods)\b", "163"),
    # a verb with its object ("detained two activists"), not an adjective ("three detained fishermen")
    Trigger("coercion", r"(?:arrested|detained|jailed|seized)(?= (?:a|an|the|two|three|four|five|several|"
            r"dozens|hundreds|his|her|their|its|\d+|" + _PROPER + r"))", "173"),
    # "was arrested in March and convicted of espionage in July"
    Trigger("coercion", r"(?:(?:was|were) (?:later )?(?:arrested|detained|jailed)|convicted of|sentenced to)",
            "173"),
    Trigger("coercion", r"(?:(?:was|were) (?:later )?)?(?:taken|sent|returned) (?:back )?to (?:prison|jail)",
            "173"),
    Trigger("coercion", r"(?:sentenced|deported)(?= (?:a|an|the|two|three|four|five|several|"
            r"his|her|their|\d+|" + _PROPER + r"))", "173"),
    Trigger("assault", r"(?:abducted|kidnapped|assassinated|tortured)", "181"),
    # 186 a killing outside battle: "shot dead in Surrey", "gunned down outside a temple"
    Trigger("assault", r"(?:shot dead|gunned down|stabbed to death|killed by (?:gunmen|assailants))", "186"),
    Trigger("use_of_force", r"(?:invasion|invaded|invade|shelled|bombed|attacked|airstrikes?|offensive)",
            "190"),
    Trigger("use_of_force", r"(?:fired|launched) (?:[\w-]+ ){0,2}(?:missiles|rockets|shells|drones|strikes?)",
            "190"),
    Trigger("use_of_force", r"(?:shot down|clashed with)", "190"),
    # "when fighting resumed on the southern edge of Tigray", "clashes erupted on the border"
    Trigger("use_of_force", r"(?:fighting|hostilities|clashes|war|shelling) (?:had )?(?:resumed|broke out|"
            r"erupted|flared|began)\b", "190"),
    # 195 employ aerial weapons: "an American drone killed the general"
    Trigger("use_of_force", r"(?:drones?|missiles?|air ?strikes?|rockets?)(?: strikes?)? killed", "195"),
    # "the strike, carried out on Sunday morning, had killed Zawahiri": the strike and what it killed,
    # an aside between them
    Trigger("use_of_force", r"(?:drone|air|missile) ?strikes?(?: [\w'’-]+){0,3}?(?:, [^,.;]{1,60},)? "
            r"(?:had )?killed"
            r"|(?<=the )strikes?, [^,.;]{1,60}, (?:had )?killed", "195"),
    Trigger("mass_violence", r"(?:massacred|massacre of|mass killings?|ethnic cleansing|genocide against|"
            r"used chemical weapons)", "200"),
)  # fmt: skip

# Kinds of talk: the clauses of one sentence that meet, discuss or speak describe one encounter
# or one statement, so they make one proposal. Every other kind is one proposal per clause.
TALK_KINDS = frozenset({"meeting", "statement", "report"})
SPEECH_KINDS = frozenset({"statement", "report"})
# A verb of speech followed by its content: "X said that …", "X told Reuters that …".
COMPLEMENT = re.compile(r"^[^.;]*?\b(?:that|:)\s", re.IGNORECASE)

# What a speaker said that charges another with wrongdoing (CAMEO 112, accuse): the statement that reports
# it is a criticism. Words of accusation, not of mere disagreement.
ACCUSATION = re.compile(
    r"\b(?:war criminals?|war crimes|crimes against humanity|(?:credible )?allegations? (?:of|that)|"
    # what "would be a mistake" is a warning about a choice not yet made, a statement
    r"(?<!would be )(?<!could be )(?<!will be )(?:an?|the) (?:[\w-]+ )?"
    r"(?:error|mistake|provocation|pretext)\b|"
    r"no justification|complicit|"
    r"stood alone|(?:is|was|are|were|stands|stood) isolated|unprovoked|unjustified|illegitimate|"
    r"interference in)",
    re.IGNORECASE,
)
# Modal words in what someone said: what would, will or could happen did not happen (yet).
MODAL = re.compile(r"\b(?:would|will|could|might|may|shall|should|plans? to|intends? to|is going to|"
                   r"are going to|wants? to)\b", re.IGNORECASE)  # fmt: skip
# Preceding words that negate a trigger ("without directly participating", "did not meet").
NEGATION = re.compile(r"\b(?:not|no|never|without|n't|nor)\s++(?:\w++\s++){0,2}$", re.IGNORECASE)

# --- attribution and certainty ------------------------------------------------------------
REPORTEDLY = re.compile(r"\b(?:reportedly|allegedly|purportedly|is said to|are said to|was said to)\b", re.I)
ACCORDING_TO = re.compile(r"\baccording to ([^,.;]++)", re.IGNORECASE)
CITING = re.compile(r"citing ([^,.;]++)", re.IGNORECASE)

# Case folding that keeps every character's place: ASCII letters, and the few other characters an
# IGNORECASE pattern matches to one (dotted and dotless i, the long s, the Kelvin sign).
FOLD = str.maketrans(
    {chr(c): chr(c + 32) for c in range(65, 91)}
    | {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
)


def fold(text: str) -> str:
    """`text` folded by `FOLD`: where a case-insensitive pattern of ASCII letters matches, the folded
    text holds those letters in lower case."""
    return text.lower() if text.isascii() else text.translate(FOLD)


# --- dates ----------------------------------------------------------------------------------
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}  # fmt: skip
MONTHS |= {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
           "oct": 10, "nov": 11, "dec": 12}  # fmt: skip
_MONTH = r"(?-i:(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|" \
         r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?))\.?"  # fmt: skip
_YEAR = r"(?:19|20)\d{2}"
MONTH_PATTERN, YEAR_PATTERN = _MONTH, _YEAR
# A cheap test before the date patterns: a digit, a month, a weekday or a day word.
DATE_HINT = re.compile(rf"\d|{_MONTH}|(?-i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
                       r"yesterday|today|tomorrow|tonight|last night|last year|this morning|this afternoon|"
                       r"this evening|this year|last month|this month|this week",
                       re.I)  # fmt: skip
DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? ({_MONTH})(?:,? ({_YEAR}))?\b", re.I)
MONTH_DAY = re.compile(rf"\b({_MONTH}) (\d{{1,2}})(?:st|nd|rd|th)?\b(?:,? ({_YEAR})\b)?", re.I)
MONTH_YEAR = re.compile(rf"\b({_MONTH}),? ({_YEAR})\b", re.I)
# "in March", "since June", "in late August", "mid-October", "in early-July"
MONTH_ALONE = re.compile(
    rf"\b(?:in|during|since|last|this|early|late|mid|(?:end|beginning|start|middle|turn) of)"
    rf"(?:[ -](?:early|late|mid))?[ -]({_MONTH})\b(?![ ,]*+\d)",
    re.I,
)
YEAR = re.compile(rf"(?<![\d,.:/-])\b({_YEAR})\b(?![\d/-])")
WEEKDAY = re.compile(r"\b(?:on|last) (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", re.I)
DAY_WORDS = re.compile(
    r"\b(yesterday|today|this morning|this afternoon|tonight|last night|last year)\b", re.I
)
# A time before publication that the text leaves open: the date is unknown, until publication.
VAGUE = re.compile(
    r"\b(?:previously|earlier(?! this (?:year|month)| today| in the day| that day| on that day)|recently|"
    r"last week|in recent (?:days|weeks|months|years)|in the past|formerly|once(?! again| more)|"
    r"over the years|"
    # not a time tied to the scene: "hours before the president departed", "speaking before the vote"
    r"(?<!hours )(?<!minutes )(?<!hour )before(?! (?:the|his|her|their|its) (?:[\w-]+ )?(?:vote|voting|"
    r"meeting|talks|summit|session|signing|ceremony|speech|press conference|trip|visit|departure|"
    r"debate)\b))\b",
    re.IGNORECASE,
)
SINCE = re.compile(r"\b(?:ever )?since\b(?!\s++(?:\d|" + _MONTH + r"))", re.IGNORECASE)
PERFECT = re.compile(
    r"\b(?:has|have)\s++(?:\w+ly\s++|still\s++|also\s++|not\s++)*(?:been|\w+(?:ed|en|wn|ne|lt|ght|id|de|ung))\b",
    re.IGNORECASE,
)
# A sentence that opens by referring back to the scene the text has set: it shares its date and place.
ANAPHORA = re.compile(
    r"^\W*+(?:in return|in exchange|in turn|at the same time|meanwhile),"
    r"|^\W*+(?:(?:during|at|after) (?:their|the|his|her) \w+,?\s++)?(?:the (?:meeting|visit|talks|encounter|"
    r"exchange|swap|handover|summit|call|conversation|trip|tour|ceremony|"
    r"delegations?|two (?:officials|leaders|sides|men|women)|"
    r"\w+ (?:leader|president|envoy|minister|side|guest|"
    r"host))|he|she|they|both)\b|^[^\w“\"]*+[“\"][^”\"]++[”\"],? (?:he|she|they|the \w+ (?:leader|president|"
    r"minister|envoy|side|official)) "
    r"(?:said|stated|added|noted|wrote|stressed|insisted|told|remarked|declared)",
    re.IGNORECASE,
)

# --- places ---------------------------------------------------------------------------------
# The words before a place name: "in Minsk", "visited Belarus", "arrived from Moscow".
LOCATIVE = re.compile(
    r"\b(?P<prep>in|at|to|into|from|near|outside|inside|across|visit(?:ed|s|ing)?|with)\s++(?:the\s++)?"
    r"(?P<name>(?-i:[A-Z][\w’'.-]*+)(?:\s++(?:(?:of|de|del|la|on|upon|am|-)\s*+)?(?-i:[A-Z][\w’'.-]*+))*)",
    re.IGNORECASE,
)
TERRITORY = re.compile(r"\b(?P<prep>from|on|in|across|over)\s++(?P<name>(?-i:[A-Z]\w++))\s++"
                       r"(?:territory|soil)\b",
                       re.IGNORECASE)  # fmt: skip
THERE = re.compile(r"\b(?:there|the country)\b", re.IGNORECASE)
ORIGIN_KINDS = frozenset({"visit", "meeting", "use_of_force", "assault", "force_posture"})

# --- people ---------------------------------------------------------------------------------
# A role title before a name: "Foreign Minister Vladimir Makei", "US envoy John Smith"; up to four
# qualifiers before it ("Acting Deputy Prime Minister").
TITLE = (
    r"(?:Special |Deputy |Vice |Acting |Chief |Prime |Foreign |Defen[cs]e |Interior |Finance |Senior |"
    r"Top ){0,4}+"
    r"(?:[Ee]nvoy|[Aa]mbassador|President|Minister(?: of (?-i:[A-Z]\w+)(?: (?-i:[A-Z]\w+))?)?|minister|"
    r"Secretary of State|Secretary of Defen[cs]e|Secretary|Chancellor|[Ss]pokes(?:man|woman|person)|General|"
    r"Senator|Governor|Mayor|King|Queen|Chairman|Chairwoman|[Ll]eader|[Aa]dviser|[Aa]dvisor|Commander)"
    r"(?: (?:for|to) (?-i:[A-Z]\w+))?"
)
# A cheap test before the titled-name pattern: does the sentence hold a title word at all?
TITLE_WORD = re.compile(
    r"[Ee]nvoy|[Aa]mbassador|President|Minister|minister|Secretary|Chancellor|[Ss]pokes|General|Senator|"
    r"Governor|Mayor|King|Queen|Chair|[Ll]eader|[Aa]dvis|Commander"
)
NAME = r"(?-i:[A-Z][a-z]++(?:-[A-Z][a-z]++)?(?: [A-Z][a-z]++(?:-[A-Z][a-z]++)?){1,2})"
# The prefix ("Belarusian", "US") starts a word: a long capitalised word is not re-read from each letter.
TITLED = re.compile(rf"(?:(?<![\w.])(?P<prefix>(?-i:[A-Z][\w.]++)) )?(?P<title>{TITLE}) (?P<name>{NAME})\b")

# Adjectives of nationality that are not the country name plus -n, -an or -ian.
DEMONYMS = {
    "American": "USA", "US": "USA", "U.S.": "USA", "British": "GBR", "UK": "GBR", "French": "FRA",
    "German": "DEU", "Chinese": "CHN", "Japanese": "JPN", "Dutch": "NLD", "Swiss": "CHE", "Polish": "POL",
    "Turkish": "TUR", "Spanish": "ESP", "Swedish": "SWE", "Danish": "DNK", "Finnish": "FIN", "Irish": "IRL",
    "Israeli": "ISR", "Iraqi": "IRQ", "Pakistani": "PAK", "Qatari": "QAT", "Saudi": "SAU", "Emirati": "ARE",
    "Kuwaiti": "KWT", "Yemeni": "YEM", "Bangladeshi": "BGD", "Greek": "GRC", "Belarusian": "BLR",
    "Belarussian": "BLR", "Lithuanian": "LTU", "Latvian": "LVA", "Estonian": "EST", "Russian": "RUS",
    "Ukrainian": "UKR", "Kazakh": "KAZ", "Uzbek": "UZB", "Hungarian": "HUN", "Czech": "CZE", "Slovak": "SVK",
    "Norwegian": "NOR", "Belgian": "BEL", "Portuguese": "PRT", "Vietnamese": "VNM", "Thai": "THA",
    "Filipino": "PHL", "Korean": "KOR", "North Korean": "PRK", "South Korean": "KOR", "Iranian": "IRN",
    "Syrian": "SYR", "Egyptian": "EGY", "Indian": "IND", "Canadian": "CAN", "Mexican": "MEX",
    "Brazilian": "BRA", "Italian": "ITA", "Georgian": "GEO", "Armenian": "ARM", "Azerbaijani": "AZE",
    "Moldovan": "MDA", "Romanian": "ROU", "Bulgarian": "BGR", "Serbian": "SRB", "Croatian": "HRV",
}  # fmt: skip
# The role a kind gives the actor that opens its clause, and the one after "told".
SUBJECT_ROLE = {"visit": "visitor", "statement": "speaker", "report": "publisher", "mediation": "mediator",
                "meeting": "participant"}  # fmt: skip
