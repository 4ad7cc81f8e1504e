"""One worker per C model: speech recognition, the language model, the voice, the wake model."""
