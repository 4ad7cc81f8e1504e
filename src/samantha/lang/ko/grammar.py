"""Korean grammar by Kiwi (kiwipiepy), the morphological analyser: particles, speech level and
words that do not exist.

Kiwi is loaded once, lazily, the first time a Korean sentence needs it (about 1 s and 200-310 MB;
see the README's "Korean grammar"), so an English turn never pays for it. Everything here is a
pure function of the sentence; when the analysis is not clear the sentence is left as it was.

- ``particle("사과", "을/를")`` -> "사과를": the particle by the final consonant (batchim), with
  ㄹ taking 로 in (으)로.
- ``to_level(sentence, "haeyo" | "banmal")``: a 합니다체, 반말 or 해요체 sentence ending (the
  final-ending morpheme, tag EF) conjugated to the owner's level and joined back by ``Kiwi.join``.
- ``unreadable(sentence)``: the first content word Kiwi cannot read (an out-of-vocabulary noun
  such as "약당근무"), or None.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiwipiepy import Kiwi, Token

log = logging.getLogger(__name__)
LEVELS = ("haeyo", "banmal")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_lock = threading.Lock()
_kiwi: Kiwi | None = None


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


def kiwi() -> Kiwi:
    """The one analyser, loaded on first use (thread-safe). One worker thread and no multi-word
    dictionary: the smallest footprint that reads her sentences."""
    global _kiwi
    with _lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi  # imported here: English turns never load it

            start = time.monotonic()
            _kiwi = Kiwi(num_workers=1, load_multi_dict=False)
            log.info("Korean analyser (Kiwi) loaded in %.1f s", time.monotonic() - start)
        return _kiwi


# particles ------------------------------------------------------------------------------

_PAIRS = {  # pair as written -> (after a final consonant, after a vowel)
    "은/는": ("은", "는"), "는/은": ("은", "는"), "이/가": ("이", "가"), "가/이": ("이", "가"),
    "을/를": ("을", "를"), "를/을": ("을", "를"), "과/와": ("과", "와"), "와/과": ("과", "와"),
    "아/야": ("아", "야"), "야/아": ("아", "야"), "이에요/예요": ("이에요", "예요"),
    "이야/야": ("이야", "야"), "으로/로": ("으로", "로"), "로/으로": ("으로", "로"),
    "(으)로": ("으로", "로"),
}
_RIEUL = 8  # index of ㄹ among the final consonants
_DIGIT_FINAL = {"0": 21, "1": _RIEUL, "2": 0, "3": 16, "4": 0, "5": 0, "6": 1, "7": _RIEUL,
                "8": _RIEUL, "9": 0}  # 영 일 이 삼 사 오 육 칠 팔 구
_LATIN_FINAL = {"l": _RIEUL, "r": _RIEUL, "m": 16, "n": 4, "b": 17, "k": 1, "p": 17, "t": 19}


def final_consonant(word: str) -> int:
    """Index (1-27) of the final consonant the last syllable of ``word`` is read with; 0 for a
    vowel. Digits are read the Korean way, Latin letters roughly as loanwords ("Google" 구글)."""
    stripped = word.rstrip(" \t\"')]}.,!?")
    if not stripped:
        return 0
    last = stripped[-1]
    if "\uac00" <= last <= "\ud7a3":
        return (ord(last) - 0xAC00) % 28
    if last.isdigit():
        return _DIGIT_FINAL.get(last, 0)
    return _LATIN_FINAL.get(last.lower(), 0)


def particle(word: str, pair: str) -> str:
    """``word`` with the right one of ``pair`` attached: particle("사과", "을/를") == "사과를",
    particle("서울", "(으)로") == "서울로". An unknown pair raises ValueError naming the known."""
    try:
        after_consonant, after_vowel = _PAIRS[pair]
    except KeyError:
        raise ValueError(f"unknown particle pair {pair!r}; use one of "
                         f"{', '.join(sorted(_PAIRS))}") from None
    final = final_consonant(word)
    consonant = final != 0 and not (after_vowel == "로" and final == _RIEUL)
    return word + (after_consonant if consonant else after_vowel)


# speech level -----------------------------------------------------------------------------

_FORMAL = ("습니다", "ᆸ니다", "습니까", "ᆸ니까", "ᆸ시다", "ᆸ시오", "십시오")
_ADD_YO = frozenset(("지", "네", "ᆯ게", "을게", "ᆯ까", "을까", "는데", "은데", "ᆫ데", "거든",
                     "잖아", "래", "걸", "ᆯ걸", "을걸", "나", "고", "어", "아"))
_TO_HAEYO = {"다": "어요", "ᆫ다": "어요", "는다": "어요", "니": "어요", "냐": "어요",
             "느냐": "어요", "자": "어요", "구나": "군요", "군": "군요", "지": "죠"}
_TO_BANMAL = {"죠": "지", "지요": "지", "군요": "구나", "세요": "어", "어요": "어", "아요": "어",
              "요": ""}
_ENDING = frozenset(("EF",))
_QUESTION_EC = frozenset(("니", "습니다", "ᆸ니다", "습니까", "ᆸ니까", "어요", "아요", "지요",
                          "죠", "네요", "세요"))


def level_of(form: str) -> str | None:
    """'formal' (합니다체), 'haeyo' or 'banmal' for a final ending's form; None when unknown."""
    if form.startswith(_FORMAL) or form in _FORMAL:
        return "formal"
    if form.endswith(("요", "죠")):
        return "haeyo"
    if form in _ADD_YO or form in _TO_HAEYO or form in ("야", "어", "아"):
        return "banmal"
    return None


