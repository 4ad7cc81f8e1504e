"""Bring your own model: the GGUF header is read, the file pinned on first use, and a changed
file refused. A tiny GGUF file is written here (header only); the real small models are read in
the slow test at the end."""

from __future__ import annotations

import hashlib
import shutil
import struct
from pathlib import Path

import pytest

from conftest import run_cli
from samantha.errors import ModelError
from samantha.models import gguf
from samantha.models import store as modelstore
from samantha.models.added import add

TEMPLATE = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{% endfor %}"


def _s(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<Q", len(raw)) + raw


def write_gguf(path: Path, template: str | None = TEMPLATE, tail: bytes = b"weights") -> Path:
    kvs = [(_s("general.architecture"), 8, _s("llama")), (_s("general.name"), 8, _s("Tiny Chat")),
           (_s("general.size_label"), 8, _s("1M")),
           (_s("llama.context_length"), 4, struct.pack("<I", 4096)),
           (_s("tokenizer.ggml.tokens"), 9,
            struct.pack("<IQ", 8, 3) + _s("a") + _s("b") + _s("c")),
           (_s("tokenizer.ggml.scores"), 9, struct.pack("<IQ", 6, 3) + b"\0" * 12)]
    if template is not None:
        kvs.append((_s("tokenizer.chat_template"), 8, _s(template)))
    body = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs))
    body += b"".join(k + struct.pack("<I", t) + v for k, t, v in kvs)
    path.write_bytes(body + tail)
    return path


@pytest.fixture
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "models"
    root.mkdir()
    shutil.copy(modelstore.default_manifest_path(), root / "manifest.toml")
    monkeypatch.setenv("SAMANTHA_MODELS_DIR", str(root))
    monkeypatch.delenv("SAMANTHA_MANIFEST", raising=False)
    modelstore.forget_cache()
    return root


def test_the_header_gives_the_name_and_the_chat_template(tmp_path: Path) -> None:
    about = gguf.describe(gguf.metadata(write_gguf(tmp_path / "t.gguf")))
    assert about["name"] == "Tiny Chat" and about["architecture"] == "llama"
    assert about["context_length"] == 4096 and about["chat_template"] == TEMPLATE


@pytest.mark.parametrize("content, why", [(b"GGML" + b"\0" * 40, "no GGUF magic"),
                                          (b"GGUF\x03\0\0\0\0", "cut short")])
def test_a_file_that_is_not_gguf_is_a_clear_error(tmp_path: Path, content: bytes,
                                                  why: str) -> None:
    (tmp_path / "x.gguf").write_bytes(content)
    with pytest.raises(ModelError, match=why):
        gguf.metadata(tmp_path / "x.gguf")


def test_add_pins_the_file_and_names_it(models: Path, tmp_path: Path) -> None:
    src = write_gguf(tmp_path / "Tiny-Chat.Q4.gguf")
    done = add(src, models)
    assert done.new and done.name == "tiny-chat.q4"
    assert done.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
    entry = modelstore.get("tiny-chat.q4")
    assert entry.role == "llm" and entry.files[0].sha256 == done.sha256
    assert "Tiny Chat" in entry.description
    assert modelstore.path_for("tiny-chat.q4") == models / "llm/added/Tiny-Chat.Q4.gguf"
    assert modelstore.get("qwen2.5-coder-0.5b-instruct-q4_k_m").default  # the rest is kept
    again = add(src, models)
    assert not again.new and again.sha256 == done.sha256


def test_a_changed_file_is_refused_by_its_pin(models: Path, tmp_path: Path) -> None:
    src = write_gguf(tmp_path / "mine.gguf")
    add(src, models)
    placed = models / "llm/added/mine.gguf"
    placed.unlink()  # a hard link: replace, do not edit, the original
    write_gguf(placed, tail=b"other weights")
    with pytest.raises(ModelError) as err:
        modelstore.path_for("mine")
    assert err.value.code in ("size", "corrupt")
    write_gguf(src, tail=b"other weights!")
    with pytest.raises(ModelError, match="added before with sha256"):
        add(src, models)


def test_a_base_model_or_a_taken_name_is_refused(models: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="base model"):
        add(write_gguf(tmp_path / "base.gguf", template=None), models)
    with pytest.raises(ModelError, match="already in the manifest"):
        add(write_gguf(tmp_path / "x.gguf"), models, name="qwen2.5-coder-0.5b-instruct-q4_k_m")
    with pytest.raises(ModelError, match="not a .gguf"):
        add(tmp_path / "notes.txt", models)


def test_models_add_on_the_command_line(models: Path, tmp_path: Path) -> None:
    src = write_gguf(tmp_path / "cli-model.gguf")
    done = run_cli("models", "add", str(src), "--name", "mine",
                   env={"SAMANTHA_MODELS_DIR": str(models)})
    assert done.returncode == 0, done.stderr
    assert "mine: added" in done.stdout and "samantha eval --llm" in done.stdout
    listed = run_cli("models", "list", env={"SAMANTHA_MODELS_DIR": str(models)})
    assert "mine" in listed.stdout
    bad = run_cli("models", "add", str(tmp_path / "nothing.gguf"),
                  env={"SAMANTHA_MODELS_DIR": str(models)})
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "does not exist" in bad.stderr


@pytest.mark.slow
def test_the_real_small_models_carry_their_chat_templates() -> None:
    for name in ("qwen2.5-coder-0.5b-instruct-q4_k_m", "smollm2-135m-instruct-q4_1"):
        about = gguf.describe(gguf.metadata(modelstore.path_for(name)))
        assert "{%" in str(about["chat_template"]) and about["context_length"] >= 2048
