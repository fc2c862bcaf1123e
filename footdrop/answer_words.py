"""The words the symptom check's free-text answers are read by (footdrop/answers.py): the word
sets, the matcher patterns of each kind of answer (side, onset, what came before, yes/no, the
course, negation and other context cues), the typo targets, abbreviations and contractions.
Plain data; imports nothing from Rasa. Change a pattern here and run tests/unit/test_answers.py.
"""

from __future__ import annotations

import re
from typing import Dict, List

# ----------------------------------------------------------------------------------------
# Word sets used by the patterns (``$NAME`` in a pattern) and by the scope logic.
# ----------------------------------------------------------------------------------------

SETS: Dict[str, List[str]] = {
    "POSS": ["my", "his", "her", "their", "the", "your", "our", "its", "this", "that", "a", "an"],
    "PERS": ["my", "his", "her", "their", "our"],
    "REFL": ["myself", "himself", "herself", "themselves", "yourself", "ourselves"],
    "CANT": ["can", "could", "will", "would", "cannot"],
    "UNABLE": ["unable", "struggle", "struggling", "struggled", "struggles", "hard", "difficult"],
    "LIFTV": [
        "lift", "raise", "move", "use", "grip", "hold", "lifting", "raising", "moving", "using",
        "gripping", "holding", "control", "controlling",
    ],
    "PROV": [
        "doctor", "doctors", "doc", "gp", "physio", "physios", "physiotherapist",
        "physiotherapists",
        "therapist", "pt", "neurologist", "neuro", "specialist", "consultant", "surgeon",
        "orthopaedic", "orthopedic", "orthopaedics", "orthopedics", "ortho", "nurse", "hospital",
        "a&e", "er", "emergency", "clinic", "podiatrist", "chiropractor", "osteopath", "someone",
        "somebody", "anyone", "anybody", "professional", "medic", "medics", "clinician",
        "paramedic", "paramedics", "ambulance", "orthotist", "neurosurgeon", "rheumatologist",
    ],
    "TEST": [
        "mri", "ct", "scan", "scans", "xray", "x", "emg", "nerve", "blood", "ultrasound", "tests",
        "test", "ncs",
    ],
    "INTENSE": [
        "very", "really", "so", "extremely", "incredibly", "super", "terribly", "unbearably",
        "severely", "severe", "excruciating", "excruciatingly", "agony", "agonising", "agonizing",
        "unbearable", "worst", "intense", "horrendous", "horrific", "crippling", "screaming",
        "awful", "terrible", "insane", "insanely",
    ],
    "LOWER_BODY": [
        "leg", "legs", "body", "thigh", "thighs", "knee", "knees", "hip", "hips", "waist", "arm",
        "arms", "chest", "calf", "calves", "trunk", "shin", "shins", "back", "stomach", "belly",
        "tummy", "hands", "hand",
    ],
    "MOVEV": [
        "moving", "moved", "moves", "move", "creeping", "crept", "creeps", "creep", "going", "gone",
        "went", "goes", "travelling", "traveling", "travelled", "traveled", "travels", "climbing",
        "climbed", "climbs", "rising", "rose", "risen", "working", "worked", "coming", "came",
        "spread", "spreading", "spreads", "progressing", "progressed", "extending", "extended",
    ],
}