def _final_endings(tokens: Sequence[Token]) -> list[int]:
    """Indexes of the endings that close a sentence or clause: EF, or an ending Kiwi tagged EC
    that sits before a full stop or comma ("했니?", "있습니다,"). Endings inside quotes are the
    quoted speaker's and are skipped."""
    found: list[int] = []
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.tag == "SSO":
            depth += 1
        elif tok.tag == "SSC":
            depth = max(0, depth - 1)
        if depth or not tok.tag.startswith("E"):
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        closes = nxt is None or nxt.tag in ("SF", "SP", "SE", "SW") or (
            nxt.word_position != tok.word_position and nxt.tag.startswith("S"))
        if tok.tag in _ENDING and (closes or nxt is None or nxt.word_position != tok.word_position):
            found.append(i)
        elif tok.tag == "EC" and closes and tok.form in _QUESTION_EC:
            found.append(i)
    return found


def levels(sentence: str) -> list[str]:
    """The speech level of each sentence ending in ``sentence`` ('formal', 'haeyo', 'banmal';
    unknown endings left out). Empty for a sentence without Hangul."""
    if not _HANGUL.search(sentence):
        return []
    tokens = kiwi().tokenize(sentence)
    found = [level_of(tokens[i].form) for i in _final_endings(tokens)]
    return [lv for lv in found if lv]


def off_level(sentence: str, level: str = "haeyo") -> bool:
    """True when a sentence ending is not at the owner's ``level``."""
    return any(lv != level for lv in levels(sentence))


def _swap(morphs: list[tuple[str, str]], i: int, level: str) -> bool:
    """Rewrite the ending at ``morphs[i]`` to ``level`` in place; False when unsure."""
    form, tag = morphs[i]
    now = level_of(form)
    if now is None or now == level:
        return False
    prev = morphs[i - 1] if i else ("", "")
    if level == "haeyo":
        if now == "formal":
            new = "세요" if form in ("ᆸ시오", "십시오") else "어요"
        elif form in _TO_HAEYO:
            new = _TO_HAEYO[form]
        elif form in _ADD_YO or form == "야":
            new = "에요" if form == "야" else form + "요"
        else:
            return False
        if prev[1] in ("VCP", "VCN") and new == "어요":
            new = "에요"  # 학생입니다, 학생이다 -> 학생이에요
    else:
        if now == "formal":
            new = "자" if form == "ᆸ시다" else "어"
        elif form in _TO_BANMAL:
            new = _TO_BANMAL[form]
        elif form in ("에요", "예요", "이에요"):
            new = "야"
        elif form.endswith("요") and form[:-1] in _ADD_YO | {"구", "네", "는데", "거든"}:
            new = form[:-1]
        else:
            return False
        if prev[1] in ("VCP", "VCN") and new == "어":
            new = "야"
    if prev == ("시", "EP") and (form in ("ᆸ시오", "십시오") or new in ("어요", "어")):
        del morphs[i - 1]  # 하십시오 -> 하세요 / 해, 하시어요 -> 하세요
        i -= 1
        new = "세요" if level == "haeyo" else "어"
    if new:
        morphs[i] = (new, tag)
    else:
        del morphs[i]
    return True


