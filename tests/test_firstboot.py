"""First-boot settings from the boot partition: what the owner writes is what she becomes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from samantha import config as config_mod
from samantha.appliance import firstboot
from samantha.appliance.firstboot import FirstbootError, parse
from samantha.companion.persona import system_prompt
from samantha.models import store as modelstore

OWNER_FILE = """\ufeff# my settings
name = "Ava"
owner = Alex   # that's me
wake_phrase = hey ava
traits = calm, dry, kind
volume = 65%
"""


def test_parse_maps_the_owners_words_to_config_tables() -> None:
    s = parse(OWNER_FILE)
    assert s.config == {
        "persona": {"name": "Ava", "owner": "Alex", "traits": ["calm", "dry", "kind"]},
        "wake": {"phrase": "hey ava"},
    }
    assert s.volume == 65


@pytest.mark.parametrize(("text", "code", "line"), [
    ("volume = 150\n", "bad-volume", "line 1"),
    ("volume = loud\n", "bad-volume", "line 1"),
    ("# ok\ncolour = red\n", "unknown-key", "line 2"),
    ("name Ava\n", "syntax", "line 1"),
    ("name =\n", "empty", "line 1"),
    ("name = A\nname = B\n", "repeated", "line 2"),
    ("owner = " + "x" * 300 + "\n", "bad-value", "line 1"),
])
def test_a_mistake_names_its_line(text: str, code: str, line: str) -> None:
    with pytest.raises(FirstbootError) as err:
        parse(text)
    assert err.value.code == code
    assert line in str(err.value)


def test_apply_merges_into_the_existing_config_and_it_loads(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "samantha.toml").write_text('board = "rpi5"\n[llm]\nmax_tokens = 64\n'
                                       '[persona]\nname = "Samantha"\nhumour = "playful"\n')
    settings = tmp_path / "samantha.txt"
    settings.write_text('name = Ava "the second"\nowner = O\'Neil\nvolume = 40\n')

    firstboot.apply(settings, etc)

    written = tomllib.loads((etc / "samantha.toml").read_text())
    assert written["persona"] == {"name": 'Ava "the second"', "humour": "playful",
                                  "owner": "O'Neil"}
    assert written["llm"] == {"max_tokens": 64}
    assert written["board"] == "rpi5"
    cfg = config_mod.from_dict(written)
    assert cfg.persona.name == 'Ava "the second"'
    assert "O'Neil" in system_prompt(cfg.persona)
    assert (etc / "volume").read_text() == "40\n"
    assert not [p for p in etc.iterdir() if p.name.startswith(".")]  # no temp files left


def test_a_bad_file_changes_nothing(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    before = '[persona]\nname = "Samantha"\n'
    (etc / "samantha.toml").write_text(before)
    settings = tmp_path / "samantha.txt"
    settings.write_text("name = Ava\nvolume = 101\n")
    error_file = tmp_path / "samantha-error.txt"

    rc = firstboot.main([str(settings), "--etc-dir", str(etc), "--error-file", str(error_file)])

    assert rc == 1
    assert (etc / "samantha.toml").read_text() == before
    assert not (etc / "volume").exists()
    assert "volume '101' is not 0-100" in error_file.read_text()


def test_voice_must_be_a_verified_voice_on_the_card(tmp_path: Path) -> None:
    models = modelstore.default_models_dir()
    voice = modelstore.default("tts")
    if not (models / voice.files[0].path).is_file():
        pytest.skip("the default voice is not provisioned (make models)")
    etc = tmp_path / "etc"
    settings = tmp_path / "samantha.txt"

    settings.write_text(f"voice = {voice.name}\n")
    firstboot.apply(settings, etc, models_dir=models)
    assert tomllib.loads((etc / "samantha.toml").read_text())["tts"]["voice"] == voice.name

    settings.write_text(f"voice = {modelstore.default('llm').name}\n")
    with pytest.raises(FirstbootError, match="not a voice"):
        firstboot.apply(settings, etc, models_dir=models)

    empty = tmp_path / "empty-models"
    empty.mkdir()
    settings.write_text(f"voice = {voice.name}\n")
    with pytest.raises(FirstbootError, match="not usable on this card"):
        firstboot.apply(settings, tmp_path / "etc2", models_dir=empty)
    assert not (tmp_path / "etc2" / "samantha.toml").exists()


def test_korean_needs_its_ears_on_the_card(tmp_path: Path) -> None:
    # `language = ko` swaps the English-only whisper for the multilingual one; a card without
    # it must say so at first boot, not leave a daemon that stops at start for a missing model
    settings = tmp_path / "samantha.txt"
    settings.write_text("language = ko\n")
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "samantha.toml").write_text('board = "rpi4"\n')
    only_english = tmp_path / "models"
    tiny = modelstore.get("whisper-tiny.en")
    for f in tiny.files:
        (only_english / f.path).parent.mkdir(parents=True, exist_ok=True)
        (only_english / f.path).symlink_to(modelstore.default_models_dir() / f.path)

    # a Pi 4 hears Korean with whisper-base-q8_0 (data/boards/rpi4.toml: its memory limit)
    with pytest.raises(FirstbootError, match="needs the speech model whisper-base-q8_0") as err:
        firstboot.apply(settings, etc, models_dir=only_english)
    assert err.value.code == "language"
    assert (etc / "samantha.toml").read_text() == 'board = "rpi4"\n'  # nothing changed

    base = modelstore.get("whisper-base-q8_0")
    for f in base.files:
        (only_english / f.path).symlink_to(modelstore.default_models_dir() / f.path)
    firstboot.apply(settings, etc, models_dir=only_english)
    cfg = config_mod.load(str(etc / "samantha.toml"), board="rpi4")
    assert (cfg.persona.code, cfg.asr.model, cfg.asr.windows) == ("ko", "whisper-base-q8_0", (640,))
    assert config_mod.load(str(etc / "samantha.toml"), board="rpi5").asr.model == "whisper-base"

    settings.write_text("language = English\n")  # the card's own English ears: fine
    firstboot.apply(settings, etc, models_dir=only_english)
