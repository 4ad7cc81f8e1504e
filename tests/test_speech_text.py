"""What she may say aloud is plain speech, cut early into clauses and sentences."""

from samantha.inference.speech_text import has_words, speakable
from samantha.pipeline.chunker import Chunker


def stream(text: str, chunker: Chunker) -> list[str]:
    out: list[str] = []
    for i in range(0, len(text), 3):  # token-sized pieces
        out += chunker.push(text[i:i + 3])
    return out + chunker.flush()


def test_first_clause_comes_early_then_sentences() -> None:
    pieces = stream("Well, I think mornings go best slowly, with tea. Then a walk! Why not?",
                    Chunker())
    assert pieces == ["Well, I think mornings go best slowly,", "with tea.", "Then a walk!",
                      "Why not?"]


def test_abbreviations_and_decimals_do_not_split() -> None:
    pieces = stream("Dr. Smith paid 3.5 dollars. That is all.", Chunker())
    assert pieces == ["Dr. Smith paid 3.5 dollars.", "That is all."]


def test_run_on_text_is_cut() -> None:
    pieces = stream("word " * 100, Chunker(max_chars=50))
    assert len(pieces) > 5 and all(len(p) <= 50 for p in pieces)


def test_speakable_strips_what_cannot_be_said() -> None:
    text = speakable("**Sure!** 🙂 Here:\n- one\n- [docs](https://x.y) at https://a.b/c 50%\x07")
    assert text == "Sure! Here: one docs at a link 50 percent"
    assert not has_words(speakable("🙂🎉 ** __ ``"))


def test_a_long_first_clause_breaks_before_a_conjunction() -> None:
    pieces = stream("You can start with a glass of water and then a short walk outside. "
                    "Then breakfast.", Chunker())
    assert pieces[0] == "You can start with a glass of water"
    assert pieces[1] == "and then a short walk outside."
    # only the first piece is cut early: later ones wait for whole sentences
    later = stream("Yes. You can start with a glass of water and then a short walk.", Chunker())
    assert later == ["Yes.", "You can start with a glass of water and then a short walk."]
