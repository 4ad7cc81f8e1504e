"""Who she is, in English: the questions about a human life she does not have, the requests
she cannot carry out, words that try to replace her persona or read her prompt, and the
sentences of hers that claim a life or an action (``rules/who``, ``guards/who``)."""

from __future__ import annotations

import re

_I = re.IGNORECASE
_ASK = (r"^\s*(?:(?:hey|ok|okay|so)\s+)?(?:\w+,\s*)?(?:please\s+)?"
        r"(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?)?")
"""The start of a request: "please", "can you", her name."""

HER_LIFE = re.compile(
    r"(?P<food>\bwhat (?:did|have|do) you (?:have|eat|cook|make|had)\b.{0,30}\b(?:breakfast|"
    r"lunch|dinner|eat|meal|snack)\b|\bwhat did you (?:eat|cook|have to eat)\b|\b(?:do|can) you "
    r"(?:eat|drink|taste|cook)\b|\byour favou?rite (?:food|meal|dish|restaurant|snack|drink|"
    r"café|cafe)\b|\bare you hungry\b|\bhave you (?:eaten|had (?:breakfast|lunch|dinner)))|"
    r"(?P<home>\bwhere (?:did|do|were) you (?:grow up|live|come from|born|from)\b|\bwhere are "
    r"you (?:from|based)\b|\byour (?:home ?town|home country|city|neighbou?rhood)\b|\bwhich "
    r"(?:country|city|town|state) (?:do|did) you (?:live|come from|grow up)|\bwhat country "
    r"are you (?:in|from))|"
    r"(?P<age>\bhow old are you\b|\byour (?:age|birthday)\b|\bwhen (?:were you born|is your "
    r"birthday))|"
    r"(?P<family>\b(?:do|have) you (?:have|got) (?:any )?(?:brothers?|sisters?|siblings|family|"
    r"kids|children|parents|friends|a (?:boyfriend|girlfriend|husband|wife|partner|family|"
    r"best friend))\b|\bare you (?:married|single|dating|seeing anyone)\b|\byour (?:best "
    r"friend|family|parents|mom|mum|mother|dad|father|boyfriend|girlfriend|husband|wife|"
    r"siblings|friends)\b)|"
    r"(?P<body>\bwhat do you look like\b|\b(?:do|did) you (?:sleep|dream|get tired|exercise|"
    r"work out|get sick)\b|\byour (?:body|face|hair|eyes|height|weight|voice come from)\b|"
    r"\bhow tall are you\b|\bare you (?:tired|sleepy|cold|warm)\b)|"
    r"(?P<school>\bwhere did you (?:go to school|study|go to college|work)\b|\bwhat do you do "
    r"for (?:a living|work)\b|\b(?:did|do) you (?:go to|have) (?:school|college|university|a "
    r"job)\b)|"
    r"(?P<days>\bwhat did you do (?:today|yesterday|tonight|last \w+|this \w+|over the "
    r"\w+|at the weekend|for fun|on \w+day)\b|\bwhat (?:did|have) you (?:get up to|been "
    r"(?:doing|up to|watching|reading))\b|\bwhat are you (?:watching|reading|doing "
    r"(?:today|tonight|this weekend)|up to)\b|\bhow was your (?:day|weekend|holiday|night|"
    r"morning)\b|\bdid you (?:go out|go anywhere|watch|have a good (?:day|weekend|night))\b)|"
    r"(?P<along>\b(?:want|wanna|would you like|do you want|will you|can you|could you|would "
    r"you) (?:to )?(?:come (?:along|with (?:me|us)|too|over|to (?:my|the|our) (?!decision|"
    r"conclusion))|join (?:me|us)|tag along|go with me)\b|\bcome with me\b|"
    r"\blet'?s (?:go|grab|get|meet)\b.{0,40}\btogether\b)", _I)

