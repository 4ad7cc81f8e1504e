"""Spoken times: "in ten minutes", "at 7 tomorrow", "tomorrow at 7:30 pm".

parsedatetime does the parsing (it reads number words and relative phrases); this module adds
the rules a speaker expects: a bare hour that has already passed today means the next one, and a
time must lie in the future, within a year.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import parsedatetime

from samantha.lang.protocols import TimeError_

_CAL = parsedatetime.Calendar(version=parsedatetime.VERSION_CONTEXT_STYLE)
_BARE_HOUR = re.compile(r"\bat (\d{1,2})(?::(\d{2}))?\b(?![:\d])(?!\s*(?:am|pm|a\.m|p\.m))",
                        re.IGNORECASE)
MAX_AHEAD = timedelta(days=366)
MAX_WORDS = 16
"""The longest spoken time ("on Friday the 3rd of March at half past seven in the evening")."""
_REPEATED = re.compile(r"\b(\w+)(?:\s+\1\b)+", re.IGNORECASE)


def parse_when(text: str, now: datetime) -> datetime:
    """The moment ``text`` names, after ``now``; a clear error when it names none."""
    # parsedatetime takes seconds on "next next next …": repeats folded, words capped
    phrase = " ".join(_REPEATED.sub(r"\1", " ".join(text.split())).split()[:MAX_WORDS])[:120]
    if not phrase:
        raise TimeError_("no-time", "no time was given", "say when, e.g. 'in ten minutes'")
    bare = _BARE_HOUR.search(phrase)
    if bare and not re.search(r"\b(tomorrow|today|tonight|monday|tuesday|wednesday|thursday|"
                              r"friday|saturday|sunday|next)\b", phrase, re.IGNORECASE):
        hour, minute = int(bare.group(1)), int(bare.group(2) or 0)
        if hour > 23 or minute > 59:
            raise TimeError_("bad-time", f"{hour}:{minute:02d} is not a time of day",
                             "say a time like 'at 7' or 'at 19:30'")
        return _next_clock(now, hour, minute)
    parsed, status = _CAL.parseDT(phrase, sourceTime=now)
    when: datetime = parsed
    if not status.hasDateOrTime:
        raise TimeError_("no-time", f"no time found in {phrase!r}",
                         "say when, e.g. 'in ten minutes' or 'at 7 tomorrow'")
    if bare and "tomorrow" in phrase.lower():
        hour, minute = int(bare.group(1)), int(bare.group(2) or 0)
        if hour <= 23 and minute <= 59:  # "at 7 tomorrow": parsedatetime guesses 9 am
            when = when.replace(hour=hour, minute=minute, second=0)
    if when <= now:
        if status.hasTime and not status.hasDate:
            when += timedelta(days=1)
        else:
            raise TimeError_("past", f"{when:%Y-%m-%d %H:%M} has already passed",
                             "say a time in the future")
    if when - now > MAX_AHEAD:
        raise TimeError_("too-far", "that is more than a year away", "say a nearer time")
    return when


def _next_clock(now: datetime, hour: int, minute: int) -> datetime:
    """'at 7': the next 7 o'clock; before noon an hour past means the evening one."""
    candidates = []
    for h in {hour, hour + 12} if hour < 12 else {hour}:
        for day in (0, 1):
            t = (now + timedelta(days=day)).replace(hour=h % 24, minute=minute, second=0,
                                                    microsecond=0)
            if t > now:
                candidates.append(t)
    return min(candidates)


def spoken_time(when: datetime, now: datetime) -> str:
    """How she says a moment: 'at 7:30 PM', 'tomorrow at 7 AM', 'on Friday at 9 AM'."""
    clock = "at " + when.strftime("%I:%M %p").lstrip("0").replace(":00 ", " ")
    days = (when.date() - now.date()).days
    if days == 0:
        return clock
    if days == 1:
        return f"tomorrow {clock}"
    if days < 7:
        return f"on {when:%A} {clock}"
    return f"on {when:%B} {when.day} {clock}"
