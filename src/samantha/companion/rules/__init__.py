"""Rules: what she answers without the language model, one small module each.

Each is a ``Rule`` (``companion.protocols``): a ``name``, ``applies(pack)`` (does the language
have what the rule needs?) and ``async answer(said) -> Answer | None``. The order they run in is
``companion.brain.rules_for``; the first that answers wins, and the turn logs its name
(``RuleAnswered``).
"""