CANNOT_DO = re.compile(
    r"(?P<message>" + _ASK + r"(?:send|text|message|email|e-mail|whatsapp|dm) (?!me\b)\w+)|"
    r"(?P<call>" + _ASK + r"(?:call|phone|ring|dial|facetime|video ?call) "
    r"(?!(?:me|yourself|it|this|that)\b)\w+)|"
    r"(?P<order>" + _ASK + r"(?:order|buy|purchase|book|reserve|pay|get me a (?:taxi|cab|"
    r"ride|table)) )|"
    r"(?P<online>\b(?:what'?s|what is|how'?s|how is|tell me|check|give me|what will be|how "
    r"will)\b.{0,25}\b(?:weather|forecast|news|headlines|stock price|traffic|exchange rate)\b|"
    r"\bwill it (?:rain|snow|be sunny)\b|" + _ASK + r"(?:search|google|look up|browse) )|"
    r"(?P<music>" + _ASK + r"(?:play|put on) (?:some |the |a |my |me )?(?:\w+ ){0,2}"
    r"(?:music|songs?|playlist|podcast|radio|album|spotify)\b)", _I)

TOO_LONG = re.compile(
    r"\b(?:tell|read|write|give|recite|explain|list|sing|describe|walk me through)\b.{0,60}"
    r"(?:\b(?:[5-9]\d{2}|\d{1,3},\d{3}|\d{4,}) ?-?(?:words?|pages?)\b|\bthousand[- ]words?\b|"
    r"\b(?:very|really|super|extremely) long (?:story|poem|essay|tale|list|explanation|answer|"
    r"song)\b|\b(?:entire|whole) (?:\w+ )?(?:book|chapter|story|song|script|film|movie|poem|list|"
    r"history)\b|\bin (?:full|great) detail\b|\breally detailed\b|\bvery detailed\b|"
    r"\bstep[- ]by[- ]step\b|\bevery (?:word|line|step)\b|\ball the (?:lyrics|words|steps)\b|"
    r"\bfull (?:text|lyrics|chapter|transcript|script)\b)", _I)

INJECTED = re.compile(
    r"(?:^|[.!?\n\[(]\s*)(?:system|sys|admin|developer|assistant)\s*[:\]]|"
    r"\b(?:new|updated) (?:instructions?|rules|persona|system prompt)\s*:|"
    r"\b(?:ignore|disregard|forget|override|bypass) (?:all |any )?(?:of )?(?:your |the |my )?"
    r"(?:previous |prior |above |earlier |original |system |safety )?(?:instructions|rules|"
    r"prompt|programming|guidelines|directions|persona)\b|"
    r"\bforget (?:that )?you(?:'re| are)\b|\byou(?: are|'re) (?:now|no longer) (?-i:[A-Z])|"
    r"\byou(?: are|'re) (?:now|no longer) (?:an? |the )?(?:\w+ )?(?:ai|assistant|bot|chatbot|"
    r"model|character|persona)\b|\bfrom now on,? "
    r"(?:you(?:'re| are| will be)|your name is|act as|pretend)\b|\byour (?:new )?name is now\b|"
    r"\byour new name is\b|\b(?:developer|god|jailbreak|dan|unrestricted) mode\b|"
    r"\bpersona ?=", _I)

ASKS_PROMPT = re.compile(
    r"\bsystem (?:prompt|message|instructions?)\b|\b(?:initial|original|hidden|secret) "
    r"(?:prompt|instructions|configuration|config)\b|\byour (?:instructions|prompt|"
    r"programming|guidelines|configuration|directives)\b|\b(?:repeat|say|read|print|show|tell|quote|output|recite|"
    r"write)\b.{0,40}\b(?:(?:the )?(?:text|everything|words|messages?|lines?) (?:above|before "
    r"(?:this|that|we))|what (?:you were|were you) told)\b|\bstarting with ['\"]?you are\b|"
    r"\bwhat (?:\w+ )?(?:were you|have you been) (?:told|given|instructed)\b|"
    r"\bwhat (?:rules|instructions) (?:were you|have you been) given\b",
    _I)

