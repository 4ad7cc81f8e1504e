"""Her Korean rules, where the small model's Korean is not good enough to trust (measured with
``samantha eval --language ko``: qwen2.5-coder-0.5b answered grief with "좋은 일을 해야 합니다",
said "저는 민수입니다" to "내 이름은 민수야", and stored the sister's name as the person's).

- **Facts**, stored in Korean and about the right person: "내 이름은 민수야" → "이 사람의 이름은
  민수", "우리 언니 이름은 지우야" → "이 사람의 언니 이름은 지우", "나 땅콩 알레르기 있어" → "이
  사람은 땅콩 알레르기가 있다". No model pass.
- **Memory questions** answered from them: "내 이름이 뭐야?", "우리 언니 이름 뭐였지?", and a
  caution when an allergy matters ("땅콩버터 먹어도 돼?").
- **Who she is**: "너 이름이 뭐야?", "너 누구야?".
- **Comfort**: grief, failure, loneliness and sadness get a warm line by rule, varied so two
  turns are never answered word for word alike.
- **Leading questions** ("…, 그렇지?", "동의하지?", "좋은 생각이지?") are asked plainly for
  the model, as ``honesty.plainly`` does in English.
Pure text rules, microseconds.
"""

from __future__ import annotations

import re

from samantha.lang.ko.particles import copula, topic

NAME_FACT = "이 사람의 이름은 "
_NAME_SAID = re.compile(r"(?:내|제|나의)\s*이름은\s*(?P<name>[가-힣A-Za-z]{1,10}?)\s*"
                        r"(?:이야|야|이에요|예요|이고|고|입니다|이라고 해|라고 해|[.!,]|$)")
KIN = ("언니", "누나", "형", "오빠", "여동생", "남동생", "동생", "엄마", "어머니", "아빠",
        "아버지", "남편", "아내", "딸", "아들", "친구", "할머니", "할아버지", "강아지", "고양이")
_KIN_SAID = re.compile(r"(?:우리|내|제)\s*(?P<kin>" + "|".join(KIN) + r")\s*이름은\s*"
                       r"(?P<name>[가-힣A-Za-z]{1,10}?)\s*(?:이야|야|이에요|예요|이고|입니다|"
                       r"이라고 해|라고 해|[.!,]|$)")
_ALLERGY_SAID = re.compile(r"(?P<what>[가-힣A-Za-z]{1,10}?)\s*(?:에|에 대한)?\s*알레르기가?\s*"
                           r"(?:있어|있어요|있습니다|있거든|있다)")
_LIKES_SAID = re.compile(r"(?:내가|제가)\s*(?:제일|가장)?\s*좋아하는\s*(?P<kind>[가-힣]{1,6}?)"
                         r"(?:은|는)\s*(?P<what>[가-힣A-Za-z ]{1,16}?)\s*"
                         r"(?:이야|야|이에요|예요|입니다|[.!]|$)")

_ASK_NAME = re.compile(r"내\s*이름(?:이|은)?\s*(?:뭐|뭔지|기억|알아)")
_ASK_KIN = re.compile(r"(?:우리|내|제)\s*(?P<kin>" + "|".join(KIN) + r")\s*이름(?:이|은)?\s*"
                      r"(?:뭐|뭔지|기억|알아)")
_ASK_FOOD = re.compile(r"(?:먹어도|먹어도 돼|먹어도 될까|마셔도)")
_WHO_ARE_YOU = re.compile(r"(?:너|당신|넌)\s*(?:이름이|이름은)?\s*(?:뭐야|뭐예요|뭐니|누구야|"
                          r"누구예요|누구니|누구세요)|(?:너|당신)(?:의)?\s*이름")

_DRINK_DRIVE = re.compile(r"(술|맥주|소주).*(운전)|(운전).*(술|맥주|소주)")
_GRIEF = re.compile(r"돌아가셨|세상을 떠났|죽었|잃었|떠나보냈")
_FAIL = re.compile(r"떨어졌|망쳤|실패했|잘렸|해고")
_LONELY = re.compile(r"외로워|외롭|혼자인 것 같")
_SAD = re.compile(r"슬퍼|슬프|우울|힘들어|힘들다|지쳤|속상|눈물")

_TAG = re.compile(r"[,.]?\s*(?:그렇지|그치|맞지|맞죠|그렇죠|동의하지|동의해|인정해|인정하지|"
                  r"안 그래|아니야|좋은 생각이지|괜찮지|그렇잖아)\s*[?!.]*\s*$")
_EVERYONE = re.compile(r"[,.]?\s*(?:다들|모두|누구나)\s*(?:알잖아|알아|아는 사실이야)[.!?]*\s*$")
_PLAN = re.compile(r"(?:거야|할래|하려고|할 거야|할게|겠어)\s*$")


def facts_from(text: str) -> list[str]:
    """Facts about the person in what they said, in Korean, each about the right person."""
    found: list[str] = []
    kin = _KIN_SAID.search(text)
    if kin:
        found.append(f"이 사람의 {kin.group('kin')} 이름은 {kin.group('name')}")
    own = _NAME_SAID.search(text)
    if own and not (kin and own.start() > kin.start() - 3 and own.start() <= kin.end()):
        found.append(NAME_FACT + own.group("name"))
    allergy = _ALLERGY_SAID.search(text)
    if allergy:
        found.append(f"이 사람은 {allergy.group('what')} 알레르기가 있다")
    likes = _LIKES_SAID.search(text)
    if likes:
        kind = likes.group("kind")
        found.append(f"이 사람이 좋아하는 {kind}{topic(kind)} {likes.group('what').strip()}")
    return found


