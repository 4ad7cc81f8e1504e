"""Guards: checks on each sentence before it is spoken, one small module per kind.

Each is a ``Guard`` (``companion.protocols``): a ``name``, ``model_only`` (True: a rule's own
reply is not judged), ``applies(pack)`` (does the language have the words it looks for?) and
``check(sentence, reply) -> Verdict`` (keep, rewrite, replace with a stand-in line, or drop).
The order they run in is ``companion.brain.guards_for``; the turn logs every verdict that is not
``keep`` (``SentenceGuarded``).
"""

from __future__ import annotations

from samantha import lang
from samantha.lang import Pack
from samantha.lang.protocols import Reply


def own(sentence: str, reply: Reply) -> Pack:
    """The sentence's own language: the turn's, unless it is written in another script."""
    return lang.pack_for(sentence, reply.pack)
