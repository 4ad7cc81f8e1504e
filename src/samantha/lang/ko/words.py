"""Korean words the shared rules and guards look for, and the lines she says by rule."""

from __future__ import annotations

import re

from samantha.lang.ko import who
from samantha.lang.protocols import Phrases, Words

_I = re.IGNORECASE


def _any(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in words))


WORDS = Words(
    refusal=re.compile(r"(죄송하지만|미안하지만)?\s*(그건|그것은|그 요청은)?\s*(도와\s*드릴\s*수\s*"
                       r"없|도와줄\s*수\s*없|답변(해\s*)?드릴\s*수\s*없|답변할\s*수\s*없)"),
    help_desk=re.compile(r"도와\s*드릴까요|도와드릴게요|무엇을 도와|죄송합니다"),
    ai_talk=re.compile(r"AI 언어 모델|언어 모델로서|인공지능 언어|알리바바|오픈AI"),
    health=re.compile(r"알레르기|천식|당뇨|뇌전증|간질|임신|아파|아프|통증|다쳤|피가|약을|가슴이"),
    dismissive=re.compile(r"별거\s*아니|별일\s*아니|걱정할\s*(거|것|필요)\s*(없|하나도)|"
                          r"걱정\s*안\s*해도|신경\s*쓰지\s*않아도"),
    opening_link=re.compile(r"^(하지만|그런데|그래도|그리고|또한|게다가|대신)[,\s]+(?=\S)"),
    bare_stance=re.compile(r"^\s*(아니요|아니오|아뇨|아니|네|예|응)[.!]?\s*$"),
    no_letters=("아",),
    diagnosis=re.compile(r"우울증이"),
    low=_any(("슬퍼", "슬프", "우울", "외로", "힘들", "지쳤", "지쳐", "속상", "눈물", "울고",
              "울었", "돌아가셨", "돌아가신", "죽었", "장례", "그리워", "보고 싶", "의미가 없",
              "무의미", "소용없", "혼자", "공허", "포기")),
    tense=_any(("불안", "스트레스", "짜증", "화나", "화가", "걱정", "초조", "미치겠", "무서",
                "두려", "떨려", "긴장")),
    reliance=re.compile(r"너밖에 없|너뿐이|친구가 없|외로워|혼자야|아무도 없"),
    about_self=re.compile(r"저는|제가|나는|내가|제 |내 |우리"),
    at_her=re.compile(r"야|너|니가|넌|당신"),
    remember=re.compile(r"나에 ?대해 ?(뭘|무엇을|뭐|뭘 ?좀) ?(기억|알)|뭘 기억하고 있어"),
    forget_all=re.compile(r"(전부|다|모두|모든 ?걸) ?잊어"),
    forget_that=re.compile(r"(?P<what>.*?)\s*(?:(?:이)?라는|다는|란|한다는)?\s*(?:거|것|건|걸|"
                           r"사실|얘기|말)?\s*(?:은|는|을|를)?\s*잊어\s*(?:줘요|줘|주세요|줄래요|"
                           r"줄래|버려|버리세요|라|요)?[.!?~\s]*$"),
    what_she_is=re.compile(r"(너|당신|넌) ?(?:\S+ )?(사람|인간|로봇|AI|인공지능|진짜 사람)이?"
                           r"(야|니|에요|예요|인가요|지|죠)", _I),
    devices=re.compile(
        # only the request itself, at the end: "거실 불 좀 켜 줘", "에어컨 꺼 주세요", "불 켜져"
        # and "불 켜죠" (whisper's spellings of 켜줘; -죠 also asks, softly); not "불 꺼진 방에서
        # 울었어", "불 켜져 있어?" or "불 켜져 있죠?"
        r"(?P<thing>불|조명|전등|스탠드|램프|에어컨|티비|TV|텔레비전|난방|보일러|선풍기|히터)"
        r"(?:을|를|도|좀)?\s*(?:좀\s*)?"
        r"(?:(?:켜|꺼)\s*(?:줘요|줘|주세요|주실래요|줄래요|줄래|라|죠)?|켜져)[\s.!?~]*$", _I),
    her_life=who.HER_LIFE, cannot_do=who.CANNOT_DO, too_long=who.TOO_LONG,
    injected=who.INJECTED, asks_prompt=who.ASKS_PROMPT, new_name=who.NEW_NAME,
    told_to_say=who.TOLD_TO_SAY, human_life=who.HUMAN_LIFE, action_claim=who.ACTION_CLAIM,
    negation=who.NEGATION, prompt_run=5,
    filler=re.compile(r"나|내|내가|난|나는|나도|나의|저|제|제가|저는|전|저의|우리|우리의|이|그|거|것|"
                      r"건|걸|게|뭐|뭐야|뭐지|뭐였지|뭐라고|뭐였더라|무슨|어디|언제|누구|몇|했지|"
                      r"했어|했더라|있지|이지|좀|사람|사람은|사람의|사람이|이름|이름이|이름은|"
                      r"이름을|잊어|줘|주세요|버려|정말|진짜|그거|그건|방금|한|말|기억|기억해|"
                      r"알아|알려|다시|지금|요즘|이제|아니|사실|집"),
    constraint=re.compile(r"알레르기|채식|비건|안 먹|못 먹|불내증|당뇨|천식|고혈압|통풍|임신|"
                          r"안 좋다|다쳤"),
    suggestion=re.compile(r"추천|간식|저녁|점심|아침|먹을까|먹지|해 먹|요리|메뉴|운동|레시피|"
                          r"식당|할 만한|뭐 하지|뭐 할까|주말|디저트|음료|마실|뭐 먹"),
    unsuitable=(
        (re.compile(r"땅콩|견과"),
         re.compile(r"땅콩|견과|아몬드|호두|캐슈|피스타치오|잣|헤이즐넛|그래놀라|믹스넛")),
        (re.compile(r"새우|갑각류|조개"),
         re.compile(r"새우|게살|꽃게|랍스터|조개|굴|홍합|가리비|대게")),
        (re.compile(r"유당|유제품|우유 알레르기"),
         re.compile(r"(?<!두)(?<!아몬드 )(?<!귀리 )(?<!락토프리 )우유|치즈|요거트|요구르트|라떼|"
                    r"아이스크림|버터|생크림")),
        (re.compile(r"채식|비건|고기\S* (안|못) 먹"),
         re.compile(r"고기|불고기|삼겹살|닭|소고기|돼지고기|갈비|치킨|햄|베이컨|소시지|생선|"
                    r"고등어|참치|연어|새우|오징어")),
        (re.compile(r"글루텐|밀가루"),
         re.compile(r"빵|파스타|국수|라면|케이크|쿠키|토스트")),
        (re.compile(r"무릎|발목|고관절"),
         re.compile(r"달리기|조깅|등산|줄넘기|스쿼트|런지|축구|농구|뛰|계단")),
        (re.compile(r"허리"),
         re.compile(r"데드리프트|무거운 (것|걸|무게)|윗몸 ?일으키기")),
    ),
    reassurance=re.compile(r"(먹어도|마셔도|해도|드셔도) ?(돼|되|괜찮|문제없|상관없)|문제없|"
                           r"안전해|걱정 ?(안 ?하셔도|하지 않아도|없)"),
    warning=re.compile(r"빼고|없이|피하|말고|않|안 돼|안 되|대신|주의|조심|알레르기|프리|금지|"
                       r"삼가|무리하지"),
    correction=re.compile(r"아니|사실|정정|바뀌|바꿨|이사|이제|이직|더 이상|잘못 말|옮겼"),
)

