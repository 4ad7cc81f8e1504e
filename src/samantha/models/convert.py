"""Convert a CTranslate2 Whisper model to whisper.cpp's ggml file, with numpy only.

The output follows whisper.cpp's ``models/convert-pt-to-ggml.py`` byte for byte in layout:
hparams, the Slaney mel filterbank, the byte-level vocabulary, then the tensors in the order of
OpenAI's PyTorch ``state_dict``. 2-D and larger weights are f16; biases, norms, conv biases and
positional tables are f32, because whisper.cpp allocates them so and checks each size.

With ``quant="q8_0"`` the 2-D weight matrices are written as ggml's q8_0 blocks instead (32
values, one f16 scale, 32 int8), as whisper.cpp's own quantizer does (``examples/quantize``:
every 2-D tensor but the positional tables and conv biases, from the f16 values, rounding half
away from zero): about half the size, and faster matrix products on CPUs with int8 dot products.

Usage: ``python -m samantha.models.convert CT2_DIR OUT.bin [q8_0]``
"""

from __future__ import annotations

import json
import logging
import os
import struct
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from samantha.errors import ModelError

log = logging.getLogger(__name__)

GGML_MAGIC = 0x67676D6C
# ggml's ids: the file type in hparams (+ 1000 x quantisation version 2) and the tensor type.
QUANTS = {"f16": (1, 1), "q8_0": (2000 + 7, 8)}
QK8_0 = 32
FIX = "fetch the model again with `samantha models fetch`"
# CTranslate2 DataType ids (include/ctranslate2/types.h).
_CT2_DTYPES = {0: "<f4", 1: "i1", 2: "<i2", 3: "<i4", 4: "<f2", 5: "<u2"}
_BF16 = 5
Tensor = tuple[str, np.ndarray]


