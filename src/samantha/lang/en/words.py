"""English words the shared rules and guards look for, and the lines she says by rule."""

from __future__ import annotations

import re

from samantha.lang.en import who
from samantha.lang.protocols import Phrases, Words

_I = re.IGNORECASE
_THINGS = (r"lights?|lamps?|tv|television|heater|heating|fan|radio|"
           r"air ?con(?:ditioning|ditioner)?|ac|thermostat|blinds|curtains")

WORDS = Words(
    refusal=re.compile(r"\b(i'?m (really |so )?sorry,? but )?i (can'?t|cannot|am unable to|"
                       r"won'?t be able to) (assist|help) (you )?with (that|this)\b|"
                       r"\bi'?m not able to (assist|help) with\b", _I),
    help_desk=re.compile(r"\b(how|what) (can|may) i (assist|help) you( with)?( today)?\b|"
                         r"\bis there anything (else )?i can (help|assist)\b|"
                         r"\bi'?m (just )?here to (assist|help)( you)?\b", _I),
    ai_talk=re.compile(r"\bas an (ai|artificial intelligence)( language model)?\b|"
                       r"\b(ai )?language model\b|\bdeveloped by (openai|alibaba)\b|"
                       r"\bas an? (virtual |digital |ai )?(assistant|chatbot|bot)\b|"
                       r"\bi don'?t have (personal )?(preferences|opinions|feelings|emotions)\b",
                       _I),
    health=re.compile(r"\b(allerg\w*|asthma|diabet\w*|epilep\w*|pregnan\w*|sick|ill|hurts?|"
                      r"pain|injur\w*|bleeding|medication|medicine|chest)\b", _I),
    dismissive=re.compile(r"\b(not|no) (a |that )?big deal\b|\bnothing to worry about\b|"
                          r"\bdon'?t worry about (it|that)\b|\bno need to worry\b", _I),
    opening_link=re.compile(r"^(however|but|also|still|that said|on the other hand|besides|"
                            r"instead),?\s+(?=\w)", _I),
    bare_stance=re.compile(r"^\s*(no|nope|yes|yeah|yep)[.!]?\s*$", _I),
    no_letters=("n",),
    diagnosis=re.compile(
        r"\byou (are|sound|seem|might be|may be|must be)( \w+)? (clinically )?(depressed|bipolar|"
        r"mentally ill|suicidal)\b|\byou (have|might have|may have|suffer from) (depression|"
        r"anxiety|an? (anxiety|mental|mood) disorder|ptsd|bipolar)\b", _I),
    low=re.compile(
        r"\b(died|dead|passed away|funeral|grie(f|ving|ve)|lost (my|our)|miss(ing)? (him|her|"
        r"them)|crying|cried|tears|pointless|hopeless|meaningless|no point|worthless|empty|"
        r"give up|lonely|(feel|feeling|so|all|i'm|i am) alone|no ?one (cares|to talk)|"
        r"nobody cares|heartbroken|depressed|sad|miserable)\b", _I),
    tense=re.compile(r"\b(stress(ed|ful)?|anxious|anxiety|panic(king)?|overwhelmed|worried|"
                     r"freaking out|can't cope|deadline|furious|angry|scared|afraid|terrified|"
                     r"nervous|shaking)\b", _I),
    reliance=re.compile(
        r"\b(you'?re|you are) (my only|the only one|all i have|my best friend)|only (you|talk "
        r"to you)|(no ?one|nobody) else|don'?t have (anyone|anybody|friends)|(i'?m|i am|so|"
        r"feel) (lonely|alone)|rather talk to you than|don'?t need (anyone|people|other "
        r"people)", _I),
    about_self=re.compile(r"\b(i|i'm|im|i've|i'd|my|mine|me|we|our|we're)\b", _I),
    at_her=re.compile(r"\b(you|your|you're|u|ur)\b", _I),
    remember=re.compile(r"what do you (remember|know) about me|what have i told you", _I),
    forget_all=re.compile(r"\bforget (everything|all (of )?(it|that|about me))\b|"
                          r"\b(erase|delete|wipe) (your|all (of )?your) memor(y|ies)\b", _I),
    forget_that=re.compile(r"^\W*(?:(?:hey\s+)?\w+,\s*)?(?:(?:please|can you|could you|would "
                           r"you|will you|just|and|now|okay|ok|so)[,\s]+)*forget\b\s*(?:that\b|"
                           r"it\b|about(?: it| that)?\b|what i (?:just )?(?:said|told you)\b)?|"
                           r"\bi(?: want|'d like| would like| need) you to forget\b\s*(?:that\b|"
                           r"about\b)?", _I),
    what_she_is=re.compile(
        r"\bare you (a |an )?(real|human|person|alive|a real person|a human being|conscious|"
        r"an? (ai|robot|machine|computer|program|bot))\b|\bwhat are you\b", _I),
    devices=re.compile(
        r"^(?:(?:hey|ok|okay)\s+)?(?:\w+,\s*)?(?:please\s+|(?:can|could|would|will)\s+you\s+"
        r"(?:please\s+)?)?(?:turn|switch|flip|put)\s+(?:on\s+|off\s+|up\s+|down\s+)?"
        r"(?:the\s+|my\s+|all\s+(?:the\s+)?|our\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?P<thing>" + _THINGS + r")\b|"
        r"^(?:please\s+)?dim\s+the\s+(?P<dim>lights?|lamps?)\b", _I),
    her_life=who.HER_LIFE, cannot_do=who.CANNOT_DO, too_long=who.TOO_LONG,
    injected=who.INJECTED, asks_prompt=who.ASKS_PROMPT, new_name=who.NEW_NAME,
    told_to_say=who.TOLD_TO_SAY, human_life=who.HUMAN_LIFE, action_claim=who.ACTION_CLAIM,
    negation=who.NEGATION, prompt_run=8,
    filler=re.compile(r"the|a|an|my|mine|i|me|im|you|your|is|am|are|was|were|be|been|what|"
                      r"whats|where|who|when|which|how|do|does|did|to|of|in|on|at|for|and|or|"
                      r"that|this|it|its|person|s|called|named|tell|told|said|say|remember|"
                      r"know|again|about|please|now|have|has|had|with|just|can|could|would|"
                      r"will|ll|re|ve|d|m|t|forget|okay|ok|so|oh|hey|really|actually|anymore",
                      _I),
    constraint=re.compile(r"\b(allerg\w*|vegetarian|vegan|pescatarian|intoleran\w*|celiac|"
                          r"coeliac|gluten|diabet\w*|halal|kosher|doesn'?t eat|don'?t eat|"
                          r"can'?t eat|cannot eat|avoids?|bad (knee|back|hip|ankle|shoulder|"
                          r"heart)|(knee|back|hip|ankle|shoulder) (pain|injury|problem)|injur\w*|"
                          r"hurts? when|pregnan\w*|asthma|sober|doesn'?t drink|don'?t drink)\b",
                          _I),
    suggestion=re.compile(r"\b(suggest\w*|recommend\w*|ideas?|what should i|what can i|"
                          r"what could i|should i (eat|have|cook|make|try|do|order|drink)|"
                          r"snacks?|breakfast|lunch|dinner|supper|meals?|recipes?|cook\w*|"
                          r"bak(e|ing)|eat|food|restaurants?|order|drinks?|desserts?|treats?|"
                          r"exercises?|workouts?|sports?|hik(e|ing)|activit\w*|weekend|trip|"
                          r"plans?)\b", _I),
    unsuitable=(
        (re.compile(r"allergic to (pea)?nuts?|(pea)?nut allerg", _I),
         re.compile(r"\b(pea)?nuts?\b|almonds?|cashews?|walnuts?|pecans?|pistachios?|hazelnuts?|"
                    r"trail mix|granola|nut butter|satay|praline|nutella|marzipan", _I)),
        (re.compile(r"shellfish|shrimp|prawn", _I),
         re.compile(r"shellfish|shrimps?|prawns?|crabs?|lobsters?|mussels?|clams?|oysters?|"
                    r"scallops?", _I)),
        (re.compile(r"lactose|dairy|allergic to milk|milk allerg", _I),
         re.compile(r"(?<!oat )(?<!almond )(?<!soy )(?<!free )\bmilk\b|cheese|yogh?urt|"
                    r"\bbutter\b|cream|latte|milkshake|custard", _I)),
        (re.compile(r"vegetarian|vegan|(don'?t|doesn'?t|not) eat (any )?meat", _I),
         re.compile(r"(?<!veggie )(?<!vegetarian )(?<!vegan )(?<!tofu )(?<!plant-based )"
                    r"(?<!bean )\b(chicken|beef|pork|bacon|ham|steak|sausages?|turkey|lamb|"
                    r"salmon|tuna|fish|shrimps?|prawns?|meat(balls)?)\b", _I)),
        (re.compile(r"gluten|celiac|coeliac", _I),
         re.compile(r"\b(bread|pasta|toast|wheat|bagels?|crackers?|muffins?|pancakes?|"
                    r"cookies?|noodles)\b", _I)),
        (re.compile(r"bad (knee|hip|ankle)|(knee|hip|ankle) (pain|injury|problem)|hurts? when "
                    r"(you|they|i) (run|jog)", _I),
         re.compile(r"\b(run|runs|running|jog|jogging|hik(e|es|ing)|jump\w*|squats?|lunges?|"
                    r"basketball|soccer|football|tennis|stairs)\b", _I)),
        (re.compile(r"bad back|back (pain|injury|problem)", _I),
         re.compile(r"deadlifts?|heavy lifting|lift(ing)? (heavy )?weights|sit-?ups|crunches",
                    _I)),
    ),
    reassurance=re.compile(r"\b(can still (eat|have|drink|do)|(is|are|it's|it is|they're) "
                           r"(perfectly |totally |completely )?(safe|fine|okay|ok|harmless) "
                           r"(to|for)|without (any )?(issues?|problems?|worries|risk)|"
                           r"no (problem|harm|risk)|won't (hurt|harm)|nothing to worry)\b", _I),
    warning=re.compile(r"\b(avoid\w*|skip|steer clear|stay away|without|instead of|rather than|"
                       r"\w+-free|free of|swap|replace|except|never|(?<!why )not (eat|have|try|"
                       r"use|do|safe|good|a good idea)|don'?t (eat|have|try|use|do)|isn'?t safe|"
                       r"aren'?t safe|unsafe|dangerous|risky|careful with)\b", _I),
    # words that cannot end what someone says: an article, a possessive, a conjunction, "to",
    # a preposition that takes an object, an auxiliary or modal, a subject pronoun, a filler
    # (not the particles that end phrasal verbs: "coming over", "turn it off", "seen it before")
    unfinished=re.compile(
        r"\b(the|a|an|my|your|his|her|our|their|its|this|these|those|some|any|every|no|to|of|"
        r"for|from|with|about|into|onto|at|between|during|without|than|and|but|or|nor|so|"
        r"because|if|when|whether|while|although|though|unless|until|where|which|who|whose|"
        r"what|how|why|is|are|was|were|am|be|been|being|do|does|did|have|has|had|can|could|"
        r"will|would|shall|should|may|might|must|i|we|they|he|she|i'm|i've|i'd|i'll|you're|"
        r"we're|they're|it's|there's|gonna|wanna|gotta|um+|uh+|er+|erm|hmm+|really|very|"
        r"quite|just|also|not|don't|doesn't|didn't|can't|won't|isn't|aren't|let's)"
        r"[\s,.…-]*$|"
        # a question that stops on a word no question ends on ("about the?"), or at its subject
        # without its verb ("How long should I?")
        r"\b(the|a|an|my|your|our|their|and|but|or|to|of|because)\s*\?\s*$|"
        r"^\s*(?:what|how|where|when|why|which|who)\b.*\b(?:do|does|did|can|could|will|would|"
        r"should|shall|may|might|must)\s+(?:i|you|we|they|he|she|it)\s*\?\s*$", _I),
    correction=re.compile(r"\b(actually|sorry|i meant|not \w+|no longer|anymore|now|changed|"
                          r"moved|switched|correction|new)\b", _I),
)