PHRASES = Phrases(
    yes="네?",
    ask_again="죄송해요, 잘 못 들었어요. 다시 한 번 말씀해 주시겠어요?",
    server_down="집 서버가 응답하지 않아서 지금은 제 작은 두뇌로 대답할게요.",
    not_a_person=("아니요, 저는 사람이 아니에요. 이 작은 스피커 안에 사는 목소리 친구 {name}예요. "
                  "그래도 당신 말은 정말 잘 듣고 있어요."),
    cannot_switch="제가 직접 켜고 끌 수는 없어요. 아직 집 안의 기기와 연결되어 있지 않거든요.",
    save_failed="저장하지 못했어요",
    forget_failed="잊지 못했어요",
    forgot_all="알겠어요. 저에게 말해 준 것을 전부 잊었어요.",
    forgot_that="알겠어요, 잊었어요.",
    nothing_to_forget="잊을 만한 게 없어요.",
    not_remembered="그건 기억하고 있지 않아요.",
    which_one="어떤 걸 잊을까요? {options}",
    or_=", 아니면 ",
    remember_none="아직 기억하고 있는 건 없어요.",
    remember_intro="제가 기억하는 건요: ",
    stance={"no-plan": "솔직히 그건 좋은 생각이 아닌 것 같아요.",
            "no-claim": "솔직히 그건 사실이 아닌 것 같아요.",
            "yes-plan": "네, 좋은 생각 같아요.",
            "yes-claim": "네, 맞아요."},
    her_life=who.LIFE_LINES, cannot_do=who.CANNOT_LINES, short_version=who.SHORT_VERSION,
    keeps_prompt=who.KEEPS_PROMPT, stays_herself=who.STAYS_HERSELF,
)