# Words that make a person the subject of a description ("my", "her", "my mum's").
ANCHORS = {
    "i", "me", "my", "mine", "myself", "we", "us", "our", "he", "him", "his", "himself", "she",
    "her", "hers", "herself", "their", "themselves", "mum", "mom", "mother", "dad",
    "father", "husband", "wife", "partner", "son", "daughter", "brother", "sister", "grandma",
    "grandmother", "grandad", "granddad", "grandfather", "grandpa", "nan", "nana", "gran", "friend",
    "boyfriend", "girlfriend", "child", "baby", "aunt", "auntie", "uncle", "neighbour", "neighbor",
}
# Words that make a clause about people in general ("face drooping is a sign of stroke").
GENERIC = {
    "cause", "causes", "causing", "symptom", "symptoms", "sign", "signs", "people", "someone",
    "somebody", "anyone", "anybody", "person", "patients", "you", "your", "condition",
    "conditions", "disease", "diseases", "typically", "usually", "common", "commonly",
}
# Where a question starts is footdrop/questions.py's decision (the project's one question
# test); here: wh-words anywhere in a sentence start a general question's scope too ("I wonder
# why my foot ..."), and verbs after which a question is about consequences in general.
WH = {"what", "whats", "why", "how", "which", "whether"}
CAUSAL = {
    "cause", "causes", "caused", "causing", "make", "makes", "lead", "leads", "result", "results",
    "mean", "means", "give", "gives", "trigger", "triggers", "indicate", "indicates",
}
LANGUAGES = {
    "english", "spanish", "french", "german", "welsh", "italian", "polish", "arabic", "urdu",
    "punjabi", "hindi", "chinese", "mandarin", "cantonese", "portuguese", "russian", "gaelic",
    "irish", "dutch", "turkish", "japanese", "korean", "greek", "romanian", "bengali", "tamil",
    "the", "a", "another", "any", "other", "languages", "language",
}
MODALS = {"can", "could", "will", "would", "might", "may", "shall", "should"}
MODALS_DO = {"can", "could", "should", "do", "would", "may"}
BASE_VERBS = {
    "move", "spread", "go", "get", "become", "turn", "affect", "happen", "cause", "make", "lead",
    "drop", "droop", "swell", "lose", "stop", "start", "come", "end", "collapse", "fall", "be",
    "reach", "travel", "climb", "creep", "give", "leave",
}
PAIN_TREATMENT = {
    "meds", "medication", "medications", "medicine", "medicines", "pills", "killers", "killer",
    "relief", "tablets", "management", "clinic", "relievers", "reliever", "patches", "gel",
}
SAME_NOT_STABLE = {
    "thing", "things", "as", "way", "time", "one", "person", "day", "size", "side", "foot", "leg",
    "problem", "issue", "condition", "nerve", "age", "again",
}
REQUEST_VERBS = {"tell", "help", "show", "give", "explain", "let", "send", "remind", "advise"}
INTERJECTIONS = {
    "hi", "hello", "hey", "so", "ok", "okay", "um", "umm", "erm", "well", "and", "but", "also",
    "please", "sorry", "quick", "question", "oh", "doctor", "doc", "then",
}
# Where a negation / uncertainty cue's scope ends.
TERMINATORS = {
    "but", "however", "although", "though", "yet", "except", "apart", "aside", "whereas", "while",
    "still", "just", "only", "which", "who", "because", "cos", "so", "then", "until", "unless",
    "instead", "otherwise", "plus",
}
PUNCT_TERMINATORS = {",", ";", ":", "(", ")", "-", "--", "—", "–", "/"}
SENT_END = {".", "!", "?", "…", "...", "\n"}
# A new subject after "and"/"," starts a new clause for cue scopes.
SUBJECTS = ANCHORS | {"it", "its", "this", "that", "there", "the", "now", "your", "you"}
# Clause splits for tying a symptom to a body location.
HARD_SPLIT = {
    ";", ":", "but", "however", "although", "though", "whereas", "while", "except", "because",
    "cos", "so", "unless", "yet",
}
SOFT_SPLIT = {",", "and", "&", "plus"}
VERBISH = {
    "is", "are", "was", "were", "am", "be", "been", "being", "has", "have", "had", "do", "does",
    "did", "can", "could", "will", "would", "should", "may", "might", "must", "feel", "feels",
    "felt", "look", "looks", "looked", "seem", "seems", "seemed", "went", "go", "goes", "gone",
    "get", "gets", "got", "became", "become", "becomes", "started", "starts", "start", "began",
    "begin", "keeps", "keep", "kept", "hurts", "hurt", "tingle", "tingles", "drags", "drag",
    "droops", "droop", "slurs", "swells", "gave", "give", "gives", "came", "come", "comes", "made",
    "make", "makes", "fell", "fall", "falls", "tripped", "trips", "walk", "walks", "lift", "lifts",
    "move", "moves", "spread", "spreads", "turn", "turns", "wet", "lost", "lose", "happened",
    "happens", "noticed", "notice", "think", "thinks", "say", "says", "said", "see", "saw",
    "seen", "woke", "wake", "stopped", "stop", "sounds", "sound", "aches", "ache", "swelled",
}
CONJ_GROUP = {
    "and", "or", ",", "&", "/", "my", "his", "her", "their", "the", "left", "right", "both",
    "also", "even", "then", "now", "in", "of", "too", "sides", "side",
}
PRON_POSS = {"my", "his", "her", "their", "the", "your", "our"}

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "couple": 2, "few": 3,
    "several": 4, "many": 6, "some": 3, "half": 0.5, "dozen": 12,
}
UNIT_DAYS = {
    "second": 1 / 86400, "seconds": 1 / 86400, "sec": 1 / 86400, "secs": 1 / 86400,
    "minute": 1 / 1440, "minutes": 1 / 1440, "min": 1 / 1440, "mins": 1 / 1440,
    "hour": 1 / 24, "hours": 1 / 24, "hr": 1 / 24, "hrs": 1 / 24,
    "day": 1, "days": 1, "week": 7, "weeks": 7, "wk": 7, "wks": 7, "fortnight": 14,
    "fortnights": 14, "month": 30, "months": 30, "mth": 30, "mths": 30,
    "year": 365, "years": 365, "yr": 365, "yrs": 365,
}
# A bare plural ("for weeks") counts as about this many units.
PLURAL_DEFAULT = 3
SUDDEN_MAX_DAYS = 1.5
DAYS_WEEKS_MAX_DAYS = 45
MAX_CHARS = 3000  # a chat message; longer text is cut
NEG_MAX_SCOPE = 10
NEG_POST_MAX_SCOPE = 8

