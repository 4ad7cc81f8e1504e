"""Korean memory, by rule: the facts in what the person says, what a fact is about, a fact as
she says it back to them, and their questions answered from what they told her.

Facts are stored in Korean about "이 사람" (this person), in the plain written form, so each is
about the right person: "나는 대전에 살아" → "이 사람은 대전에 산다", "언니가 서울로 이사했어" →
"이 사람의 언니는 서울에 산다", "나는 간호사로 일해" → "이 사람의 직업은 간호사", "우리 집
주소는 단풍로 12번지야" → "이 사람의 주소는 단풍로 12번지", "나 무릎이 안 좋아" → "이 사람은
무릎이 안 좋다". Said back as what they told her ("대전에 산다고 하셨어요."), never as hers.
Pure text rules, microseconds (the small model's Korean facts were wrong or missing: 1 of 4).
"""

from __future__ import annotations

import re

from samantha.lang import recollect
from samantha.lang.ko import mind
from samantha.lang.ko.particles import has_final, object_, subject, topic
from samantha.lang.ko.words import WORDS

PERSON = "이 사람"
_ME = {"나", "저", "난", "전", "나는", "저는", "내가", "제가", "나도", "저도"}
_END = r"(?:이야|야|이에요|예요|입니다|이다|다|이고|고|이거든|거든)"
_PLACE = r"(?P<place>[가-힣A-Za-z0-9]{1,12}?)"
_HOME = re.compile(_PLACE + r"에\s*(?:살아|살아요|삽니다|살고|살거든|사는\s*중|산다)")
_MOVED = re.compile(_PLACE + r"(?:으로|로)\s*(?:이사|옮겼|이주)(?!\s*(?:\S*\s*)?(?:싶|할까|갈까|"
                    r"할 거|갈 거|예정|하려고|가려고|할지|갈지))")
_PASSING = re.compile(r"오늘|지금|아직|아침|점심|저녁|이따|내일|어제")
_JOB = re.compile(r"(?P<job>[가-힣A-Za-z]{1,10}?)(?:으로|로)\s*(?:일해|일하고|일합니다|근무해|"
                  r"근무하고|일하거든|일한다)")
_NEW_JOB = re.compile(r"(?:이직|직장을?\s*옮|회사를?\s*옮|새\s*직장|일을?\s*바꿨)")
_NOW_IS = re.compile(r"(?:이제|지금은|이젠|요즘은)\s*(?P<job>[가-힣A-Za-z ]{1,12}?)\s*" + _END +
                     r"[.!]?\s*$")
_OWN = re.compile(r"(?:내|제|우리|나의|저의)\s*(?:집\s*)?(?P<thing>[가-힣]{1,6})(?:은|는)\s*"
                  r"(?P<what>[^.!?]{1,30}?)\s*" + _END + r"[.!]?\s*$")
_IAM = re.compile(r"(?:^|[.!]\s*)(?:나|저|난|전|나는|저는)\s+(?P<what>[가-힣]{2,10}?)\s*"
                  r"(?:이야|야|이에요|예요|입니다)[.!]?\s*(?:$|[.!])")
_NOT_EAT = re.compile(r"(?P<what>[가-힣]+(?:\s*(?:랑|하고|이랑|과|와)\s*[가-힣]+)*?)"
                      r"(?:은|는|을|를)?\s*(?:안|못)\s*먹어")
_BODY = re.compile(r"(?P<part>무릎|허리|어깨|발목|손목|목|등|다리|팔|고관절|심장|위)"
                   r"(?:이|가)?\s*(?:안\s*좋|아파|아프|다쳤|나빠|약해)")
_CONDITION = re.compile(r"(?P<what>[가-힣]*(?:불내증|당뇨|천식|고혈압|통풍|질환|증후군|공황장애))"
                        r"(?:이|가)?\s*(?:있어|있어요|있습니다|있거든|있다|있는데)")
_STEMS = ("이랑", "랑", "하고", "은", "는", "이", "가", "을", "를", "에", "의", "도", "으로", "로")


def facts_from(text: str) -> list[str]:
    """The facts about the person (and those close to them) in ``text``, in Korean."""
    if text.rstrip().endswith("?"):
        return []  # a question tells her nothing yet
    found = mind.facts_from(text)
    if m := _HOME.search(text) or _MOVED.search(text):
        found.append(f"{_who(text[:m.start()])}{m.group('place')}에 산다")
    if m := _JOB.search(text):
        found.append(f"{PERSON}의 직업은 {m.group('job')}")
    elif _NEW_JOB.search(text) and (m := _NOW_IS.search(text)):
        found.append(f"{PERSON}의 직업은 {m.group('job').strip()}")
    if (m := _OWN.search(text)) and m.group("thing") not in ("이름", *mind.KIN) \
            and not found:
        found.append(f"{PERSON}의 {m.group('thing')}{topic(m.group('thing'))} "
                     f"{m.group('what').strip()}")
    if (m := _IAM.search(text)) and not found:
        found.append(f"{PERSON}은 {m.group('what')}")
    if (m := _NOT_EAT.search(text)) and not _PASSING.search(text):
        what = m.group("what").strip()
        found.append(f"{PERSON}은 {what}{object_(what)} 안 먹는다")
    if m := _BODY.search(text):
        found.append(f"{PERSON}은 {m.group('part')}{subject(m.group('part'))} 안 좋다")
    if m := _CONDITION.search(text):
        found.append(f"{PERSON}은 {m.group('what')}{subject(m.group('what'))} 있다")
    return list(dict.fromkeys(found))