def _join(morphs: list[tuple[str, str]]) -> str:
    """Kiwi's join within one word (no spaces added), with the copula done by hand: Kiwi
    writes 친구+이+에요 as "친구에요"."""
    if len(morphs) >= 2 and morphs[-2] == ("아니", "VCN"):
        return _join(morphs[:-2]) + ("아니에요" if morphs[-1][0] == "에요" else "아니야")
    if len(morphs) >= 3 and morphs[-2][1] == "VCP" and morphs[-1] in (("에요", "EF"), ("야", "EF")):
        pair = "이에요/예요" if morphs[-1][0] == "에요" else "이야/야"
        return particle(_join(morphs[:-2]), pair)
    joined: str = kiwi().join([(f, t, False) for f, t in morphs])
    return joined


def _onset(syllable: str) -> int:
    code = ord(syllable) - 0xAC00
    return code // 588 if 0 <= code < 11172 else -ord(syllable)


def _word(tokens: Sequence[Token], i: int, text: str) -> list[int]:
    """Indexes of the tokens of the written word that ends with ``tokens[i]``."""
    begin = text.rfind(" ", 0, tokens[i].start) + 1
    return [j for j in range(i + 1)
            if tokens[j].start >= begin and not tokens[j].tag.startswith("S")]


def to_level(sentence: str, level: str = "haeyo") -> str:
    """``sentence`` with every sentence ending conjugated to ``level`` ("haeyo" or "banmal").
    Quoted speech, endings Kiwi does not classify, and words whose rewrite Kiwi would not read
    back at the new level are left as written."""
    if level not in LEVELS:
        raise ValueError(f"unknown speech level {level!r}; use 'haeyo' or 'banmal'")
    if not _HANGUL.search(sentence):
        return sentence
    tokens: list[Any] = list(kiwi().tokenize(sentence))
    out = sentence
    for i in reversed(_final_endings(tokens)):  # from the end: earlier offsets stay valid
        word = _word(tokens, i, sentence)
        if not word or word[-1] != i:
            continue
        morphs = [(tokens[j].form, tokens[j].tag) for j in word]
        if level == "banmal" and tokens[i].form != "세요" and out[:tokens[i].end].endswith("세요"):
            continue  # 드세요 read as 드세+어요: the honorific stem is not Kiwi's to undo
        if not _swap(morphs, len(morphs) - 1, level):
            continue
        start, end = tokens[word[0]].start, tokens[i].end
        new = _join(morphs)
        closing = out[end:end + 1] if out[end:end + 1] in ".!?," else ""
        if not new or _onset(new[0]) != _onset(out[start]) \
                or not (_reads_as(new, level) or _reads_as(new + closing, level)):
            continue  # the stem came back changed, or Kiwi would not read it back: leave it
        out = out[:start] + new + out[end:]
    return out


def _reads_as(word: str, level: str) -> bool:
    """Kiwi reads the rewritten word back with its last ending at ``level``."""
    ends = [t.form for t in kiwi().tokenize(word) if t.tag.startswith("E")]
    return bool(ends) and level_of(ends[-1]) == level


# non-words ------------------------------------------------------------------------------

_CONTENT = ("NNG", "NNP", "VV", "VA", "XR", "MAG", "VV-I", "VV-R", "VA-I", "VA-R")
SPLIT_SCORE = -8.5
"""A noun Kiwi splits off the noun before it in one written word ("냉"+"단식") is read as part of
a compound when its language-model score is above this (생일+선물: -2.7, 주말+여행: -6.0, 죽+집:
-6.4); below it the pair is not a compound Korean uses (냉+단식: -13.2, 밥+당근: -14.7)."""


def unreadable(sentence: str, known: Iterable[str] = ()) -> str | None:
    """The first word of ``sentence`` that Kiwi cannot read, or None: a content morpheme out of
    its vocabulary ("약당근무"), or two nouns joined into a compound no one writes ("냉단식").
    ``known`` words are fine whatever Kiwi says (her name, names the person said)."""
    return next(iter(unreadable_words(sentence, known)), None)


