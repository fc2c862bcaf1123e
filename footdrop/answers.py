"""Understands patients' free-text answers to the foot drop symptom check. No Rasa imports.

One parser per question of the check (``docs/triage.md``) turns a short answer into the slot's
value, or ``None`` when the answer is not understood:

- ``parse_side``        -> "left" | "right" | "both"
- ``parse_onset``       -> "sudden" | "days_weeks" | "gradual"
- ``parse_preceded_by`` -> "injury" | "fall" | "knee_back" | "surgery" | "none"
- ``parse_yes_no``      -> True | False (for the yes/no questions)
- ``parse_progression`` -> "stable" | "worse" | "spreading"

``extract_answers`` reads a free-text description and returns every slot it states. (Emergency
signs in a message are the red-flag detector's job: ``footdrop.red_flags``.)

How it works: the text is normalised (case, apostrophes, contractions, emoji, stretched
letters, a few abbreviations, one-letter typos of key words such as "lft" or "rigth"), then run
through the project's blank spaCy pipeline (``footdrop.language.build_pipeline``:
rule tokenizer + lookup lemmas). spaCy ``Matcher`` rules find body locations, symptoms, times,
events and ConText-style modifier cues (negation before/after a target, uncertainty,
hypothetical, future). A cue's scope runs through its clause and stops at a terminator
("but", "however", ",", ".", "and" before a new subject ...). Symptoms are tied to the nearest
body location in their clause. Findings inside a general question ("what causes ...",
"can a stroke cause ...") do not count; a question about the patient's own body ("is it normal
that my arm is weak?") does.

Why not medspaCy's ConText: medspacy 1.3.1 resolves with spaCy 3.4.4, but it does not install
cleanly. Its required dependency medspacy-quickumls 3.2 puts a top-level ``tests`` package into
site-packages, which shadowed this project's ``tests`` package and broke the suite's imports
(measured 2026-11-25); it also adds 12 packages (Cython, nltk, a compiled key-value store ...)
to the action server for one feature. So the ConText-style rules here are our own, built on
spaCy's Matcher.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple, cast

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import Lemmatizer
from spacy.util import filter_spans

from footdrop.questions import QUESTION_WORDS, opens_question

__all__ = [
    "parse_side",
    "parse_onset",
    "parse_preceded_by",
    "parse_yes_no",
    "parse_progression",
    "extract_answers",
]

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

def _compile(spec: str) -> List[dict]:
    tokens = []
    for part in spec.split():
        op = None
        if len(part) > 1 and part[-1] == "?":
            op, part = "?", part[:-1]
        if part == "_":
            token: dict = {}
        elif part.startswith("$"):
            token = {"LOWER": {"IN": SETS[part[1:]]}}
        elif part.startswith("~"):
            alts = part[1:].split("|")
            token = {"LEMMA": {"IN": alts}}
        else:
            alts = part.split("|")
            token = {"LOWER": alts[0]} if len(alts) == 1 else {"LOWER": {"IN": alts}}
        if op:
            token["OP"] = op
        tokens.append(token)
    return tokens


@dataclass
class _Resources:
    nlp: Language
    matchers: Dict[str, Matcher]  # one per pattern family
    vocabulary: Set[str]  # known words: never "corrected"
    lemma_table: Any  # spaCy lookups Table (hashed keys) of inflected forms, also known words


_LOCK = threading.Lock()
_RESOURCES: Optional[_Resources] = None


def _resources() -> _Resources:
    global _RESOURCES
    if _RESOURCES is None:
        with _LOCK:
            if _RESOURCES is None:
                _RESOURCES = _build_resources()
    return _RESOURCES


def _build_resources() -> _Resources:
    # The project's own pipeline: same tokenizer and lookup lemmas as the NLU model.
    from footdrop.language import build_pipeline, load_terminology

    nlp = build_pipeline(load_terminology())
    if "entity_ruler" in nlp.pipe_names:  # our rules do not use its entities
        nlp.remove_pipe("entity_ruler")
    matchers: Dict[str, Matcher] = {}
    lexicon: Set[str] = set()
    for family, labels in PATTERNS.items():
        matcher = Matcher(nlp.vocab)
        for label, specs in labels.items():
            matcher.add(label, [_compile(spec) for spec in specs])
            for spec in specs:
                for part in spec.split():
                    part = part.rstrip("?").lstrip("~")
                    if part.startswith("$"):
                        lexicon.update(SETS[part[1:]])
                    else:
                        lexicon.update(part.split("|"))
        matchers[family] = matcher
    for words in SETS.values():
        lexicon.update(words)
    lexicon.update(ANCHORS | GENERIC | QUESTION_WORDS | TERMINATORS | VERBISH | set(UNIT_DAYS))
    lexicon.update(NUMBER_WORDS)
    vocabulary: Set[str] = set(nlp.Defaults.stop_words) | lexicon
    table = cast(Lemmatizer, nlp.get_pipe("lemmatizer")).lookups.get_table("lemma_lookup")
    vocabulary.update(str(v) for v in table.values())
    return _Resources(nlp=nlp, matchers=matchers, vocabulary=vocabulary, lemma_table=table)


# ----------------------------------------------------------------------------------------
# Normalisation and typo correction.
# ----------------------------------------------------------------------------------------

def _strip_symbols(text: str) -> str:
    for emoji, word in EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Cs", "Co", "Cn") or ch in "\u200d\ufe0f\ufe0e":
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    for quote in ("\u2019", "\u2018", "`", "\u00b4"):
        text = text.replace(quote, "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = _strip_symbols(text).lower()
    # letters stretched for emphasis: "soooo" -> "soo", "yesss" -> "yes" below
    text = re.sub(r"([a-z])\1{2,}", r"\1\1", text)
    # hyphens between letters: "left-sided" -> "left sided", "foot-drop" -> "foot drop"
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    # "!!!" / "???" -> one mark; keep "?" so questions are still questions
    text = re.sub(r"([!?.])[!?.]+", lambda m: "?" if "?" in m.group(0) else m.group(1), text)

    def word(match: "re.Match[str]") -> str:
        w = match.group(0)
        for pattern, repl in STRETCHED:
            if pattern.match(w):
                return repl
        return ABBREVIATIONS.get(w, w)

    text = re.sub(r"[a-z0-9&']+", word, text)
    for pattern, repl in CONTRACTIONS:
        text = pattern.sub(repl, text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (edits + adjacent swaps), stopped early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: List[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _known(word: str, res: _Resources) -> bool:
    return word in res.vocabulary or word in res.lemma_table


def _correct(word: str, res: _Resources) -> str:
    if len(word) < 3 or not word.isalpha() or _known(word, res):
        return word
    if word.endswith("in") and _known(word + "g", res):  # "droopin", "tinglin"
        return word + "g"
    best: List[str] = []
    best_distance = 99
    for target in dict.fromkeys(FUZZY_TARGETS):
        limit = 2 if len(target) >= 8 and len(word) >= 7 else 1
        d = _osa_distance(word, target, limit)
        if d <= limit:
            if d < best_distance:
                best, best_distance = [target], d
            elif d == best_distance:
                best.append(target)
    return best[0] if len(best) == 1 else word


@lru_cache(maxsize=512)
def _prepare(text: str) -> str:
    res = _resources()
    normalised = _normalise(text[:MAX_CHARS])
    doc = res.nlp.tokenizer(normalised)
    return "".join(_correct(t.text, res) + t.whitespace_ for t in doc)


# ----------------------------------------------------------------------------------------
# Analysis of one message: spans, sentences, clauses, cue scopes.
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Span:
    label: str
    start: int
    end: int

    @property
    def tokens(self) -> range:
        return range(self.start, self.end)


@dataclass
class _Analysis:
    words: List[str]
    lemmas: List[str]
    spans: Dict[str, List[_Span]]
    sent_of: List[int] = field(default_factory=list)
    sent_bounds: List[Tuple[int, int, bool]] = field(default_factory=list)
    clause_of: List[int] = field(default_factory=list)
    neg_scopes: List[Tuple[Set[int], Set[int]]] = field(default_factory=list)
    location_negated: Set[int] = field(default_factory=set)
    consumed: Dict[str, Set[int]] = field(default_factory=dict)
    uncertain: Set[int] = field(default_factory=set)
    hypothetical: Set[int] = field(default_factory=set)
    future: Set[int] = field(default_factory=set)
    general: Set[int] = field(default_factory=set)
    topic: Set[int] = field(default_factory=set)
    historical: Set[int] = field(default_factory=set)
    modal_question: Set[int] = field(default_factory=set)

    @property
    def n(self) -> int:
        return len(self.words)

    def of(self, *labels: str) -> List[_Span]:
        out: List[_Span] = []
        for label in labels:
            out.extend(self.spans.get(label, []))
        return sorted(out, key=lambda s: (s.start, s.end))

    def word(self, i: int) -> str:
        return self.words[i] if 0 <= i < self.n else ""

    # --- status of a finding -----------------------------------------------------------
    def skipped(self, span: _Span) -> bool:
        """Hypothetical, future, or part of a question about people in general."""
        return any(
            t in self.hypothetical or t in self.future or t in self.general or t in self.historical
            for t in span.tokens
        )

    def is_negated(self, span: _Span) -> bool:
        """In the scope of a negation cue that is not part of a target of the same family
        ("no feeling" is numbness, "no change" is stable; "no change in my bladder" still
        negates the bladder change)."""
        consumed = self.consumed.get(LABEL_FAMILY.get(span.label, ""), set()) | self.consumed.get(
            "*", set()
        )
        tokens = set(span.tokens)
        return any(
            scope & tokens and not cue & consumed for cue, scope in self.neg_scopes
        )

    def described(self, span: _Span, modal: bool = True) -> bool:
        """Not part of a bare topic question ("surgery?") nor, with ``modal``, of a question
        about what could happen ("could it spread to my other foot?")."""
        return not any(
            t in self.topic or (modal and t in self.modal_question) for t in span.tokens
        )

    def sentence_words(self, span: _Span) -> List[str]:
        start, end, _ = self.sent_bounds[self.sent_of[span.start]]
        return self.words[start:end]

    def is_uncertain(self, span: _Span) -> bool:
        return any(t in self.uncertain for t in span.tokens)

    def status(self, span: _Span) -> Optional[bool]:
        """True: stated as present; False: stated as absent; None: neither (or unsure)."""
        if self.skipped(span) or self.is_uncertain(span):
            return None
        return not self.is_negated(span)


def _is_verbish(word: str) -> bool:
    return word in VERBISH or (len(word) > 4 and (word.endswith("ed") or word.endswith("ing")))


@lru_cache(maxsize=512)
def _analyse(text: str, yes_no: bool = False) -> _Analysis:
    res = _resources()
    doc = res.nlp(_prepare(text))
    words = [t.lower_ for t in doc]
    lemmas = [t.lemma_.lower() for t in doc]
    a = _Analysis(words=words, lemmas=lemmas, spans={})
    raw: Dict[str, List[_Span]] = {}
    for family, matcher in res.matchers.items():
        if family == "YN" and not yes_no:
            continue
        raw[family] = [
            _Span(res.nlp.vocab.strings[match_id], start, end)
            for match_id, start, end in matcher(doc)
        ]
    _drop_false_matches(a, raw)
    kept: Dict[str, List[_Span]] = {}
    for family, family_spans in raw.items():
        if family in ("CUE", "MOD"):
            # modifiers of different kinds overlap freely: longest match per label
            groups = [[s for s in family_spans if s.label == label]
                      for label in {s.label for s in family_spans}]
        else:
            groups = [family_spans]  # longest match in the family ("between my legs" > "legs")
        kept[family] = [
            _Span(chosen.label_, chosen.start, chosen.end)
            for group in groups
            for chosen in filter_spans([_as_spacy(doc, s) for s in group])
        ]
    _consume(a, kept, yes_no)
    spans: Dict[str, List[_Span]] = {}
    for family_spans in kept.values():
        for span in family_spans:
            spans.setdefault(span.label, []).append(span)
    a.spans = spans
    _segment(a)
    _scope_cues(a)
    _mark_general(a)
    _mark_historical(a)
    return a


LEFT_AS_VERB_OBJECTS = {
    "over", "behind", "alone", "out", "it", "me", "him", "her", "them", "work", "home", "school",
}


def _as_spacy(doc, span: _Span):
    out = doc[span.start:span.end]
    out.label_ = span.label
    return out


def _drop_false_matches(a: _Analysis, raw: Dict[str, List[_Span]]) -> None:
    """Matches that the words around them show to mean something else."""
    w = a.word

    def drop(family: str, predicate) -> None:
        raw[family] = [s for s in raw.get(family, []) if not predicate(s)]

    # "the bottom of my foot", "the back of my knee": not the saddle or the back
    drop("LOC", lambda s: s.label in ("LOC_SADDLE", "LOC_BACK") and w(s.end) == "of")
    # "I hurt my ankle" is an injury, not pain now
    drop("SX", lambda s: s.label == "SX_PAIN" and a.words[s.start] == "hurt"
         and (w(s.end) in PRON_POSS | set(SETS["REFL"])
              or w(s.start - 1) in ("got", "get", "gets", "was", "were", "been", "be")))
    # "dead" only as a symptom of a limb ("my arm feels dead"), not "dead tired"
    drop("SX", lambda s: s.label == "SX_WEAK" and a.words[s.start] == "dead"
         and w(s.end) not in ("", ".", ",", "and", "!", "?"))
    # falls that are consequences, habits or fears, not events: "I keep falling",
    # "so I stop falling over", "afraid I'll fall"; a dated one counts ("after falling off")
    drop("PRE", lambda s: s.label == "PRE_FALL" and a.words[s.start] in ("falling", "falls", "fall")
         and w(s.start - 1) not in ("after", "since", "from", "following", "a", "the", "my", "his",
                                    "her", "bad", "nasty", "big"))
    drop("PRE", lambda s: s.label == "PRE_FALL" and (
        w(s.start - 1) in ("keep", "keeps", "kept", "always", "often", "nearly", "almost", "might",
                           "may", "could", "would", "to", "of", "risk", "prevent", "avoid")
        or w(s.start) in ("fell",) and w(s.end) == "asleep"
        or (w(s.start) in ("tripped", "slipped") and w(s.start - 1) in ("keep", "always", "often"))
    ))
    # negation after the target: "has gone" only at the end of a clause ("the tingling has gone")
    drop("CUE", lambda s: s.label == "NEG_POST" and a.words[s.end - 1] in ("gone", "stopped")
         and w(s.end) not in ("", ".", ",", "!", "?", "now", "completely", "away", "but", "and"))
    # "fine" as in "fine, my foot is numb" at the very start is an interjection
    drop("CUE", lambda s: s.label == "NEG_POST" and s.start == 0 and w(s.end) in (",", ""))
    # side words that are not sides: "right now", "that's right", "I left work"
    not_side_after = {
        "now", "away", "after", "before", "then", "there", "here", "off", "back", "through",
        "enough", "thing", "things", "way", "time", "place", "direction", "answer", "choice",
        "idea", "to", "so", "ok", "okay", "sorry", "into", "over", "behind", "alone", "out", "it",
        "words", "word", "question",
        "me", "him", "her", "them", "work", "home", "school", "early",
    }
    not_side_before = {
        "all", "that", "is", "you", "yeah", "quite", "i", "we", "he", "she", "they", "it", "have",
        "has", "had", "just", "was", "nothing", "anything", "what", "are", "am",
    }

    def not_a_side(s: _Span) -> bool:
        first = a.words[s.start]
        if s.label == "SIDE_RIGHT" and first == "right":
            if w(s.end) in not_side_after or w(s.start - 1) in not_side_before:
                return True
        if s.label == "SIDE_LEFT" and first == "left":
            if w(s.start - 1) in not_side_before - {"all", "quite", "yeah", "is", "that", "what"}:
                return True  # "I left", "nothing left"
            if w(s.end) in LEFT_AS_VERB_OBJECTS:
                return True  # "left it", "left work"
        if first in ("l", "r"):
            # one letter is a side only in a short answer or before a limb ("L foot")
            return not (a.n <= 3 or w(s.end) in ("foot", "leg", "side", "ankle", "one"))
        return False

    drop("SIDE", not_a_side)
    # "pain meds", "pain relief", "something to numb the pain": treatments, not symptoms
    drop("SX", lambda s: s.label == "SX_PAIN" and w(s.end) in PAIN_TREATMENT)
    drop("SX", lambda s: s.label == "SX_NUMB" and a.words[s.start] == "numb"
         and w(s.start - 1) == "to" and w(s.end) in ("the", "it", "this", "them"))
    # "the same thing", "the same as": not "it stayed the same"
    drop("PROG", lambda s: s.label == "PROG_STABLE" and a.words[s.end - 1] == "same"
         and w(s.end) in SAME_NOT_STABLE)
    # "moving up the stairs" is not weakness moving up the body
    drop("SX", lambda s: s.label == "SX_SPREAD" and a.words[s.end - 1] == "up" and (
        w(s.end) in ("stairs", "stair", "steps", "hill", "hills", "ladder", "slope", "kerb", "curb",
                     "a", "and", "on") or w(s.end + 1) in ("stairs", "steps", "hill", "ladder")))
    # "I can't speak Spanish"
    drop("SX", lambda s: s.label == "SX_SPEECH" and a.words[s.end - 1] in ("talk", "speak")
         and w(s.end) in LANGUAGES)
    # "I can't talk right now", "I can't talk about it": busy or upset, not a speech problem
    drop("SX", lambda s: s.label == "SX_SPEECH" and a.words[s.end - 1] in ("talk", "speak")
         and w(s.end) in ("right", "now", "at", "long", "to", "about", "with", "much", "here"))


def _consume(a: _Analysis, kept: Dict[str, List[_Span]], yes_no: bool) -> None:
    """Settles matches of different families that share words."""

    def drop(family: str, predicate) -> None:
        kept[family] = [s for s in kept.get(family, []) if not predicate(s)]

    # "it's creeping up my leg" is spreading, not a slow onset
    spread_tokens = {t for s in kept.get("SX", []) if s.label == "SX_SPREAD" for t in s.tokens}
    drop("TIME", lambda s: s.label == "TIME_GRADUAL" and any(t in spread_tokens for t in s.tokens))
    # "no" inside a bigger target ("no feeling", "no change", "nothing happened") is not a
    # negation cue for that target's family; "will" in "will not move" is not the future.
    consumed: Dict[str, Set[int]] = {}
    for family, family_spans in kept.items():
        if family in ("CUE", "MOD", "LOC"):
            continue
        if family == "YN" and not yes_no:
            continue
        for s in family_spans:
            if s.label in ("SX_ABN", "SEEN_NEG", "PROG_CHANGE"):
                continue
            # "no change", "nothing happened" are negative statements of their own: their
            # "no" still negates other things ("no change in my bladder")
            key = family if s.label in LOCAL_CONSUMERS else "*"
            consumed.setdefault(key, set()).update(s.tokens)
    everything = set().union(*consumed.values()) if consumed else set()
    drop("CUE", lambda s: any(t in everything for t in s.tokens) and s.label in ("FUTURE", "HYPO"))
    a.consumed = consumed


def _segment(a: _Analysis) -> None:
    """Sentences (with a question flag) and clauses for tying symptoms to body locations."""
    sent_of = [0] * a.n
    bounds: List[Tuple[int, int, bool]] = []
    start = 0
    sid = 0
    for i, word in enumerate(a.words):
        sent_of[i] = sid
        if word in SENT_END or "\n" in word:
            bounds.append((start, i + 1, word == "?"))
            start, sid = i + 1, sid + 1
    if start < a.n:
        bounds.append((start, a.n, False))
    a.sent_of, a.sent_bounds = sent_of, bounds

    clause_of = [0] * a.n
    cid = 0
    for s_start, s_end, _ in bounds:
        # split into segments at separators
        segments: List[Tuple[int, int, str]] = []  # (start, end, separator before)
        seg_start, sep = s_start, "start"
        for i in range(s_start, s_end):
            word = a.words[i]
            if word in HARD_SPLIT or word in SOFT_SPLIT:
                segments.append((seg_start, i, sep))
                seg_start, sep = i + 1, word
        segments.append((seg_start, s_end, sep))
        cid += 1
        current_has_verb = False
        for seg_start, seg_end, sep in segments:
            seg_has_verb = any(_is_verbish(a.words[i]) for i in range(seg_start, seg_end))
            if sep in HARD_SPLIT or (sep in SOFT_SPLIT and current_has_verb and seg_has_verb):
                cid += 1
                current_has_verb = False
            for i in range(max(seg_start - 1, s_start), seg_end):
                clause_of[i] = cid if i >= seg_start else clause_of[i]
            current_has_verb = current_has_verb or seg_has_verb
            if seg_start - 1 >= s_start:
                clause_of[seg_start - 1] = -1  # separators belong to no clause
    a.clause_of = clause_of


def _ends_scope(a: _Analysis, i: int, sentence_end: int) -> bool:
    """Whether token ``i`` stops a forward cue scope."""
    word = a.words[i]
    if word in TERMINATORS or word in SENT_END:
        return True
    if word in ("and", "or", ","):
        nxt = a.word(i + 1)
        if word == "," and nxt in ("and", "or", "nor"):
            return False
        if nxt in SUBJECTS:
            return True
        if word == ",":
            # a list "no numbness, tingling or weakness" keeps the scope going
            j = i + 1
            has_or = False
            while j < sentence_end and a.words[j] not in SENT_END and a.words[j] != ",":
                if a.words[j] in VERBISH:
                    return True
                if a.words[j] in ("or", "nor", "and"):
                    has_or = True
                j += 1
            return not has_or
    if word in PUNCT_TERMINATORS:
        return True
    return False


def _scope_cues(a: _Analysis) -> None:
    def forward(cue: _Span, limit: int = NEG_MAX_SCOPE) -> Iterable[int]:
        s_end = a.sent_bounds[a.sent_of[cue.start]][1]
        i, count = cue.end, 0
        while i < s_end and count < limit:
            if _ends_scope(a, i, s_end):
                break
            yield i
            i, count = i + 1, count + 1

    def backward(cue: _Span, limit: int = NEG_POST_MAX_SCOPE) -> Iterable[int]:
        s_start = a.sent_bounds[a.sent_of[cue.start]][0]
        i, count = cue.start - 1, 0
        while i >= s_start and count < limit:
            word = a.words[i]
            if word in TERMINATORS or word in SENT_END or word in PUNCT_TERMINATORS:
                break
            if word == "and" and a.word(i + 1) in SUBJECTS:
                break
            yield i
            i, count = i - 1, count + 1

    pseudo = {t for s in a.of("PSEUDO") for t in s.tokens}
    uncertain_tokens = {t for s in a.of("UNCERTAIN") for t in s.tokens}
    for cue in a.of("NEG_PRE"):
        if any(t in pseudo or t in uncertain_tokens for t in cue.tokens):
            continue
        scope = set(forward(cue))
        a.neg_scopes.append((set(cue.tokens), scope))
        if a.word(cue.end) in ("problem", "problems", "issue", "issues", "trouble", "wrong",
                               "difficulty", "difficulties", "change", "changes"):
            a.location_negated.update(scope)
    for cue in a.of("NEG_POST"):
        if any(t in pseudo for t in cue.tokens):
            continue
        scope = set(backward(cue))
        a.neg_scopes.append((set(cue.tokens), scope))
        a.location_negated.update(scope)
    for cue in a.of("UNCERTAIN"):
        a.uncertain.update(forward(cue))
    for cue in a.of("HYPO"):
        hypothetical = list(forward(cue))
        # "if my face is drooping" describes what is happening; "if my face droops" does not
        if any(a.words[t] in ("is", "are", "was", "were", "has", "have", "had", "been", "keeps",
                              "started", "began", "went", "gone", "am") for t in hypothetical):
            continue
        a.hypothetical.update(hypothetical)
    for cue in a.of("FUTURE"):
        a.future.update(forward(cue, limit=6))


RESOLVED = [
    ("fine", "now"), ("ok", "now"), ("okay", "now"), ("better", "now"), ("gone", "now"),
    ("not", "anymore"), ("no", "longer"), ("went", "away"), ("gone", "away"), ("resolved",),
    ("recovered",), ("cleared", "up"), ("back", "to", "normal"),
]


def _mark_historical(a: _Analysis) -> None:
    """"my face felt numb last year but it's fine now": a past episode that is over."""
    for s_start, s_end, _ in a.sent_bounds:
        words = a.words[s_start:s_end]
        if not any(tuple(words[i:i + len(r)]) == r for r in RESOLVED for i in range(len(words))):
            continue
        for span in a.of("TIME_UNIT", "TIME_SEASON"):
            if not s_start <= span.start < s_end:
                continue
            days = 120.0 if span.label == "TIME_SEASON" else _unit_days(a, span, strict=True)
            if days is not None and days >= 14:
                clause = a.clause_of[span.start]
                a.historical.update(i for i, c in enumerate(a.clause_of) if c == clause)


def _mark_general(a: _Analysis) -> None:
    """Tokens in a question about conditions in general, or a statement about people in general."""
    inquiry_phrases = [
        ("tell", "me", "about"), ("information", "about"), ("information", "on"), ("info", "on"),
        ("info", "about"), ("know", "about"), ("read", "about"), ("read", "that"),
        ("heard", "about"), ("heard", "that"), ("learn", "about"), ("is", "it", "true"),
        ("explain",),
    ]
    for s_start, s_end, is_q in a.sent_bounds:
        starts: List[int] = []
        first = s_start
        while first < s_end and a.words[first] in INTERJECTIONS | {","}:
            first += 1
        # the sentence starts like a question (footdrop/questions.py; "can't feel my toes" does not)
        if first < s_end and opens_question([a.words[first], a.word(first + 1)], asked=is_q):
            starts.append(first)
        sentence = range(s_start, s_end)
        if is_q and not any(a.words[t] in ANCHORS for t in sentence):
            # "surgery?", "numbness?", "both sides?": a topic, not a description
            a.topic.update(sentence)
        for i in range(s_start, s_end):
            word = a.words[i]
            if word in WH and i not in starts:
                starts.append(i)
            if is_q and i > s_start and a.words[i - 1] in (",", "and", "but", "so", "or") \
                    and word in QUESTION_WORDS:
                starts.append(i)
            for phrase in inquiry_phrases:
                if tuple(a.words[i:i + len(phrase)]) == phrase:
                    starts.append(i + len(phrase) - 1)
        for start in sorted(set(starts)):
            end = start + 1
            while end < s_end and a.words[end] not in {",", ";", "but", ":"} | SENT_END:
                end += 1
            span = range(start, end)
            if a.words[start] in MODALS:
                a.modal_question.update(span)
                # "can both my feet go floppy?", "could it move to my other foot?": what comes
                # after the question's verb is a possibility, unless it is described as
                # happening ("should I worry that my face is drooping?")
                verb = next((t for t in range(start + 1, end) if _is_verbish(a.words[t])
                             or a.words[t] in BASE_VERBS), None)
                if verb is not None:
                    happening = any(
                        a.words[t] in ("is", "are", "am", "keeps", "been")
                        or (a.words[t] in ("has", "have")
                            and (a.word(t + 1) in ("got", "gone", "become", "started")
                                 or a.word(t + 1).endswith("ed")))
                        for t in range(verb, end)
                    )
                    if not happening:
                        a.general.update(range(verb, end))
            # "tell me about ...", "can I ...": the asker, not a person described
            anchored = any(
                a.words[t] in ANCHORS
                and not (a.words[t] in ("me", "i") and a.word(t - 1) in REQUEST_VERBS | MODALS_DO)
                and not (a.words[t] == "me" and a.word(t - 2) in REQUEST_VERBS)
                for t in span
            )
            causal_at = [t for t in span if a.words[t] in CAUSAL or a.lemmas[t] in CAUSAL]
            for t in span:
                if not anchored or any(c < t for c in causal_at):
                    a.general.add(t)
    # statements about people in general: a clause with no person in it and a generic word
    by_clause: Dict[int, List[int]] = {}
    for i, c in enumerate(a.clause_of):
        if c >= 0:
            by_clause.setdefault(c, []).append(i)
    for tokens in by_clause.values():
        words = {a.words[t] for t in tokens}
        if not words & ANCHORS and words & GENERIC:
            a.general.update(tokens)


# ----------------------------------------------------------------------------------------
# Symptoms tied to body locations.
# ----------------------------------------------------------------------------------------

LOWER_LIMB = {"LOC_FOOT", "LOC_LEG", "LOC_SHIN", "LOC_BOTH", "LOC_LEGS_PL"}


def _location_groups(a: _Analysis, clause: int) -> List[List[_Span]]:
    locs = [s for s in a.of(*PATTERNS["LOC"].keys()) if a.clause_of[s.start] == clause]
    groups: List[List[_Span]] = []
    for loc in locs:
        if groups:
            last = groups[-1][-1]
            gap = a.words[last.end:loc.start]
            if all(g in CONJ_GROUP for g in gap) and len(gap) <= 4:
                groups[-1].append(loc)
                continue
        groups.append([loc])
    return groups


def _locations_of(a: _Analysis, finding: _Span) -> Set[str]:
    """Labels of the body locations nearest to a symptom in its clause."""
    clause = a.clause_of[finding.start]
    if clause < 0:
        return set()
    best: Optional[List[_Span]] = None
    best_distance = 10 ** 6
    for group in _location_groups(a, clause):
        distance = 10 ** 6
        for loc in group:
            if loc.end <= finding.start:
                d = finding.start - loc.end
            elif loc.start >= finding.end:
                d = loc.start - finding.end
            else:
                d = 0
            distance = min(distance, d)
        if distance < best_distance:
            best, best_distance = group, distance
    return {loc.label for loc in best} if best else set()


@dataclass
class _Finding:
    kind: str
    span: _Span
    locations: Set[str]
    present: Optional[bool]  # True present, False stated absent, None not counted
    uncertain: bool


def _findings(a: _Analysis) -> List[_Finding]:
    out: List[_Finding] = []
    for span in a.of(*PATTERNS["SX"].keys()):
        skipped = a.skipped(span)
        present: Optional[bool] = None if skipped else not a.is_negated(span)
        out.append(
            _Finding(span.label, span, _locations_of(a, span), present, a.is_uncertain(span))
        )
    return out


def _near(a: _Analysis, span: _Span, labels: Sequence[str], window: int) -> bool:
    clause = a.clause_of[span.start]
    for other in a.of(*labels):
        if a.clause_of[other.start] != clause:
            continue
        if other.end <= span.start and span.start - other.end <= window:
            return True
        if other.start >= span.end and other.start - span.end <= window:
            return True
    return False


def _in_clause(a: _Analysis, span: _Span, labels: Sequence[str]) -> bool:
    clause = a.clause_of[span.start]
    return any(a.clause_of[o.start] == clause for o in a.of(*labels))


# ----------------------------------------------------------------------------------------
# Time: onset.
# ----------------------------------------------------------------------------------------

def _number(word: str) -> Optional[float]:
    if re.fullmatch(r"\d+(\.\d+)?", word):
        return float(word)
    return NUMBER_WORDS.get(word)


def _unit_days(a: _Analysis, span: _Span, strict: bool) -> Optional[float]:
    unit = a.words[span.start]
    per = UNIT_DAYS[unit]
    i = span.start - 1
    w = a.word
    # "the other day"
    if unit == "day" and w(i) == "other" and w(i - 1) == "the":
        return 3
    skip_before = {"every", "each", "per", "once", "twice", "times", "all", "most", "these",
                   "those", "good", "bad", "whole", "long", "same", "next", "coming", "following",
                   "first", "other", "working", "school", "rest"}
    if w(i) in skip_before or (w(i) in ("a", "an") and w(i - 1) in ("once", "twice", "times")):
        return None  # "every day", "twice a day"
    if w(i) == "some" and unit in ("day", "days"):
        return None
    quantity: Optional[float] = None
    j = i
    if w(j) == "of":  # "a couple of weeks"
        j -= 1
    n = _number(w(j))
    if n is not None:
        quantity = n
        if w(j) == "an" and w(j - 1) == "half":
            quantity = 0.5
        if w(j - 1) in ("few", "couple") and w(j) in ("a", "an"):
            quantity = NUMBER_WORDS[w(j - 1)]
    if w(span.end) == "or" and _number(w(span.end + 1)) is not None:  # "a day or two"
        quantity = max(quantity or 1, _number(w(span.end + 1)) or 1)
    if quantity is None:
        quantity = PLURAL_DEFAULT if unit.endswith("s") else 1
    if strict:
        context_before = {"for", "since", "over", "past", "last", "about", "around", "nearly",
                          "almost", "roughly", "approximately", "approx", "within", "than",
                          "this", "under", "maybe", "probably", "only", "just"}
        before = {w(k) for k in range(span.start - 4, span.start)}
        after = {w(span.end), w(span.end + 1)}
        if not (before & context_before or after & {"ago", "back", "now", "earlier", "before"}):
            return None
    return quantity * per


def _onset(a: _Analysis, strict: bool) -> Optional[str]:
    def usable(span: _Span) -> bool:
        if a.skipped(span) or a.is_negated(span):
            return False
        if strict:
            if not a.described(span):
                return False
            clause = a.clause_of[span.start]
            if any(a.clause_of[s.start] == clause for s in a.of("SEEN_POS", "FUTURE")):
                return False
            # a time in a description dates the symptom only in a sentence about it
            # ("that's all for today" does not)
            sentence = a.sent_of[span.start]
            if not (set(a.sentence_words(span)) & (ONSET_WORDS | ANCHORS) or any(
                    a.sent_of[s.start] == sentence for s in a.of(*PATTERNS["SX"].keys()))):
                return False
        # "it got worse this week", "it suddenly got worse": the change, not the start;
        # "it has been getting weaker for months" still says how long it has been going on
        clause = a.clause_of[span.start]
        if any(a.clause_of[s.start] == clause for s in a.of("PROG_WORSE", "PROG_BETTER")):
            if span.label == "TIME_GRADUAL":
                return True
            if span.label != "TIME_UNIT" or a.word(span.end) == "ago":
                return False
            return any(a.word(k) in ("for", "over", "since")
                       for k in range(span.start - 4, span.start))
        return True

    if any(usable(s) for s in a.of("TIME_SUDDEN")):
        return "sudden"
    if not strict and any(usable(s) for s in a.of("TIME_QUICK")):
        return "sudden"
    durations: List[Tuple[int, float]] = []
    for span in a.of("TIME_UNIT"):
        if usable(span):
            days = _unit_days(a, span, strict)
            if days is not None:
                durations.append((span.start, days))
    for span in a.of("TIME_POINT"):
        if usable(span) and a.word(span.start - 1) not in ("until", "till", "before", "by", "of"):
            durations.append((span.start, 1.0))
    for span in a.of("TIME_POINT_DAYS"):
        if usable(span):
            durations.append((span.start, 4.0))
    for span in a.of("TIME_SEASON"):
        if usable(span):
            durations.append((span.start, 120.0))
    if not strict:  # "recently" answers "when did it start?", but is vague in a description
        for span in a.of("TIME_RECENT"):
            if usable(span):
                durations.append((span.start, 7.0))
    if durations:
        # "I fell last year but this started last week": the time of the start, not the event
        def rank(item: Tuple[int, float]) -> Tuple[int, int]:
            clause = a.clause_of[item[0]]
            words = {a.words[i] for i, c in enumerate(a.clause_of) if c == clause}
            if words & START_WORDS:
                return (0, item[0])
            if any(a.clause_of[s.start] == clause for s in a.of(*PATTERNS["PRE"].keys())):
                return (2, item[0])
            return (1, item[0])

        days = min(durations, key=rank)[1]
        if days <= SUDDEN_MAX_DAYS:
            return "sudden"
        if days <= DAYS_WEEKS_MAX_DAYS:
            return "days_weeks"
        return "gradual"
    for span in a.of("TIME_GRADUAL"):
        if not usable(span):
            continue
        if strict and a.words[span.start] in ("slowly", "slow"):
            around = {a.lemmas[k] for k in range(span.start - 3, span.end + 3) if 0 <= k < a.n}
            if not around & {"come", "start", "develop", "get", "become", "worsen", "progress",
                             "build", "creep", "begin", "happen", "go", "worse", "weak", "weaker",
                             "onset"}:
                continue
        return "gradual"
    return None


ONSET_WORDS = {
    "started", "start", "starts", "began", "begun", "begin", "noticed", "notice", "happened",
    "came", "developed", "since", "woke", "ago", "had", "have", "has", "been", "it", "this",
    "foot", "feet", "leg", "legs", "drop", "dropping", "dragging", "drags", "weak", "numb",
}
START_WORDS = {
    "started", "start", "starts", "began", "begun", "begin", "noticed", "came", "developed",
    "woke", "first", "dropping", "dragging", "drags", "dropped",
}
PAST_MARKERS = {
    "had", "was", "were", "did", "got", "ago", "last", "fell", "broke", "tore", "hurt", "went",
    "came", "been", "when", "after", "since", "following", "post", "previously", "before",
    "earlier", "then", "once", "recent", "recently", "yesterday",
}


def _event_stated(a: _Analysis, span: _Span) -> bool:
    """In a description, an injury, fall or surgery counts when it is the patient's and past:
    "I had a knee op" does; "keyhole surgery for drop foot" and "could an op fix it?" do not."""
    if not a.described(span):
        return False
    words = a.sentence_words(span)
    temporal = any(a.word(k) in ("after", "since", "following", "post", "from")
                   for k in range(span.start - 3, span.start))
    if not (temporal or set(words) & ANCHORS):
        return False
    if span.label in ("PRE_SURGERY", "PRE_INJURY"):
        return temporal or any(
            w in PAST_MARKERS or (len(w) > 4 and w.endswith("ed")) for w in words
        )
    return True


# ----------------------------------------------------------------------------------------
# Slot values from an analysis.
# ----------------------------------------------------------------------------------------

def _side(a: _Analysis, strict: bool) -> Optional[str]:
    sides: Dict[str, Optional[bool]] = {}
    for span in a.of("SIDE_LEFT", "SIDE_RIGHT", "SIDE_BOTH"):
        value = {"SIDE_LEFT": "left", "SIDE_RIGHT": "right", "SIDE_BOTH": "both"}[span.label]
        if strict:
            nxt = [a.word(span.end + k) for k in range(0, 3)]
            limb_after = any(
                s.start in range(span.end, span.end + 3) and s.label in LOWER_LIMB
                for s in a.of(*LOWER_LIMB)
            )
            side_word = nxt[0] in ("one", "side", "sided", "ones") or (
                nxt[0] in ("hand",) and nxt[1] == "side")
            on_the = (a.word(span.start - 1) in ("the", "my")
                      and a.word(span.start - 2) in ("on", "in", "to"))
            both_ok = value == "both" and (
                nxt[0] in ("of", "sides", "feet", "legs") or limb_after
                or span.end - span.start > 1)  # "both sides", "left and right"
            if not (limb_after or side_word or on_the or both_ok):
                continue
            upper_body = [
                o for o in a.of("LOC_FACE", "LOC_ARM", "LOC_HEAD", "LOC_OTHER")
                if a.clause_of[o.start] == a.clause_of[span.start]
                and not (o.start < span.end and span.start < o.end)  # "left hand side"
            ]
            if not limb_after and upper_body and not _in_clause(a, span, list(LOWER_LIMB)):
                continue  # "my mouth droops on the left"
            if a.general & set(span.tokens) or a.skipped(span) or not a.described(span):
                continue
        else:
            if a.skipped(span):
                continue
        if not a.is_negated(span):
            sides[value] = True
        else:
            sides.setdefault(value, False)
    # explicit "both" (as a span covering both sides) in the location family
    if strict:
        for span in a.of("LOC_BOTH"):
            if not a.skipped(span) and a.described(span):
                if a.is_negated(span):
                    sides.setdefault("both", False)
                else:
                    sides["both"] = True
    positive = {k for k, v in sides.items() if v}
    if "both" in positive or {"left", "right"} <= positive:
        return "both"
    if len(positive) == 1:
        return positive.pop()
    return None


def _preceded_by(a: _Analysis, strict: bool) -> Optional[str]:
    order = [("PRE_SURGERY", "surgery"), ("PRE_FALL", "fall"), ("PRE_KNEEBACK", "knee_back"),
             ("PRE_INJURY", "injury")]
    negated_any = False
    for label, value in order:
        for span in a.of(label):
            if strict and label == "PRE_KNEEBACK" and a.words[span.end - 1] == "pain":
                continue  # "back pain" in a description is a symptom, not an event before
            status = a.status(span)
            if strict and status and not _event_stated(a, span):
                continue
            if strict and status is False and not a.described(span):
                continue
            if status:
                return value
            if status is False and label != "PRE_KNEEBACK":
                negated_any = True
    none_stated = any(
        a.status(s) is not None
        # a bare "nothing" / "none" answers the question, but in a description it can be
        # about anything ("nothing wrong with my face")
        and not (strict and (s.end - s.start == 1 or not a.described(s)))
        for s in a.of("PRE_NONE")
    )
    if negated_any or none_stated:
        return "none"
    return None


def _progression(a: _Analysis, strict: bool) -> Optional[str]:
    def ok(span: _Span) -> bool:
        return not strict or a.described(span)

    for f in _findings(a):
        if f.kind == "SX_SPREAD" and f.present and not f.uncertain and ok(f.span):
            return "spreading"
    worse: List[int] = []
    stable: List[int] = []
    for span in a.of("PROG_WORSE", *([] if strict else ["PROG_WORSE_LOOSE"])):
        if not ok(span):
            continue
        status = a.status(span)
        if status:
            worse.append(span.start)
        elif status is False:
            stable.append(span.start)
    for span in a.of("PROG_STABLE", "PROG_BETTER"):
        if not ok(span):
            continue
        if strict and " ".join(a.words[span.start:span.end]) == "same":
            continue  # "the same" / "stayed the same" are needed in a description
        if strict and a.words[span.start] == "better" and a.word(span.start - 1) not in BETTER:
            continue  # "to help him walk better"
        if a.status(span):
            stable.append(span.start)
    for span in a.of("PROG_CHANGE"):
        if ok(span) and a.status(span) is False:
            stable.append(span.start)
    for f in _findings(a):
        if f.kind == "SX_SPREAD" and f.present is False and ok(f.span):
            stable.append(f.span.start)
    if worse and stable:
        return "worse" if max(worse) > max(stable) else "stable"
    if worse:
        return "worse"
    if stable:
        return "stable"
    return None


def _shin_swelling(a: _Analysis, f: "_Finding") -> bool:
    if "LOC_SHIN" not in f.locations:
        return False
    if f.kind == "SX_SWELL":
        return True
    if f.kind == "SX_TIGHT":
        sentence = a.sent_of[f.span.start]
        intense_pain = any(
            a.sent_of[p.start] == sentence and _near(a, p, ["MOD_INTENSE"], 4)
            for p in a.of("SX_PAIN")
        )
        return intense_pain
    return False


BETTER = {  # words before "better" that make it about the foot getting better
    "getting", "got", "gotten", "gets", "is", "feels", "feel", "feeling", "been", "much", "bit",
    "slightly", "little", "now", "already", "slowly", "far", "lot", "seems", "looks", "its", "it",
    "any", "no", "abit", "gradually",
}


def _combine(values: Iterable[Optional[bool]]) -> Optional[bool]:
    values = list(values)
    if any(v is True for v in values):
        return True
    if any(v is False for v in values):
        return False
    return None


def _location_only_negation(a: _Analysis, labels: Sequence[str]) -> bool:
    """"my face is fine", "no problems with my arms": a body location stated as normal."""
    for span in a.of(*labels):
        if a.skipped(span) or a.is_uncertain(span) or not a.described(span, modal=False):
            continue
        if any(t in a.location_negated for t in span.tokens):
            return True
    return False


def _booleans(a: _Analysis) -> Dict[str, bool]:
    findings = _findings(a)
    out: Dict[str, bool] = {}

    def counted(f: _Finding) -> Optional[bool]:
        if f.present is None or (f.uncertain and f.present) or not a.described(f.span, modal=False):
            return None
        return f.present

    # back or leg pain
    pain = []
    for f in findings:
        if f.kind == "SX_PAIN":
            if f.locations and not f.locations & (LOWER_LIMB | {"LOC_BACK", "LOC_SADDLE"}):
                continue
            pain.append(counted(f))
    for span in a.of("LOC_BACK"):  # "back pain", "backache"
        words = {a.words[span.start], a.words[span.end - 1]}
        if words & {"pain", "ache", "aches", "backache", "backpain"} and a.described(span, False):
            pain.append(a.status(span))
    value = _combine(pain)
    if value is not None:
        out["back_leg_pain"] = value

    # numbness (legs, feet or not said; arm/face numbness is "other weakness", saddle is bladder)
    numb = [counted(f) for f in findings if f.kind == "SX_NUMB"
            and not f.locations & {"LOC_ARM", "LOC_FACE", "LOC_SADDLE", "LOC_HEAD"}]
    value = _combine(numb)
    if value is not None:
        out["numbness"] = value

    # weakness in an arm or the face, or trouble speaking
    other = []
    for f in findings:
        if f.kind in ("SX_WEAK", "SX_NUMB") and f.locations & {"LOC_ARM", "LOC_FACE"}:
            other.append(counted(f))
        elif f.kind == "SX_DROOP" and "LOC_FACE" in f.locations:
            other.append(counted(f))
        elif f.kind == "SX_SPEECH":
            other.append(counted(f))
        elif f.kind in ("SX_ABN", "SX_PROBLEM") and "LOC_SPEECH" in f.locations:
            other.append(counted(f))
    if not any(other) and _location_only_negation(a, ["LOC_FACE", "LOC_ARM", "LOC_SPEECH"]):
        other.append(False)
    value = _combine(other)
    if value is not None:
        out["other_weakness"] = value

    # swollen, tense, very painful shin
    shin = [counted(f) for f in findings if _shin_swelling(a, f)]
    if not any(shin) and _location_only_negation(a, ["LOC_SHIN"]):
        shin.append(False)
    value = _combine(shin)
    if value is not None:
        out["shin_swelling"] = value

    # bladder or bowel changes, or numbness between the legs
    bladder = []
    for f in findings:
        if f.kind in ("SX_BLADDER", "SX_SADDLE"):
            bladder.append(counted(f))
        elif f.kind in ("SX_PROBLEM", "SX_ABN", "SX_WEAK") and "LOC_BLADDER" in f.locations:
            bladder.append(counted(f))
        elif f.kind in ("SX_NUMB",) and "LOC_SADDLE" in f.locations:
            bladder.append(counted(f))
    if not any(bladder) and _location_only_negation(a, ["LOC_BLADDER"]):
        bladder.append(False)
    value = _combine(bladder)
    if value is not None:
        out["bladder_bowel"] = value

    # already seen by a doctor or physio
    seen = [a.status(s) for s in a.of("SEEN_POS") if a.described(s)]
    # "nobody has looked at it": its own "nobody" is what makes it a no
    if any(not a.skipped(s) and not a.is_uncertain(s) and a.described(s)
           for s in a.of("SEEN_NEG")):
        seen.append(False)
    value = _combine(seen)
    if value is not None:
        out["already_seen"] = value
    return out


# ----------------------------------------------------------------------------------------
# Yes / no.
# ----------------------------------------------------------------------------------------

def _yes_no(a: _Analysis) -> Optional[bool]:
    spans = a.spans
    if spans.get("UNCERTAIN"):  # "not sure", "I don't know", "can't remember"
        return None
    yes = spans.get("YES", [])
    no = spans.get("NO", [])
    # "I am ..." / "it is ..." / "I have ..." only answer yes on their own ("I have."), not in
    # "I'm waiting to see a neurologist" or "I have an appointment next week"
    pronoun_aux = {"i", "it", "they", "he", "she", "we"}
    answer_end = {"", ".", ",", "!", "?", "yes", "though", "sometimes", "some", "a", "slightly",
                  "definitely", "already"}
    yes = [
        s for s in yes
        if not (a.words[s.start] in pronoun_aux and s.end - s.start == 2
                and a.words[s.start + 1] in ("am", "is", "are", "have", "has")
                and (a.word(s.end) not in answer_end or spans.get("FUTURE") or spans.get("HYPO")))
    ]
    # one-letter answers only on their own
    yes = [s for s in yes if a.words[s.start] != "y" or a.n <= 2]
    no = [s for s in no if a.words[s.start] != "n" or a.n <= 2]
    if yes and not no:
        return True
    if no and not yes:
        return False
    return None


# ----------------------------------------------------------------------------------------
# Public API.
# ----------------------------------------------------------------------------------------

def _text_ok(text: object) -> bool:
    return isinstance(text, str) and bool(text.strip())


def parse_side(text: str) -> Optional[str]:
    """Which foot: "left", "right", "both", or None."""
    if not _text_ok(text):
        return None
    a = _analyse(text)
    value = _side(a, strict=False)
    if value is None and a.of("LOC_BOTH", "LOC_LEGS_PL"):
        if any(not a.is_negated(s) and not a.skipped(s) for s in a.of("LOC_BOTH", "LOC_LEGS_PL")):
            return "both"
    return value


def parse_onset(text: str) -> Optional[str]:
    """How it started: "sudden" (hours), "days_weeks", "gradual" (months), or None."""
    if not _text_ok(text):
        return None
    return _onset(_analyse(text), strict=False)


def parse_preceded_by(text: str) -> Optional[str]:
    """What came before it: "injury", "fall", "knee_back", "surgery", "none", or None.

    One value: surgery > fall > knee or back problem > injury when several are named
    ("I fell and hurt my knee" -> "fall"; a knee or back operation -> "surgery").
    """
    if not _text_ok(text):
        return None
    a = _analyse(text)
    value = _preceded_by(a, strict=False)
    if value is not None:
        return value
    if parse_yes_no(text) is False:
        return "none"
    return None


def parse_yes_no(text: str) -> Optional[bool]:
    """Yes -> True, no -> False, anything else (including "not sure") -> None."""
    if not _text_ok(text):
        return None
    return _yes_no(_analyse(text, yes_no=True))


def parse_progression(text: str) -> Optional[str]:
    """"stable" (same, or better), "worse", "spreading", or None."""
    if not _text_ok(text):
        return None
    return _progression(_analyse(text), strict=False)


def extract_answers(text: str) -> Dict[str, object]:
    """Every symptom-check slot a free-text description states, e.g.

    "my left foot started dragging suddenly this morning and my arm feels weak"
    -> {"affected_side": "left", "onset": "sudden", "other_weakness": True}
    """
    if not _text_ok(text):
        return {}
    a = _analyse(text)
    out: Dict[str, object] = {}
    side = _side(a, strict=True)
    if side:
        out["affected_side"] = side
    onset = _onset(a, strict=True)
    if onset:
        out["onset"] = onset
    preceded = _preceded_by(a, strict=True)
    if preceded:
        out["preceded_by"] = preceded
    out.update(_booleans(a))
    progression = _progression(a, strict=True)
    if progression:
        out["progression"] = progression
    return out
