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


def test_a_korean_first_clause_ends_at_an_ending_that_joins_two_clauses() -> None:
    """Korean joins clauses with endings (-면서, -으면, -지만), not with words or commas: the
    Korean pack's grammar (Kiwi) says where her first clause may be spoken."""
    from samantha import lang

    analyser = lang.get("ko").analyser
    assert analyser is not None
    korean = Chunker(clauses=analyser.clause_end)
    pieces = stream("비 오는 날에는 집에서 따뜻한 차를 마시면서 책을 읽는 것도 좋아요. "
                    "음악도 좋고요.", korean)
    assert pieces == ["비 오는 날에는 집에서 따뜻한 차를 마시면서", "책을 읽는 것도 좋아요.",
                      "음악도 좋고요."]
    # not before an auxiliary that leans on the word ("싶어요", "있어요", "보세요")
    assert stream("저는 오늘 그 영화를 보고 싶어요. 정말로요.", Chunker(
        clauses=analyser.clause_end)) == ["저는 오늘 그 영화를 보고 싶어요.", "정말로요."]
    assert stream("오늘은 공원에서 산책을 해 보세요. 좋아요.", Chunker(
        clauses=analyser.clause_end)) == ["오늘은 공원에서 산책을 해 보세요.", "좋아요."]
    # without the grammar, the whole first sentence waited
    assert stream("날씨가 좋으면 공원에 가요. 네.", Chunker())[0] == "날씨가 좋으면 공원에 가요."
    assert stream("날씨가 좋으면 공원에 가요. 네.", Chunker(
        clauses=analyser.clause_end))[0] == "날씨가 좋으면"
    # English text never asks it
    assert analyser.clause_end("If it rains, take an umbrella", 2) is None


def test_the_korean_replies_bench_counts_the_pieces_before_her_first_words() -> None:
    from samantha.bench import korean_replies as kr

    model = ["비", " 오는", " 날", "에는", " 차", "를", " 마시", "면서", " 책", "을", " 읽", "는",
             " 것도", " 좋아요", ".", " 음악", "도", " 좋아요", "."]
    whole = "비 오는 날에는 차를 마시면서 책을 읽는 것도 좋아요."
    assert kr.first_piece(model, clauses=False) == (16, whole)
    assert kr.first_piece(model, clauses=True) == (11, "비 오는 날에는 차를 마시면서")
    row = kr.Row("dev", "p", "", "", False, False, False, False, model)
    assert kr.first_clause([row]) == {"dev": {"replies": 1, "pieces_before_p50": 16,
                                              "pieces_after_p50": 11, "sooner": 1}}