def unreadable_words(sentence: str, known: Iterable[str] = ()) -> list[str]:
    """Every word of ``sentence`` that Kiwi cannot read (as ``unreadable``), in order, once."""
    if not _HANGUL.search(sentence):
        return []
    fine = {w for k in known for w in k.split()}
    prev: Any = None
    found: list[str] = []
    for tok in kiwi().tokenize(sentence):
        odd = tok.tag in _CONTENT and tok.oov or (
            tok.tag == "NNG" and prev is not None and prev.tag == "NNG"
            and prev.end == tok.start and tok.score < SPLIT_SCORE)
        prev = tok
        if odd and _HANGUL.search(tok.form):
            word = _word_at(sentence, tok.start, tok.end)
            if word not in found and \
                    not any(word.startswith(f) or f.startswith(word) for f in fine if f):
                found.append(word)
    return found


def _word_at(text: str, start: int, end: int) -> str:
    left = text.rfind(" ", 0, start) + 1
    right = text.find(" ", end)
    return text[left: right if right >= 0 else len(text)].strip(".,!?")


# the first clause ---------------------------------------------------------------------------

CLAUSE_JOINS = frozenset(("고", "지만", "는데", "은데", "ᆫ데", "던데", "서", "어서", "아서",
                          "여서", "면", "으면", "면서", "으면서", "니까", "으니까", "며", "으며",
                          "거나", "다가", "도록"))
"""Connective endings that join two clauses, after which a speaker may pause ("비가 오면 | 우산을
챙기세요", "좋지만 | 너무 많이는"). Not the ones that lean on the next word ("해 보세요", "하지
않아요", "맛있게 먹어요")."""


def clause_end(text: str, min_words: int = 2) -> int | None:
    """Where her first clause may be spoken from the words streamed so far: just after a word
    that ends in a clause-joining ending, at least ``min_words`` words in, once the next word is
    whole and is not an auxiliary that leans on it ("먹고 싶어요", "하고 있어요"). None: not
    yet."""
    if not _HANGUL.search(text):
        return None
    tokens = kiwi().tokenize(text)
    for i, tok in enumerate(tokens[:-1]):
        if tok.tag != "EC" or tok.form not in CLAUSE_JOINS or text[tok.end:tok.end + 1] != " ":
            continue
        nxt = tokens[i + 1]
        if nxt.start <= tok.end or text.find(" ", nxt.start) < 0:
            continue  # the ending is inside a word, or the next word is still being written
        if nxt.tag.startswith("VX") or len(text[:tok.end].split()) < min_words:
            continue
        return int(tok.end) + 1
    return None


# parroting --------------------------------------------------------------------------------

_WORD_TAGS = ("NNG", "NNP", "NR", "VV", "VA", "XR", "MAG", "VX")
_YOU = frozenset(("너", "당신", "네", "니"))


def content_words(sentence: str) -> list[str]:
    """The lemmas of the content morphemes (nouns, verb and adjective stems, adverbs)."""
    return [t.form for t in kiwi().tokenize(sentence) if t.tag.split("-")[0] in _WORD_TAGS]


def speaks_to_you(sentence: str) -> bool:
    """A question, an honorific (시: the person is the subject) or 너/당신: her sentence is
    about the person, not a claim about herself."""
    tokens = kiwi().tokenize(sentence)
    return sentence.rstrip().endswith("?") or any(
        (t.tag == "EP" and t.form in ("시", "으시")) or t.form == "세요"
        or (t.tag == "NP" and t.form in _YOU) for t in tokens)


_OPEN = ("EC", "ETM", "MAJ", "MM", "IC")
"""Last morphemes after which nobody stops: a connective ending ("-고", "-는데"), an adnominal
ending ("먹는"), a conjunctive adverb ("그런데"), a determiner ("그", "무슨"), a filler ("음")."""


def open_ended(words: str) -> bool:
    """Do ``words`` end on a particle or one of ``_OPEN`` ("내일 날씨가", "전화하고")?"""
    tokens = kiwi().tokenize(words.strip().rstrip(".,… "))
    if not tokens:
        return False
    tag = tokens[-1].tag
    return tag.startswith("J") or tag in _OPEN