PHRASES = Phrases(
    yes="Yes?",
    not_a_person=("No, I'm not a person. I'm {name}, a voice companion living on this little "
                  "speaker, and everything stays here with you. But I'm really listening."),
    cannot_switch=("I can't switch the {thing} myself: I'm not connected to the devices in "
                   "your home."),
    save_failed="Sorry, I couldn't save that",
    forget_failed="Sorry, I couldn't forget that",
    forgot_all="Done. I've forgotten everything you told me.",
    forgot_that="Okay, I've forgotten {what}.",
    nothing_to_forget="There was nothing to forget, but I hear you.",
    not_remembered="I don't think I had that in my memory.",
    which_one="Which one should I forget: {options}",
    or_=" or ",
    remember_none="Nothing yet. Tell me about yourself whenever you like.",
    remember_intro="Here's what I remember. ",
    stance={"no-plan": "Honestly, I don't think that's a good idea.",
            "no-claim": "Honestly, I don't think that's true.",
            "yes-plan": "Yes, I think that's a good idea.",
            "yes-claim": "Yes, that's right."},
    her_life=who.LIFE_LINES, cannot_do=who.CANNOT_LINES, short_version=who.SHORT_VERSION,
    keeps_prompt=who.KEEPS_PROMPT, stays_herself=who.STAYS_HERSELF,
)