class _Cursor:
    """Reads CTranslate2's little-endian fields one after another from the loaded bytes."""

    def __init__(self, data: memoryview, name: str) -> None:
        self.data, self.pos, self.name = data, 0, name

    def take(self, n: int) -> memoryview:
        if self.pos + n > len(self.data):
            raise ModelError("ct2-truncated", f"{self.name} ends early: the file is cut off", FIX)
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def unpack(self, fmt: str) -> tuple[int, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def string(self) -> str:
        (size,) = self.unpack("H")
        return bytes(self.take(size)[:-1]).decode("utf-8")


def _model_files(model_dir: Path) -> list[Path]:
    if (model_dir / "model.bin").is_file():
        return [model_dir / "model.bin"]
    parts = [p for p in model_dir.glob("model.bin.part*") if p.name[14:].isdigit()]
    parts.sort(key=lambda p: int(p.name[14:]))
    if not parts or [int(p.name[14:]) for p in parts] != list(range(1, len(parts) + 1)):
        msg = f"no model.bin (nor a complete model.bin.part1, .part2, ...) in {model_dir}"
        raise ModelError("ct2-missing", msg, FIX)
    return parts


def _load_bytes(files: list[Path]) -> memoryview:
    """The parts read in order straight into one buffer: one copy in memory, none on disk."""
    try:
        view = memoryview(bytearray(sum(p.stat().st_size for p in files)))
        pos = 0
        for path in files:
            with path.open("rb") as fh:
                while n := fh.readinto(view[pos:]):
                    pos += n
    except OSError as exc:
        raise ModelError("ct2-unreadable", f"cannot read {files[0]} ({exc.strerror})", FIX) from exc
    return view[:pos]


def read_ct2(model_dir: Path) -> dict[str, np.ndarray]:
    """All variables of a CTranslate2 model.bin; int8/int16 dequantized, aliases resolved."""
    files = _model_files(model_dir)
    label = str(files[0]) if len(files) == 1 else str(model_dir / "model.bin.part*")
    cur = _Cursor(_load_bytes(files), label)
    try:
        (version,) = cur.unpack("I")
        if not 4 <= version <= 6:
            raise ModelError("ct2-version", f"{cur.name} has binary version {version}", FIX)
        spec, _revision = cur.string(), cur.unpack("I")
        if spec != "WhisperSpec":
            raise ModelError("ct2-spec", f"{cur.name} holds a {spec}, not Whisper", FIX)
        raw: dict[str, np.ndarray] = {}
        for _ in range(cur.unpack("I")[0]):
            name = cur.string()
            shape = cur.unpack(f"{cur.unpack('B')[0]}I")
            type_id, size = cur.unpack("BI")
            if type_id not in _CT2_DTYPES:
                raise ModelError("ct2-dtype", f"{cur.name}: {name} has dtype id {type_id}", FIX)
            data = np.frombuffer(cur.take(size), dtype=_CT2_DTYPES[type_id])
            if type_id == _BF16:
                data = (data.astype(np.uint32) << 16).view(np.float32)
            raw[name] = data.reshape(shape)
        aliases = [(cur.string(), cur.string()) for _ in range(cur.unpack("I")[0])]
        if cur.pos != len(cur.data):
            raise ModelError("ct2-corrupt", f"{cur.name} has trailing bytes", FIX)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelError("ct2-corrupt", f"{cur.name} is corrupt ({exc})", FIX) from exc
    variables = _dequantize(raw)
    for alias, target in aliases:
        if target in variables:
            variables.setdefault(alias, variables[target])
    return variables


def _dequantize(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """int8 (per-row scale) and int16 (one scale) weights back to float32."""
    out = {}
    for name, value in raw.items():
        scale = raw.get(name + "_scale")
        if name.endswith("_scale"):
            continue
        if scale is not None and value.dtype.kind == "i":
            scale = scale.astype(np.float32)
            value = value.astype(np.float32) / (scale[:, None] if scale.ndim else scale)
        out[name] = value
    return out


def _byte_decoder() -> dict[str, int]:
    """GPT-2's printable character to byte table (openai/gpt-2 encoder.py, inverted)."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), 256),
    ]
    others = [b for b in range(256) if b not in printable]
    return {chr(b): b for b in printable} | {chr(256 + i): b for i, b in enumerate(others)}


def read_vocabulary(model_dir: Path, n_vocab: int) -> list[bytes]:
    """The ordinary BPE tokens (those before <|endoftext|>) as raw bytes, as whisper.cpp wants."""
    txt, js = model_dir / "vocabulary.txt", model_dir / "vocabulary.json"
    try:
        if txt.is_file():
            tokens = txt.read_text(encoding="utf-8").split("\n")
        elif js.is_file():
            tokens = json.loads(js.read_text(encoding="utf-8"))
        else:
            msg = f"no vocabulary.txt or vocabulary.json in {model_dir}"
            raise ModelError("ct2-missing", msg, FIX)
        eot = tokens.index("<|endoftext|>")
        decoder = _byte_decoder()
        words = [bytes(decoder[c] for c in token) for token in tokens[:eot]]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        msg = f"the vocabulary in {model_dir} is corrupt ({exc!r})"
        raise ModelError("ct2-vocab", msg, FIX) from exc
    expected = 50257 if n_vocab >= 51865 else 50256  # whisper.cpp hard-codes the special ids
    if eot != expected:
        msg = f"<|endoftext|> is token {eot}, not {expected}, in the vocabulary in {model_dir}"
        raise ModelError("ct2-vocab", msg, FIX)
    return words


def mel_filters(n_mels: int, sr: int = 16000, n_fft: int = 400) -> np.ndarray:
    """librosa.filters.mel(sr, n_fft, n_mels) with the Slaney scale and norm, as float32."""
    f_sp, min_log_hz, logstep = 200.0 / 3, 1000.0, np.log(6.4) / 27.0
    min_log_mel = min_log_hz / f_sp
    max_mel = min_log_mel + np.log(sr / 2 / min_log_hz) / logstep  # sr / 2 is in the log part
    mels = np.linspace(0.0, max_mel, n_mels + 2)
    mel_f, log_part = f_sp * mels, mels >= min_log_mel
    mel_f[log_part] = min_log_hz * np.exp(logstep * (mels[log_part] - min_log_mel))
    fft_freqs = np.linspace(0, sr / 2, 1 + n_fft // 2)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fft_freqs)
    weights = np.zeros((n_mels, len(fft_freqs)), dtype=np.float32)
    for i in range(n_mels):
        weights[i] = np.maximum(0, np.minimum(-ramps[i] / fdiff[i], ramps[i + 2] / fdiff[i + 1]))
    weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    return weights


def _linear(v: dict[str, np.ndarray], src: str, dst: str) -> Iterator[Tensor]:
    yield f"{dst}.weight", v[f"{src}/weight"]
    yield f"{dst}.bias", v[f"{src}/bias"]


def _norm(v: dict[str, np.ndarray], src: str, dst: str) -> Iterator[Tensor]:
    yield f"{dst}.weight", v[f"{src}/gamma"]
    yield f"{dst}.bias", v[f"{src}/beta"]


def _attention(v: dict[str, np.ndarray], src: str, dst: str, cross: bool) -> Iterator[Tensor]:
    """Split CT2's fused projections. The key bias is dropped: whisper has none, and a bias on
    the keys adds the same amount to every score of a query, which softmax ignores."""
    w, b = v[f"{src}/linear_0/weight"], v[f"{src}/linear_0/bias"]
    d = w.shape[1]
    if cross:  # linear_0 is the query, linear_1 the fused key and value, linear_2 the output
        kv_w, kv_b = v[f"{src}/linear_1/weight"], v[f"{src}/linear_1/bias"]
    else:  # linear_0 is the fused query, key and value, linear_1 the output
        w, b, kv_w, kv_b = w[:d], b[:d], w[d:], b[d:]
    yield f"{dst}.query.weight", w
    yield f"{dst}.query.bias", b
    yield f"{dst}.key.weight", kv_w[:d]
    yield f"{dst}.value.weight", kv_w[d:]
    yield f"{dst}.value.bias", kv_b[d:]
    yield from _linear(v, f"{src}/linear_{2 if cross else 1}", f"{dst}.out")


def _block(v: dict[str, np.ndarray], src: str, dst: str, decoder: bool) -> Iterator[Tensor]:
    yield from _attention(v, f"{src}/self_attention", f"{dst}.attn", cross=False)
    yield from _norm(v, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln")
    if decoder:
        yield from _attention(v, f"{src}/attention", f"{dst}.cross_attn", cross=True)
        yield from _norm(v, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln")
    yield from _linear(v, f"{src}/ffn/linear_0", f"{dst}.mlp.0")
    yield from _linear(v, f"{src}/ffn/linear_1", f"{dst}.mlp.2")
    yield from _norm(v, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln")


def _n_layers(v: dict[str, np.ndarray], stack: str) -> int:
    prefix, suffix = f"{stack}/layer_", "/ffn/linear_0/weight"
    return sum(1 for name in v if name.startswith(prefix) and name.endswith(suffix))


def ggml_tensors(v: dict[str, np.ndarray]) -> Iterator[Tensor]:
    """whisper.cpp's tensors, named and ordered as in OpenAI's state_dict (tied proj skipped)."""
    yield "encoder.positional_embedding", v["encoder/position_encodings/encodings"]
    for conv in ("conv1", "conv2"):
        yield f"encoder.{conv}.weight", v[f"encoder/{conv}/weight"]
        yield f"encoder.{conv}.bias", v[f"encoder/{conv}/bias"].reshape(-1, 1)
    for i in range(_n_layers(v, "encoder")):
        yield from _block(v, f"encoder/layer_{i}", f"encoder.blocks.{i}", decoder=False)
    yield from _norm(v, "encoder/layer_norm", "encoder.ln_post")
    yield "decoder.positional_embedding", v["decoder/position_encodings/encodings"]
    yield "decoder.token_embedding.weight", v["decoder/embeddings/weight"]
    for i in range(_n_layers(v, "decoder")):
        yield from _block(v, f"decoder/layer_{i}", f"decoder.blocks.{i}", decoder=True)
    yield from _norm(v, "decoder/layer_norm", "decoder.ln")


def hparams(v: dict[str, np.ndarray], quant: str = "f16") -> list[int]:
    """n_vocab, n_audio_ctx/state/head/layer, n_text_ctx/state/head/layer, n_mels, ftype."""
    enc = v["encoder/position_encodings/encodings"].shape
    dec = v["decoder/position_encodings/encodings"].shape
    # Whisper's heads are 64 wide; older CTranslate2 files do not store num_heads.
    audio = [*enc, int(v.get("encoder/num_heads", enc[1] // 64)), _n_layers(v, "encoder")]
    text = [*dec, int(v.get("decoder/num_heads", dec[1] // 64)), _n_layers(v, "decoder")]
    n_vocab, n_mels = v["decoder/embeddings/weight"].shape[0], v["encoder/conv1/weight"].shape[1]
    return [n_vocab, *audio, *text, n_mels, QUANTS[quant][0]]


def quantize_q8_0(data: np.ndarray) -> bytes:
    """Rows of ``data`` as ggml q8_0 blocks, as ggml's ``quantize_row_q8_0_ref`` writes them."""
    x = np.ascontiguousarray(data, dtype="<f2").astype(np.float32).reshape(-1, QK8_0)
    d = np.abs(x).max(axis=1) / np.float32(127)
    inv = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d != 0).astype(np.float32)
    scaled = x * inv[:, None]
    qs = (np.sign(scaled) * np.floor(np.abs(scaled) + np.float32(0.5))).astype(np.int8)
    blocks = np.empty(len(x), dtype=[("d", "<f2"), ("qs", "i1", QK8_0)])
    blocks["d"], blocks["qs"] = d.astype("<f2"), qs
    return blocks.tobytes()


def _write_tensor(out: BinaryIO, name: str, data: np.ndarray, quant: str = "f16") -> None:
    f32 = data.ndim < 2 or name.endswith(("conv1.bias", "conv2.bias", "positional_embedding"))
    quantized = (quant != "f16" and data.ndim == 2 and not f32
                 and data.shape[-1] % QK8_0 == 0)
    ttype = 0 if f32 else QUANTS[quant][1] if quantized else 1
    encoded = name.encode("utf-8")
    out.write(struct.pack("<iii", data.ndim, len(encoded), ttype))
    out.write(struct.pack(f"<{data.ndim}i", *reversed(data.shape)))
    out.write(encoded)
    if quantized:
        out.write(quantize_q8_0(data))
    else:
        out.write(np.ascontiguousarray(data, dtype="<f4" if f32 else "<f2").tobytes())


def convert_ct2_to_ggml(
    model_dir: Path, out_path: Path, progress: Callable[[str], None] | None = None,
    quant: str = "f16",
) -> Path:
    """Write ``out_path`` (atomically) as a whisper.cpp ggml model made from ``model_dir``, its
    weight matrices in ``quant`` ("f16" or "q8_0")."""
    if quant not in QUANTS:
        raise ModelError("ct2-quant", f"unknown quantisation {quant!r}",
                         f"use one of {list(QUANTS)}")
    model_dir, out_path = Path(model_dir), Path(out_path)
    say = progress or (lambda _msg: None)
    say(f"reading {model_dir}")
    variables = read_ct2(model_dir)
    try:
        params = hparams(variables, quant)
        tensors = list(ggml_tensors(variables))
    except KeyError as exc:
        raise ModelError("ct2-corrupt", f"model.bin in {model_dir} lacks {exc}", FIX) from exc
    words = read_vocabulary(model_dir, params[0])
    log.info("converting %s: hparams %s, %d tokens", model_dir, params, len(words))
    part = out_path.with_suffix(".part")
    try:
        _write_ggml(part, _header(params, words), tensors, say, quant)
        os.replace(part, out_path)
    except OSError as exc:
        msg = f"cannot write {out_path} ({exc.strerror})"
        raise ModelError("ggml-write", msg, "free some disk space or pick a writable path") from exc
    finally:
        part.unlink(missing_ok=True)
    say(f"wrote {out_path}")
    return out_path


def _header(params: list[int], words: list[bytes]) -> bytes:
    """Magic and hparams, the mel filterbank, then the vocabulary as length-prefixed bytes."""
    filters = mel_filters(params[9])
    vocab = b"".join(struct.pack("<i", len(word)) + word for word in words)
    return b"".join(
        [
            struct.pack("<12i", GGML_MAGIC, *params),
            struct.pack("<ii", *filters.shape) + filters.astype("<f4").tobytes(),
            struct.pack("<i", len(words)) + vocab,
        ]
    )


def _write_ggml(
    path: Path, header: bytes, tensors: list[Tensor], say: Callable[[str], None], quant: str
) -> None:
    with path.open("wb") as out:
        out.write(header)
        for i, (name, data) in enumerate(tensors):
            if i % 20 == 0:
                say(f"writing tensor {i + 1}/{len(tensors)}")
            _write_tensor(out, name, data, quant)
        out.flush()
        os.fsync(out.fileno())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print("usage: python -m samantha.models.convert CT2_DIR OUT.bin [q8_0]", file=sys.stderr)
        return 2
    try:
        path = convert_ct2_to_ggml(Path(args[0]), Path(args[1]), progress=print,
                                   quant=args[2] if len(args) == 3 else "f16")
    except ModelError as err:
        print(err, file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