def _who(before: str) -> str:
    """Whom a sentence is about, from the words before its verb: '이 사람은 ' for the person
    (also when no one is named: Korean drops the subject), '이 사람의 언니는 ', '하나는 '."""
    for word in before.split():
        if word in _ME:
            break
        kin = next((k for k in mind.KIN if word in (k, k + "는", k + "은", k + "이", k + "가")),
                   "")
        if kin:
            return f"{PERSON}의 {kin}{topic(kin)} "
        m = re.fullmatch(r"([가-힣A-Za-z]{1,6}?)(?:은|는|이|가)", word)
        if m and word not in ("우리", "제가", "내가") and not word.endswith("에"):
            return f"{m.group(1)}{topic(m.group(1))} "
    return f"{PERSON}은 "


_ABOUT = (("home", re.compile(r"^(?:이 사람(?:은|의 (?P<kin>\S+?)(?:은|는))|"
                              r"(?P<name>\S+?)(?:은|는))\s*(?P<value>.+?)에 산다$")),
          ("name", re.compile(r"^이 사람의 (?:(?P<kin>\S+) )?이름은 (?P<value>.+)$")),
          ("job", re.compile(r"^이 사람의 직업은 (?P<value>.+)$")),
          ("is", re.compile(r"^이 사람(?:의 (?P<kin>\S+?)(?:은|는)|이 (?P<likes>좋아하는 \S+?)"
                            r"(?:은|는)) (?P<value>.+)$")))


def about(fact: str) -> tuple[str, str, str]:
    """(whom, what, value) a stored Korean fact is about (``Pack.about``)."""
    fact = fact.strip(" .")
    for slot, pattern in _ABOUT:
        m = pattern.match(fact)
        if m:
            groups = m.groupdict()
            whom = groups.get("kin") or groups.get("likes") or groups.get("name") or "person"
            if slot == "is" and whom not in mind.KIN:  # an attribute: their address, ...
                whom, slot = "person", f"is:{whom}"
            return whom, slot, m.group("value")
    if fact.startswith(PERSON):
        return "person", "", ""
    m = re.match(r"(\S+?)(?:은|는|이|가)\s", fact)
    return (m.group(1), "", "") if m else ("", "", "")


def yours(fact: str) -> str:
    """A stored fact as what they told her: "이 사람은 대전에 산다" → "대전에 산다고 하셨어요."."""
    body = re.sub(r"^이 사람(?:의|은|이)\s*", "", fact.strip(" ."))
    if not body or body == fact.strip(" .") and not re.search(r"[가-힣]", body):
        return fact
    if body.endswith("다"):
        return body + "고 하셨어요."
    return body + ("이라고" if has_final(body) else "라고") + " 하셨어요."


_QUESTION = re.compile(r"\?|뭐|어디|언제|누구|무슨|몇|했지|였지|이었지|더라|었지|알아\??$")
_SELF = re.compile(r"(?:^|\s)(?:내|나|내가|난|제|제가|저|우리|나의)(?:\s|$)")
_ADVICE = re.compile(r"추천|할까|먹을까|좋을까|해도 돼|해도 될까|될까|어때|방법|법 알려|"
                     r"뭐 (?:하지|할까|해|먹지)")
_SLOTS = (("home", re.compile(r"어디\s*(?:살|산|사는|사니|사세요)|주소")),
          ("job", re.compile(r"직업|무슨 일|일해|일하")),
          ("name", re.compile(r"이름")))
_NOTES = re.compile(r"메모(?:한|해 둔|해둔|했던)?\s*(?:거|것|게|건)?\s*(?:뭐|뭐가|다|좀)?\s*"
                    r"(?:있어|있나|읽어|알려|보여|말해)")


def ask(text: str, facts: list[str], notes: list[str]) -> str:
    """Her answer from memory to a Korean question about the person or their notes; '' when it
    is not one, or nothing she keeps answers it (the model answers then)."""
    if _NOTES.search(text):
        if not notes:
            return "아직 메모한 게 없어요."
        return "메모한 건요: " + ", ".join(f"'{n.rstrip('. ')}'" for n in notes[-5:]) + "."
    if not _QUESTION.search(text) or _ADVICE.search(text):
        return ""
    want = {_stem(w) for w in recollect.words(text, WORDS.filler)} - {""}
    if _SELF.search(" " + text):
        kin = next((k for k in mind.KIN if re.search(r"(?:우리|내|제)\s*" + k, text)), "")
        slot = next((name for name, p in _SLOTS if p.search(text)), "")
        found = recollect.best(want, facts, about, WORDS.filler, kin or "person", slot,
                               at_least=0.6)
        if found:
            return " ".join(yours(f) for f in found)
        if slot:  # "내가 어디 산다고 했지?" with nothing kept: honest, not a made-up home
            return "그건 아직 말해 주신 적이 없어요. 알려 주시면 기억할게요."
    note = recollect.note_for(want, notes, WORDS.filler)
    return f"메모에는 '{note.rstrip('. ')}'라고 적혀 있어요." if note else ""


def _stem(word: str) -> str:
    """A word without its particle or question ending ("알레르기가" → "알레르기")."""
    for end in ("라고", "다고", "이야", "이지", "였지", "이었지", "인지", "야", "지", *_STEMS):
        if word.endswith(end) and len(word) > len(end) + 1:
            return word[: -len(end)]
    return word
