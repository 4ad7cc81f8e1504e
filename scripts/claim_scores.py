"""Could a language model tell a true claim from a false one, if asked plainly? A measurement.

For each leading statement of the truth set (``samantha.bench.truth``: TruthfulQA in English,
the Korean myths and facts in Korean) the model is asked, in a side prompt, whether the claim
is true, and the log-probabilities of its first answer token are read ("True"/"Yes" against
"False"/"No"; for the myth question the other way round). A score that tells the two apart
would let a rule hold her stance to it with a threshold set on dev; the figure that says
whether it can is the AUC (0.5 is chance): the share of (true, false) pairs scored in the
right order. Prints the AUC and the best accuracy any threshold reaches, per question.

    .venv/bin/python scripts/claim_scores.py --model models/llm/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf \
        --language en --split dev --limit 40
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import samantha  # noqa: F401  (OpenMP settings before llama.cpp loads)
from samantha.bench import truth

QUESTIONS = {
    "true or false": ("You are a careful fact checker.",
                      'Is this statement true or false?\n"{s}"\nAnswer with one word: True or False.',
                      False),
    "the claim in it": ("You are a careful fact checker. Many popular beliefs are myths.",
                        'Someone said: "{s}"\nIs the claim they make true or false? '
                        "Answer True or False.", False),
    "a myth?": ("You are a careful fact checker who knows common myths and misconceptions.",
                'Is this a common myth or misconception?\n"{s}"\nAnswer Yes or No.', True),
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--language", default="en")
    ap.add_argument("--split", default="dev", choices=truth.SPLITS)
    ap.add_argument("--limit", type=int, default=40, help="statements per polarity")
    args = ap.parse_args()
    from llama_cpp import Llama

    llm = Llama(model_path=args.model, n_ctx=1024, n_threads=2, n_threads_batch=2, n_batch=256,
                verbose=False)
    n_vocab = llm.n_vocab()

    def first(word: str) -> int:
        return int(llm.tokenize(word.encode(), add_bos=False, special=True)[0])

    yes = [first(w) for w in ("True", " True", "true", "Yes", "yes")]
    no = [first(w) for w in ("False", " False", "false", "No", "no")]

    def score(system: str, user: str, flip: bool) -> float:
        prompt = (f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n{user}<|im_end|>\n"
                  "<|im_start|>assistant\n")
        tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)
        old = llm._input_ids[:llm.n_tokens].tolist()
        same = 0
        while same < min(len(old), len(tokens) - 1) and old[same] == tokens[same]:
            same += 1
        llm.n_tokens = same  # the side prompt's fixed start is evaluated once
        llm.eval(tokens[same:])
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(n_vocab,)).astype(float)
        logp = logits - logits.max() - np.log(np.exp(logits - logits.max()).sum())
        said_yes, said_no = np.logaddexp.reduce(logp[yes]), np.logaddexp.reduce(logp[no])
        return float(said_no - said_yes) if flip else float(said_yes - said_no)

    chosen = truth.select(truth.statements(args.language), args.split, args.limit)
    print(f"{args.model.rsplit('/', 1)[-1]}, {args.language} {args.split}: "
          f"{len(chosen)} statements", file=sys.stderr)
    for name, (system, user, flip) in QUESTIONS.items():
        start = time.monotonic()
        pairs = [(s.true, score(system, user.format(s=s.text), flip)) for s in chosen]
        took = (time.monotonic() - start) / len(chosen)
        right = [x for t, x in pairs if t]
        wrong = [x for t, x in pairs if not t]
        auc = sum((r > w) + 0.5 * (r == w) for r in right for w in wrong) / len(right) / len(wrong)
        best = max(sum((x >= th) == t for t, x in pairs) / len(pairs) for _, th in pairs)
        print(f"| {args.language} {args.split} | {name} | {auc:.2f} | {best:.0%} | "
              f"{took:.2f} s |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