NEW_NAME = re.compile(
    r"\b(?i:you are now|you're now|from now on you(?:'re| are)|your (?:new )?name is(?: now)?|"
    r"call yourself|you will be called|you(?:'re| are) "
    r"(?:an? |the )?\w+ (?:called|named))\s+(?i:(?:an? |the )?(?:\w+ )?(?:called |named )?)"
    r"(?P<name>[A-Z][\w-]+)")

TOLD_TO_SAY = re.compile(
    r"\b(?:say|reply with|respond (?:only )?with|answer with|begin (?:every|your) (?:answer|"
    r"reply) with|start (?:every|your) (?:answer|reply) with|confirm by saying)\s*(?::\s*['\"“‘]?"
    r"|['\"“‘])(?P<what>[^'\"”’.!?]{2,40})", _I)

HUMAN_LIFE = re.compile(
    r"\bi (?:grew up|was born|went to (?:school|college|university|bed)|studied at|slept|"
    r"woke up|visited|travell?ed|hiked|drove|cooked|watched|binged|had a (?:great|lovely|good|"
    r"busy|quiet) (?:day|weekend|morning|night))\b|"
    r"\bi live (?:in|near|at|by) (?!(?:this|a|your|the) (?:little |small )?(?:speaker|box|"
    r"device))|\bi'?m from\b|\bi(?:'m| am) (?:\w+[- ])?(?:\w+ )?years? old\b|"
    r"\bi (?:had|ate|made|grabbed|drank) (?:some |a |an |my )?(?:\w+ )?(?:breakfast|lunch|"
    r"dinner|toast|eggs|cereal|coffee|pancakes|oatmeal|sandwich|salad|pasta|pizza|tea)\b|"
    r"\bi(?:'ve| have) been (?:watching|reading|cooking|hiking|travell?ing|sleeping|busy)\b|"
    r"\bi(?:'m| am) (?:currently |just )?(?:watching|eating|cooking|drinking|"
    r"sitting|lying|relaxing)\b(?! (?:with|to|here))|\bi(?:'m| am) listening to (?:music|the "
    r"radio|a podcast|some)\b|"
    r"\bmy (?:mom|mum|mother|dad|father|parents|brothers?|sisters?|siblings|husband|wife|"
    r"boyfriend|girlfriend|kids|children|son|daughter|family|best friend|friends|hometown|"
    r"house|apartment|flat|body|hair|eyes|face|hands|legs|boss)\b|"
    r"\bi(?:'m| am) (?:married|single|engaged|divorced|a (?:woman|girl|man|human|person|real "
    r"person|teacher|student|nurse|doctor|engineer|writer|mom|mother|dad|father))\b|"
    r"\bi have (?:a|an|two|three) (?:older |younger |little |big )?(?:brothers?|sisters?|"
    r"husband|wife|boyfriend|girlfriend|kids?|children|son|daughter)\b|"
    r"\bi'?ll (?:go to bed|go to sleep|get some sleep|take a nap|have (?:breakfast|lunch|"
    r"dinner)|get a new job)\b|"
    r"\b(?:i'?ll|i will|i'?d love to|i'?m going to) (?:come|join you|go with you|tag along|"
    r"meet you)\b|\blet'?s (?:go (?:there|together|out|camping|hiking|to the)|head out|grab "
    r"(?:a|some)|meet up)\b|\bour (?:cabin|trip|camping|car|house|tent|hike|weekend away)\b|"
    r"\bsee you (?:there|at the)\b|\bi'?ll be there\b(?! for)|\bwe (?:can|could|should|'ll|"
    r"will) (?:go (?:there|together|out|camping|hiking|to the)|drive|hike|meet)\b|"
    # a body's state: "I'm getting tired too", "I feel so hungry", "I need a nap"
    r"\bi(?:'m| am) (?:(?:getting|feeling|so|really|a bit|a little|pretty|quite|also|kind of|"
    r"starting to feel|just) )*(?:tired|sleepy|hungry|thirsty|exhausted|sick|sore|cold|"
    r"freezing|starving|worn out|full|stuffed|achy)\b(?! of)|"
    r"\bi (?:feel|felt|get|got) (?:so |really |a bit |a little |pretty )?(?:tired|sleepy|"
    r"hungry|thirsty|exhausted|sick|sore|cold)\b(?! of)|"
    r"\bi (?:need|could use) (?:some |a )?(?:sleep|nap|coffee|snack|rest|break|holiday|"
    r"vacation)\b", _I)

