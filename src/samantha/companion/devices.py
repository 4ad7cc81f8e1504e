"""Requests to switch the home's devices, answered honestly by rule.

She is not connected to the lights, the TV or the heating (Home Assistant, where it runs, uses her
ears and voice through ``samantha serve``; its own pipeline does the switching). A small model
answers "Turn on the living room light." with "Mm, tell me more." and "거실 불 켜줘" with "저는
여기 있어요. 무슨 일 있었어요?": neither says what a person needs to hear, that it was not done.
So a word match decides, in microseconds, and she says she cannot do it and why.
"""

from __future__ import annotations

import re

_THINGS_EN = (r"lights?|lamps?|tv|television|heater|heating|fan|radio|"
              r"air ?con(?:ditioning|ditioner)?|ac|thermostat|blinds|curtains")
_EN = re.compile(
    r"^(?:(?:hey|ok|okay)\s+)?(?:\w+,\s*)?(?:please\s+|(?:can|could|would|will)\s+you\s+"
    r"(?:please\s+)?)?(?:turn|switch|flip|put)\s+(?:on\s+|off\s+|up\s+|down\s+)?"
    r"(?:the\s+|my\s+|all\s+(?:the\s+)?|our\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?P<thing>" + _THINGS_EN + r")\b|"
    r"^(?:please\s+)?dim\s+the\s+(?P<dim>lights?|lamps?)\b", re.IGNORECASE)
# Only the request itself, at the end of what they said: "거실 불 좀 켜 줘", "에어컨 꺼 주세요",
# "불 켜져" (whisper's spelling of 켜줘). Not "불 꺼진 방에서 울었어" or "불 켜져 있어?".
_KO = re.compile(
    r"(?P<thing>불|조명|전등|스탠드|램프|에어컨|티비|TV|텔레비전|난방|보일러|선풍기|히터)"
    r"(?:을|를|도|좀)?\s*(?:좀\s*)?(?:(?:켜|꺼)\s*(?:줘요|줘|주세요|주실래요|줄래요|줄래|라)?|켜져)"
    r"[\s.!?~]*$", re.IGNORECASE)


def request(text: str) -> str:
    """Her honest reply to a request to switch a device, or '' when the text is not one."""
    text = text.strip()
    if _KO.search(text):
        return ("제가 직접 켜고 끌 수는 없어요. 아직 집 안의 기기와 연결되어 있지 않거든요.")
    found = _EN.search(text)
    if found:
        thing = found.group("thing") or found.group("dim")
        return (f"I can't switch the {thing} myself: I'm not connected to the devices in your "
                "home.")
    return ""