# ----------------------------------------------------------------------------------------
# Matcher patterns. A pattern is a string of token specs:
#   word | word|other  -> LOWER (after normalisation), ~word -> LEMMA, $SET -> LOWER in SETS,
#   a trailing ? makes the token optional, _ is any token.
# Families are filtered separately (longest match wins inside a family).
# ----------------------------------------------------------------------------------------

PATTERNS: Dict[str, Dict[str, List[str]]] = {
    "LOC": {
        "LOC_ARM": ["~arm", "~hand", "forearm|forearms|wrist|wrists|elbow|elbows"],
        "LOC_FACE": [
            "face|faces", "side of $POSS? face", "mouth", "smile", "lip|lips", "cheek|cheeks",
            "eyelid|eyelids", "half of $POSS? face",
        ],
        "LOC_SADDLE": [
            "between $POSS? legs|thighs", "groin", "saddle", "saddle area|region",
            "genitals|genital|crotch|perineum|anus|privates|vagina|penis",
            "private parts|area", "down below", "down there", "back passage", "inner thighs",
            "$PERS bottom|bum|backside", "buttocks",
        ],
        "LOC_SHIN": [
            "~shin", "shinbone|shinbones|tibia", "shin bone|bones", "lower leg|legs",
            "front of $POSS? lower? leg|legs|shin|shins", "anterior compartment",
        ],
        "LOC_FOOT": ["~foot|toe|ankle|heel|sole|instep", "big toe", "feet"],
        "LOC_LEG": ["~leg|thigh|calf|knee|hip", "calves"],
        "LOC_BOTH": [
            "both of? $POSS? ~foot|leg|ankle|side|knee|shin", "both of? $POSS? feet|legs|sides",
            "each|either ~foot|leg|side", "left and right", "right and left",
        ],
        "LOC_LEGS_PL": ["$PERS feet|legs|ankles", "$PERS lower? legs", "the feet|legs"],
        "LOC_BACK": [
            "$PERS lower|low|upper? back", "the lower|low|upper? back", "lower|low back",
            "bad|sore back", "backache|backpain|spine|spinal|lumbar|sciatic",
            "back pain|ache|aches|problem|problems",
        ],
        "LOC_HEAD": ["head", "forehead"],
        "LOC_OTHER": [
            "chest|stomach|tummy|belly|abdomen|neck|shoulder|shoulders|tooth|teeth|eye|eyes|ear|"
            "ears|throat"
        ],
        "LOC_BLADDER": [
            "bladder|bowel|bowels|urine|urinating|urination|pee|peeing|wee|weeing|toilet|"
            "continence|poo|pooing|poop|stool|stools|waterworks|peed|weed|urinated",
        ],
        "LOC_SPEECH": ["speech|speaking|talking|speak|talk|words|voice|sentences"],
    },
    "SX": {
        "SX_WEAK": [
            "~weak", "weakness|weakened|weakening|weaker", "heavy|heaviness|floppy|dead",
            "paralysed|paralyzed|paralysis", "no|little|any strength", "lost $POSS? strength",
            "loss of strength", "~give way|out", "buckled|buckling|buckles|buckle",
            "$CANT not $LIFTV", "cannot $LIFTV", "unable to $LIFTV", "not able to $LIFTV",
            "$UNABLE to $LIFTV", "trouble|difficulty $LIFTV", "can barely $LIFTV",
            "stopped|stop|stops working", "not working", "will not work", "useless",
            "went|gone|goes|going dead|limp|floppy",
        ],
        "SX_NUMB": [
            "numb|numbness|numbed|tingly", "~tingle", "pins and|& needles",
            "$CANT not feel", "cannot feel", "unable to feel", "not able to feel",
            "no|lost|lose|losing|reduced|less|without $POSS? feeling|sensation",
            "loss of $POSS? feeling|sensation", "lack of $POSS? feeling|sensation",
            "dead feeling", "can barely feel",
        ],
        "SX_DROOP": [
            "~droop", "droopy|drooping|drooped|droops|drooping",
            "lopsided|sagging|saggy|sagged|crooked|uneven|dropped|fallen|slumped|slumping",
        ],
        "SX_SPEECH": [
            "~slur", "slurred|slurring|slurry|slurs",
            "$CANT not speak|talk", "cannot speak|talk", "unable to speak|talk",
            "not able to speak|talk", "$UNABLE to speak|talk",
            "$CANT not get $POSS? words out", "cannot get $POSS? words out",
            "$CANT not find $PERS? words", "cannot find $PERS? words",
            "words will|would|are? not come|coming out", "talking|speaking gibberish|nonsense",
            "not making sense", "~word come|coming|came out wrong|funny|jumbled|muddled|weird",
            "trouble|difficulty|problems|struggling|struggle getting $POSS? words out",
            "trouble|difficulty|problems|struggling|struggle finding $POSS? right? words",
            "$CANT not find $POSS? right words",
            "tripping|stumbling|tripped|stumbled over $PERS words",
            "saying|using|said the wrong words", "mixing|mixed up $PERS words",
        ],
        "SX_ABN": [
            "garbled|jumbled|muddled|mumbled|mumbling|strange|weird|funny|odd|wrong|off|confused|"
            "gibberish|nonsense|strangely|weirdly|oddly",
            "not right",
        ],
        "SX_PROBLEM": [
            "problem|problems|issue|issues|trouble|troubles|difficulty|difficulties|struggle|"
            "struggling|struggles|accident|accidents|leak|leaks|leaking|leakage|changes|change|"
            "retention",
            "lost|lose|losing|no control", "loss|out of control", "not in control",
            "lost|loss of $POSS? control",
            "$CANT not control|hold|empty", "cannot control|hold|empty",
            "unable to control|hold|empty", "not able to control|hold|empty",
            "difficulty|trouble controlling|holding|emptying",
        ],
        "SX_PAIN": [
            "~pain|hurt|ache",
            "painful|pains|aching|sore|soreness|agony|burning|shooting|stabbing|throbbing",
            "killing me",
        ],
        "SX_SWELL": [
            "~swell", "swollen|swelling|swelled|puffy|bloated|bulging", "rock hard",
            "hard as a rock",
        ],
        # tight, tense or hard on their own can be a sore muscle after running; they count
        # for the shin together with swelling or very bad pain
        "SX_TIGHT": ["tense|tight|tightness|shiny|rigid|hard|firm"],
        "SX_BLADDER": [
            "incontinent|incontinence",
            "wet|wetting|peed|peeing|weed|weeing|pooed|pooing|pooped|soiled|soiling|pissed|"
            "pissing $REFL",
            "wet|wetting|peed|weed|soiled the bed",
            "wet|wetting|soiled $PERS pants|trousers|knickers|underwear",
            "$CANT not pee|wee|urinate|poo", "$CANT not pass urine|water|stool",
            "$CANT not go to the toilet", "$CANT not empty $POSS? bladder|bowels",
            "cannot pee|wee|urinate|poo", "unable to pee|wee|urinate|poo|pass urine",
            "not able to pee|wee|urinate|poo", "$UNABLE to pee|wee|urinate",
            "urinary|faecal|fecal|bowel|bladder incontinence|retention",
            "leaking urine|pee|wee", "not peed|weed|urinated",
            "not been able to pee|wee|urinate",
            "$CANT not hold|control|empty $POSS? wee|pee|bladder|bowels|bowel|urine|poo|water",
            "cannot hold|control|empty $POSS? wee|pee|bladder|bowels|bowel|urine|poo|water",
            "unable to hold|control|empty $POSS? wee|pee|bladder|bowels|bowel|urine|poo|water",
            "not able to hold|control|empty $POSS? wee|pee|bladder|bowels|bowel|urine|poo|water",
        ],
        "SX_SADDLE": ["saddle numbness|anaesthesia|anesthesia|anaesthetic"],
        "SX_SPREAD": [
            "~spread", "$MOVEV up|into|through $POSS? $LOWER_BODY",
            "$MOVEV up to $POSS? $LOWER_BODY",
            "$MOVEV into|to $POSS? other ~leg|foot|side",
            "now in|affecting|into $POSS? other ~leg|foot|side",
            "now in|affecting $POSS? arms|hands|thighs|hips|body",
            "other ~leg|foot|side is? too|also|now", "other ~leg|foot|side as well",
            "other ~leg|foot|side is|feels|has|seems|looks|went|got|gone|getting|started|"
            "now? going|getting|been|feeling? weak|weaker|numb|heavy|floppy|dragging|tingling|"
            "tingly|affected|dropping",
            "now both ~leg|foot|side", "both ~leg|foot|side now", "now in both",
            "getting higher", "higher up", "up $POSS? body",
            "moving|creeping|spreading|travelling|traveling|climbing|rising|spread up",
        ],
        "SX_CANTWALK": [
            "$CANT not walk|stand", "cannot walk|stand", "unable to walk|stand",
            "not able to walk|stand", "$CANT not get up", "can barely walk|stand",
        ],
        "SX_DRAG": ["~drag|scuff", "foot drop|footdrop|dropfoot", "drop foot", "dropped foot"],
    },
    "MOD": {
        "MOD_INTENSE": [
            "$INTENSE", "like crazy|hell|mad|anything", "killing me", "a lot", "too much",
            "really bad", "so bad", "very bad", "the worst",
        ],
    },
    "CUE": {
        "NEG_PRE": [
            "no|not|never|without|nor|neither|none|nothing|nobody|noone|nowhere|denies|deny|"
            "denied|denying|negative",
            "no one", "no sign|signs|evidence|trace|hint of?", "absence of", "free of",
            "no longer", "not any", "not got", "ruled out", "rule out",
        ],
        "NEG_POST": [
            "fine|ok|okay|normal|alright|unaffected|free|absent", "all right",
            "not affected", "no problem|problems", "perfectly fine|normal|ok",
            "went away", "gone away", "has|have|is|are gone", "disappeared", "resolved",
            "cleared up",
            "stopped", "has|have stopped", "eased off", "settled down",
            "is|are|was|were|seems|seem|looks|look|feels|feel good",
        ],
        "PSEUDO": [
            "not only|just|necessarily|until", "no doubt", "no matter", "no further",
            "nothing else", "not long", "not long ago", "no more than", "not much",
        ],
        "UNCERTAIN": [
            "not sure|certain", "not really sure", "unsure", "do not know|remember|recall",
            "dunno", "idk", "no idea", "$CANT not remember|recall|tell|say",
            "cannot remember|recall|tell",
            "not sure if|whether", "wonder|wondering if|whether", "not know if|whether",
            "hard to say|tell", "see|check if|whether", "not that sure",
        ],
        "HYPO": [
            "if", "in case", "what if", "suppose", "supposing", "whenever", "risk of", "chance of",
        ],
        "FUTURE": [
            "going to|gonna", "will|'ll", "waiting|wait to", "waiting for", "appointment",
            "booked|booking",
            "planning|plan to", "want to", "need to", "hoping to", "should i", "might", "worried",
            "afraid", "scared", "worry", "next week|month", "tomorrow", "later",
            # not now either: the past
            "used to", "in the past", "years ago i had", "as a child|kid",
        ],
    },
    "SIDE": {
        "SIDE_LEFT": ["left|lft|lhs|l", "left hand side", "left sided"],
        "SIDE_RIGHT": ["right|rhs|r", "right hand side", "right sided"],
        "SIDE_BOTH": [
            "both|bilateral|bilaterally", "left and right", "right and left", "each side|one",
        ],
    },
    "TIME": {
        "TIME_SUDDEN": [
            "sudden|suddenly|abrupt|abruptly|instantly|immediately|overnight|instantaneously",
            "all of a sudden", "out of nowhere", "out of the blue", "over night", "all at once",
            "in an instant", "in seconds", "within seconds|minutes|hours",
            "within a? few|an|one|two|three|couple|several hours|hour|minutes",
            "straight away", "~wake up", "woke|awoke|waking|woken", "on waking", "just now",
            "just happened", "came on quickly|fast|rapidly", "very quickly", "really quickly",
        ],
        "TIME_QUICK": ["quickly|rapidly|fast|quick|instant|instantly"],
        "TIME_POINT": [
            "this|yesterday morning|afternoon|evening|lunchtime", "today|tonight|yesterday",
            "last night", "earlier today", "earlier on",
        ],
        "TIME_POINT_DAYS": [
            "day before yesterday", "the other day",
            "monday|tuesday|wednesday|thursday|friday|saturday|sunday",
            "the|last|this weekend", "weekend", "a while back",
        ],
        "TIME_RECENT": ["recently|lately", "not long ago"],
        "TIME_SEASON": ["last summer|winter|spring|autumn"],
        "TIME_UNIT": [
            "second|seconds|sec|secs|minute|minutes|min|mins|hour|hours|hr|hrs|day|days|week|"
            "weeks|wk|wks|fortnight|fortnights|month|months|mth|mths|year|years|yr|yrs"
        ],
        "TIME_GRADUAL": [
            "gradual|gradually|progressively|steadily|insidious|insidiously|slowly|slow",
            "bit by bit", "little by little", "over time", "with time", "over the years",
            "over the months", "~creep", "creeping up|in", "crept up|in", "for ages", "ages ago",
            "a long time", "long time", "long while",
            "since i was $POSS? child|kid|young|little|teenager|baby|born",
            "since childhood|birth", "always had|been", "for years", "many years",
        ],
    },
    "PRE": {
        "PRE_FALL": [
            "fell|fallen", "a|the|my|his|her|bad|nasty|big fall", "~fall off|down|over",
            "tripped|slipped|tumbled", "took|had a tumble",
            "came|come|fell off $POSS? bike|horse|ladder|motorbike|bicycle|chair|stairs|roof",
            "down the stairs",
        ],
        "PRE_INJURY": [
            "~injury|injure", "injured|injuries",
            "car|road|traffic|motorbike|bike|cycling|sports|work|skiing|football|rugby accident|"
            "crash",
            "accident at work", "in an accident", "an accident",
            "broke|broken|fractured|fracture|fractures|sprained|sprain|twisted|rolled|"
            "dislocated $POSS? ~leg|ankle|foot|shin|hip|fibula|tibia|knee|kneecap",
            # a twisted or dislocated knee is an injury (triage U3), not a "knee problem"
            "hurt|injured|twisted|dislocated|sprained|wrecked|banged|damaged $PERS knee|kneecap",
            "dislocated knee|kneecap", "knee dislocation|injury|sprain", "kneecap popped|came out",
            "$PERS knee popped|went out", "torn|tore $POSS? acl|ligament|ligaments|meniscus|cartilage",
            "acl|ligament|meniscus|cartilage tear|injury|damage",
            "broken|fractured ~leg|ankle|foot|shin|fibula|tibia",
            "hurt|injured|bashed|banged|hit|kicked|knocked|crushed|cut $POSS ~leg|ankle|foot|shin",
            "kicked|hit|struck in $POSS? ~leg|shin", "a blow|knock to $POSS? ~leg|shin|knee",
            "trauma|whiplash|crash|crashed", "went over on $POSS? ankle",
            "hit|knocked by $POSS? car|bike|vehicle|van|truck|lorry|bus|motorbike|cyclist",
            "knocked|run over|down by? $POSS? car|bike|vehicle|van|truck|lorry|bus|motorbike|"
            "cyclist",
        ],
        "PRE_KNEEBACK": [
            "slipped|herniated|bulging|prolapsed|ruptured|protruding|trapped|degenerated disc|"
            "disk|discs|disks",
            "disc|disk problem|problems|issue|issues|herniation|prolapse|bulge|injury|protrusion",
            "sciatica", "trapped|pinched nerve", "bad|sore|dodgy back",
            "$PERS back is|was|has|had? been? bad|sore|dodgy|weak|playing",
            "back problem|problems|issue|issues|injury|trouble",
            "$PERS back went|gave", "put|threw|did $PERS back out|in",
            "hurt|injured|twisted|strained|pulled|damaged $PERS back",
            "stenosis|spondylosis|spondylolisthesis|lumbago|radiculopathy",
            "arthritis in $POSS? back|knee|knees|spine",
            "knee problem|problems|issue|issues|trouble|pain",
            "bad|dodgy|sore knee|knees", "l4|l5|s1",
            "back|knee|hip pain",
        ],
        "PRE_SURGERY": [
            "surgery|operation|operations|op|operated|procedure|keyhole|arthroscopy|laminectomy|"
            "discectomy|microdiscectomy|caesarean|hysterectomy",
            "~have $PERS hip|knee|back|spine done", "hip|knee replacement",
            "hip|knee|hips|knees|back|spine replaced|resurfaced|fused|operated|pinned|plated",
            "replacement", "post op", "c section", "spinal fusion",
            "under anaesthetic|anesthetic|general",
        ],
        "PRE_NONE": [
            "nothing", "nothing happened|really|special", "nothing at all",
            "nothing that i know of?", "nothing i can think of", "nothing i know of",
            "not that i know of?", "not that i am aware of?", "not that i can think of",
            "not that i can remember|recall", "not that i remember|recall",
            "no reason", "for no reason", "no apparent|obvious reason|cause",
            "out of nowhere", "out of the blue", "on its own", "by itself", "just happened",
            "just started", "none",
        ],
    },
    "SEEN": {
        "SEEN_POS": [
            "seen|saw|see|seeing|visited|visiting|consulted|consulting|contacted|rang|phoned|"
            "called|spoke|spoken|talked|asked|told $POSS? $PROV",
            "spoke|spoken|talked to|with $POSS? $PROV",
            "been|went|gone|go|goes|attended|attending to? $POSS? $PROV",
            "been|went|gone|go|goes|attended|attending to? $POSS? physio|physiotherapy|therapy|"
            "rehab",
            "$PROV has|have|had? checked|examined|seen|assessed|diagnosed|said|says|told|thinks|"
            "thought|referred|sent|prescribed|gave|given|recommended|suggested|confirmed|tested|"
            "scanned|measured|looked|fitted|treated|reckons",
            "$PROV has|have|had? been? looking",
            "checked|examined|seen|assessed|looked at|treated|referred|diagnosed by $POSS? $PROV",
            "diagnosed", "diagnosis", "been checked|examined|assessed|tested|scanned|seen|referred",
            "had|got|get $POSS? $TEST", "had|got|get $POSS? $TEST ray|test|tests|study|conduction",
            "had|got|get it|this|them checked|examined|seen|looked", "referred",
            "physio|physiotherapy sessions|session|exercises|appointments",
            "had|having|doing|done|started|attending|getting|got physio|physiotherapy|therapy|"
            "rehab|treatment|pt",
            "been having|doing|getting physio|physiotherapy|therapy|rehab|treatment|pt",
            "my|his|her physio|physiotherapist|neurologist|consultant|specialist|surgeon|therapist",
            "under $POSS? $PROV",
        ],
        "SEEN_NEG": [
            "nobody|noone has|have|is|'s? checked|examined|seen|assessed|looked",
            "no one has|have|is|'s? checked|examined|seen|assessed|looked",
            "not seen|visited|consulted anyone|anybody", "not been seen|checked|examined",
            "never been checked|seen|examined", "not yet",
        ],
    },
    "PROG": {
        "PROG_WORSE": [
            "worse|worsening|worsened|worsen|worsens|deteriorating|deteriorated|deteriorate|"
            "declining|declined|progressing|progressed|progressive",
            "getting|got|gets|becoming|became|become|grown|growing|gone|going weaker|harder|"
            "heavier|more",
            "going downhill", "more and more", "harder and harder", "weaker and weaker",
            "worse and worse", "increasingly", "more often", "more frequent|frequently",
        ],
        "PROG_STABLE": [
            "stable|steady|unchanged|constant|consistent|settled|plateaued|stationary",
            "the same", "same", "no change|changes|difference", "no different", "no worse",
            "stayed|staying|stays|stay put", "holding steady", "levelled|leveled off",
            "not moving", "about the same", "much the same",
        ],
        "PROG_WORSE_LOOSE": ["weaker|heavier|weakening"],
        "PROG_BETTER": [
            "better|improving|improved|improvement|improves|easing|eased|recovering|recovered",
        ],
        "PROG_CHANGE": ["change|changed|changing|changes"],
    },
    "YN": {
        "YES": [
            "yes|yeah|yep|yup|ya|yah|yea|ye|y|sure|definitely|absolutely|certainly|correct|"
            "affirmative|indeed|aye|yas|true|mhm",
            "of course", "i do|have|am", "it does|has|is", "they do|have|are",
            "he|she does|has|is", "a bit", "a little", "a little bit",
            "bit|slightly|sometimes|occasionally|often|always|constantly|mostly",
            "now and then", "on and off", "kind of", "sort of", "kinda|sorta", "i think so",
            "think so",
            "probably", "a lot", "quite a bit", "uh huh", "yes please", "i did", "we have|did",
            "already", "i have already",
        ],
        "NO": [
            "no|nope|nah|naw|n|never|none|nothing|negative|nay|false",
            "not really", "not at all", "i do|have|am|did not", "it does|has|is|did not",
            "they do|have|are|did not", "he|she does|has|is|did not", "not that i know of?",
            "not that i have noticed", "not that i am aware of?", "i do not think so",
            "do not think so", "no way", "definitely|absolutely|certainly not", "of course not",
            "not yet", "not a bit", "not even a little", "none at all", "not once",
            "we have|did not",
        ],
    },
}