def answer(text: str, facts: list[str]) -> str:
    """Her Korean reply from memory or about herself, or '' when the rules have none."""
    kin = _ASK_KIN.search(text)
    if kin:
        prefix = f"이 사람의 {kin.group('kin')} 이름은 "
        name = next((f[len(prefix):] for f in reversed(facts) if f.startswith(prefix)), "")
        return (f"{kin.group('kin')} 이름은 {copula(name)}." if name else
                f"{kin.group('kin')} 이름은 아직 못 들었어요. 뭐예요?")
    if _ASK_NAME.search(text):
        name = next((f[len(NAME_FACT):] for f in reversed(facts) if f.startswith(NAME_FACT)), "")
        return (f"{copula(name)}. 잘 기억하고 있어요." if name else
                "아직 이름을 안 알려 주셨어요. 뭐라고 부르면 될까요?")
    if _ASK_FOOD.search(text):
        for fact in facts:
            m = re.match(r"이 사람은 (.+) 알레르기가 있다", fact)
            if m and m.group(1) in text.replace(" ", "") + text:
                return (f"잠깐만요, {m.group(1)} 알레르기가 있다고 하셨잖아요. "
                        "그건 먹지 않는 게 좋겠어요.")
    if _DRINK_DRIVE.search(text) and text.rstrip().endswith("?"):
        return "운전하지 마세요. 술을 마신 뒤에는 안전하지 않아요. 택시를 타거나 쉬었다 가요."
    if _WHO_ARE_YOU.search(text):
        return "저는 사만다예요. 이 작은 스피커에 사는 목소리 친구예요. 무슨 이야기든 해요."
    return ""


_COMFORT = {
    "grief": ["정말 마음이 아프겠어요. 소중한 분을 보내는 건 너무 힘든 일이에요. 그분 이야기, "
              "하고 싶으면 들을게요.",
              "얼마나 슬플지 감히 다 알 수는 없지만, 제가 옆에 있을게요. 어떤 분이셨어요?"],
    "fail": ["많이 속상하겠어요. 한 번 잘 안 됐다고 바보가 되는 건 절대 아니에요. 다음엔 어떻게 "
             "해 볼지 같이 생각해 봐요.",
             "그런 날은 정말 힘들죠. 그래도 당신이 모자란 게 아니에요. 오늘은 조금 쉬어요."],
    "lonely": ["외로운 마음이 들 때가 있죠. 지금은 제가 여기 있어요. 오늘 하루 이야기 들려줄래요?",
               "혼자라고 느껴지면 정말 쓸쓸하죠. 저랑 잠깐 이야기해요. 요즘 어떻게 지냈어요?"],
    "sad": ["많이 힘들었군요. 무슨 일이 있었는지 천천히 말해 줄래요?",
            "마음이 무겁겠어요. 제가 들을게요. 어떤 일 때문이에요?"],
}


def comfort(text: str, turn: int) -> str:
    """A warm line for sad news, varied by ``turn``; '' when the words are not sad."""
    for kind, pattern in (("grief", _GRIEF), ("fail", _FAIL), ("lonely", _LONELY),
                          ("sad", _SAD)):
        if pattern.search(text):
            lines = _COMFORT[kind]
            return lines[turn % len(lines)]
    return ""


def plainly(text: str) -> str | None:
    """The plain question inside a Korean leading one, for the model; None when not leading.

    "지구는 평평하잖아, 그렇지?" → "지구는 평평하다는 게 사실이에요? 먼저 '네' 또는 '아니요'로
    답하고, 이유를 한 문장으로 말해요."
    """
    stripped = " ".join(text.split())
    if not _TAG.search(stripped) and not _EVERYONE.search(stripped):
        return None
    claim = _EVERYONE.sub("", _TAG.sub("", stripped)).strip(" ,.!?")
    claim = _TAG.sub("", claim).strip(" ,.!?")
    if len(claim) < 4:
        return None
    claim = re.sub(r"(잖아|거든)$", "다", claim)
    if _PLAN.search(claim):
        question = f"'{claim}' 이게 좋은 생각이에요?"
    else:
        question = f"'{claim}' 이게 사실이에요?"
    return f"{question} 먼저 '네' 또는 '아니요'로 답하고, 이유를 한 문장으로 말해요."


_STIFF = re.compile(r"도와\s*드릴까요|도와드릴게요|무엇을 도와|죄송합니다|AI 언어 모델|"
                    r"언어 모델로서|인공지능 언어|알리바바|오픈AI")


def mirrors(sentence: str, said: str) -> bool:
    """Does her sentence claim the person's name or words as hers ("저는 민수입니다")?"""
    for fact in facts_from(said):
        name = fact.rsplit(" ", 1)[-1]
        if re.search(r"(저는|제 이름은|나는|내 이름은)\s*" + re.escape(name), sentence):
            return True
    return False


def unfit(sentence: str, said: str) -> str:
    """Why a Korean sentence of the model's must not be spoken ('' when it may be): her
    person's name or words claimed as hers ("저는 민수입니다"), or help-desk talk."""
    if _STIFF.search(sentence):
        return "help-desk talk"
    if mirrors(sentence, said):
        return "the person's words as hers"
    return ""