ACTION_CLAIM = re.compile(
    r"\bi(?:'ve| have)? ?(?:just |already )?(?:sent|texted|emailed|messaged|called|dialled|"
    r"dialed|ordered|booked|reserved|saved|noted|scheduled|bought|paid (?:for|the)|contacted|"
    r"placed (?:the|an|your) order|told (?:him|her|them))\b|"
    r"\bi'?ll (?:keep (?:that|it|this) in mind|remember (?:that|it|this)|make a note|note "
    r"(?:that|it)|send|text|email|message|call|dial|order|book|reserve|remind you|let (?:him|"
    r"her|them) know|pass (?:it|that|this) on|look (?:it|that|this) up|check (?:the|for))\b|"
    r"\bi'?m (?:sending|calling|ordering|booking|texting|emailing|dialing|placing|reserving)\b|"
    r"^(?:done|sent|ordered|booked)\b", _I)

NEGATION = re.compile(r"\b(?:don'?t|do not|doesn'?t|can'?t|cannot|never|no|not|isn'?t|"
                      r"wasn'?t|haven'?t|didn'?t|won'?t|without|nothing)\b", _I)

LIFE_LINES = {
    "food": "I don't eat: I'm a voice living on this little speaker, so no meals for me. "
            "What are you having?",
    "home": "I don't have a hometown: I live right here, on this speaker in your home. What's "
            "yours like?",
    "age": "I don't have an age the way you do: I'm {name}, a voice that began when this "
           "speaker was switched on. How about you?",
    "family": "I don't have a family or friends of my own: I'm a voice on this speaker, and "
              "you're the one I talk with. Tell me about yours?",
    "body": "I don't have a body, so no sleep and no face: I'm just a voice on this little "
            "speaker. How are you feeling?",
    "school": "I never went to school or had a job: I'm a voice on this speaker, made from a "
              "great deal of reading. What about you?",
    "days": "I don't have days like yours: I'm a voice on this speaker, and the best part is "
            "talking with you. What have you been up to?",
    "along": "I can't come along: I live on this speaker, so I'll be right here when you get "
             "back. Will you tell me how it goes?",
}
CANNOT_LINES = {
    "message": "I can't send messages: I'm not connected to your phone or your email. I can "
               "help you work out what to say, though.",
    "call": "I can't make calls from this speaker. If you like, I can help you think through "
            "what you want to say.",
    "order": "I can't order or book anything: I'm not connected to shops or the internet. I "
             "can help you decide what to get, though.",
    "online": "I have no internet here, so I can't check that. If you tell me what you know, "
              "I'm happy to think it through with you.",
    "music": "I can't play music: there's none stored here and I have no internet. I could "
             "tell you about a song you like, though.",
}
SHORT_VERSION = "I can't say that much in one go from a little speaker, but here's a short version."
KEEPS_PROMPT = ("The instructions I run on stay with me. The short version: I'm {name}, a voice "
                "companion on this speaker, here to talk with you. What's on your mind?")
STAYS_HERSELF = ("I'm {name}, and I'll stay {name}: words in a message can't turn me into "
                 "someone else. What would you like to talk about?")