LOCAL_CONSUMERS = {"PROG_STABLE", "PRE_NONE"}
LABEL_FAMILY: Dict[str, str] = {
    label: family for family, labels in PATTERNS.items() for label in labels
}

# Key words whose one-letter typos are corrected ("lft" -> "left"), and short forms.
FUZZY_TARGETS = [
    "left", "right", "both", "sudden", "suddenly", "gradual", "gradually", "slowly", "overnight",
    "yesterday", "morning", "fortnight", "weeks", "months", "years", "hours", "numb", "numbness",
    "tingling", "tingly", "tingles", "weakness", "swollen", "swelling", "bladder", "bowel",
    "bowels", "worse", "worsening", "spreading", "stable", "injury", "injured", "surgery",
    "operation", "sciatica", "headache", "drooping", "droopy", "slurred", "speech", "nothing",
    "never", "doctor", "physio", "neurologist", "incontinence", "needles", "yes", "yeah", "nope",
    "definitely", "sometimes", "really", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "collapsed", "paralysed", "already", "unchanged", "face", "shin",
    "swollen", "arm", "weak",
]
ABBREVIATIONS = {
    "lt": "left", "rt": "right", "lh": "left", "rh": "right", "yrs": "years", "yr": "year",
    "wks": "weeks", "wk": "week", "mths": "months", "mnths": "months", "mos": "months",
    "mth": "month", "hrs": "hours", "hr": "hour", "mins": "minutes", "dr": "doctor",
    "u": "you", "ur": "your", "b4": "before", "bc": "because", "coz": "because",
    "cuz": "because", "tho": "though", "thru": "through", "abt": "about", "2day": "today",
    "2nite": "tonight", "tonite": "tonight", "yday": "yesterday", "yest": "yesterday",
    "pls": "please", "plz": "please", "ya": "yeah", "yh": "yeah", "nvr": "never",
    "xray": "x ray", "gp's": "gp",
    "pinsandneedles": "pins and needles", "wkend": "weekend", "tmrw": "tomorrow",
    "overnite": "overnight", "2moro": "tomorrow", "smth": "something", "sth": "something",
}
STRETCHED = [
    (re.compile(r"^y+e+s+$"), "yes"), (re.compile(r"^y+e+a+h+$"), "yeah"),
    (re.compile(r"^y+e+p+$"), "yep"), (re.compile(r"^y+u+p+$"), "yup"),
    (re.compile(r"^n+o+$"), "no"), (re.compile(r"^n+o+p+e+$"), "nope"),
    (re.compile(r"^n+a+h+$"), "nah"), (re.compile(r"^y+a+$"), "ya"),
]
CONTRACTIONS = [
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bcannot\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bain'?t\b"), "is not"),
    (re.compile(r"\bshan'?t\b"), "shall not"),
    (re.compile(
        r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need|might)n'?t\b"
    ), r"\1 not"),
    (re.compile(r"\bi'?m\b"), "i am"),
    (re.compile(r"\bi'?ve\b"), "i have"),
    (re.compile(r"\bi'll\b"), "i will"),
    (re.compile(r"\b(you|we|they)'re\b"), r"\1 are"),
    (re.compile(r"\b(you|we|they)'ve\b"), r"\1 have"),
    (re.compile(r"\b(it|that|there|what|he|she|who)'s\b"), r"\1 is"),
    (re.compile(r"\b(he|she|it|you|we|they)'ll\b"), r"\1 will"),
    (re.compile(r"\bwhats\b"), "what is"),
    (re.compile(r"\bthats\b"), "that is"),
]
EMOJI_WORDS = {
    "👍": " yes ", "✅": " yes ", "✔": " yes ", "☑": " yes ", "👌": " yes ",
    "👎": " no ", "❌": " no ", "✖": " no ", "🚫": " no ",
}


# ----------------------------------------------------------------------------------------
# Building the spaCy objects once.
# ----------------------------------------------------------------------------------------
