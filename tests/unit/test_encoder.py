"""The sentence encoder (footdrop/encoder.py): the official model, checked by hash at every load,
and the embeddings the published model gives."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from footdrop.encoder import (
    DEFAULT_DIR,
    MANIFEST,
    ONNX_FILE,
    OFFICIAL_SHA256,
    SOURCE_DIR,
    EncoderIntegrityError,
    SentenceEncoder,
    VectorStore,
    verify,
)
from support.project import ROOT


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    if not (DEFAULT_DIR / MANIFEST).exists():
        pytest.fail("build/encoder is missing: run `make install`.")
    return SentenceEncoder.load()


def test_the_built_encoder_is_the_official_model(encoder):
    manifest = verify(DEFAULT_DIR)
    for name, digest in OFFICIAL_SHA256.items():
        assert manifest["sha256"][f"{SOURCE_DIR}/{name}"] == digest
    # the build compared ONNX Runtime's embeddings with TensorFlow's, number by number
    assert manifest["checked_max_difference"] <= 1e-3


def test_embeddings_are_unit_vectors_and_give_the_published_similarity(encoder):
    # sentence-transformers' documentation: 0.76 for this pair with all-MiniLM-L6-v2
    first, second = encoder.embed(["A man is eating food.", "A man is eating a piece of bread."])
    assert first.shape == (384,)
    assert np.linalg.norm(first) == pytest.approx(1.0, abs=1e-5)
    assert float(first @ second) == pytest.approx(0.76, abs=0.01)


def test_meaning_not_spelling_decides_similarity(encoder):
    droop, lopsided, brace = encoder.embed(
        ["my face is drooping on one side", "my smile has gone lopsided", "how do I clean my brace"]
    )
    assert float(droop @ lopsided) > float(droop @ brace) + 0.2


def test_one_text_gives_the_same_vector_alone_in_a_batch_and_from_the_cache(encoder):
    texts = ["my toes catch on the floor", "a much longer sentence about a foot that drags on the stairs at night"]
    alone = np.stack([encoder.embed_many([t])[0] for t in texts])
    batch = encoder.embed_many(texts)
    cached = encoder.embed(texts)
    assert np.abs(alone - batch).max() < 1e-5
    assert np.abs(cached - batch).max() < 1e-5
    assert encoder.embed([]).shape == (0, 384)


def test_tokens_the_vocabulary_does_not_know_are_left_out(encoder):
    # an emoji is "[UNK]" to the model: it would pull the vector away from the words' meaning
    plain, with_emoji, only_emoji = encoder.embed(
        ["two of everything since i woke up", "two of everything since i woke up \U0001F635", "\U0001F635\U0001F635"]
    )
    assert np.abs(plain - with_emoji).max() < 1e-5
    assert np.linalg.norm(only_emoji) == pytest.approx(1.0, abs=1e-5)  # still a vector, never NaN


@pytest.fixture
def counting_encoder(tmp_path, monkeypatch):
    """An encoder in a copy of build/encoder (its own store), counting the texts it runs."""
    encoder = SentenceEncoder.load(copy_encoder(tmp_path / "encoder"))
    ran = []
    run = encoder._run
    monkeypatch.setattr(encoder, "_run", lambda texts: ran.extend(texts) or run(texts))
    return encoder, ran


def test_kept_vectors_are_the_same_and_only_new_lines_are_embedded_again(counting_encoder):
    encoder, ran = counting_encoder
    first = ["my toes catch on the floor", "will I walk normal again?", "what is foot drop"]
    fresh = encoder.embed_many(first, keep=True)
    assert ran == first and np.abs(fresh - encoder.embed_many(first)).max() < 1e-5
    ran.clear()
    again = SentenceEncoder.load(encoder.directory)  # another run: the store is on disk
    run = again._run
    again._run = lambda texts: ran.extend(texts) or run(texts)
    second = first[1:] + ["is there a brace for foot drop?"]
    vectors = again.embed_many(second, keep=True)
    assert ran == ["is there a brace for foot drop?"]
    assert np.abs(vectors - encoder.embed_many(second)).max() < 1e-5


def test_an_unreadable_or_unwritable_store_only_costs_time(counting_encoder, caplog):
    encoder, ran = counting_encoder
    store = encoder.directory / "cache" / f"vectors-{encoder.manifest['sha256'][ONNX_FILE][:16]}.npz"
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_bytes(b"not a numpy file")
    texts = ["my foot slaps the floor", "who treats foot drop"]
    assert np.abs(encoder.embed_many(texts, keep=True) - encoder.embed_many(texts)).max() < 1e-5
    assert "Could not read the stored vectors" in caplog.text
    assert ran[:2] == texts
    if os.geteuid() != 0:  # root writes to a read-only folder anyway
        store.unlink()
        store.parent.chmod(0o500)
        try:
            assert encoder.embed_many(texts, keep=True).shape == (2, 384)
            assert "Could not keep the vectors" in caplog.text
        finally:
            store.parent.chmod(0o700)


def test_the_store_keeps_the_most_recently_used_lines(tmp_path):
    store = VectorStore(tmp_path / "vectors.npz", size=3)
    vectors = np.eye(5, 384, dtype=np.float32)
    store.put(["a", "b", "c"], vectors[:3])
    store.put(["d", "a"], vectors[3:5])  # "a" used again: "b" is the oldest now
    kept = VectorStore(tmp_path / "vectors.npz", size=3).get(["a", "b", "c", "d"])
    assert sorted(kept) == ["a", "c", "d"]
    assert np.array_equal(kept["a"], vectors[4]) and np.array_equal(kept["c"], vectors[2])
    assert not list(tmp_path.glob(".vectors-*")), "no temporary file is left behind"


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system
        shutil.copy2(source, target)


def copy_encoder(target: Path) -> Path:
    """A copy of build/encoder whose big files are hard links (cheap), so one can be replaced."""
    shutil.copytree(DEFAULT_DIR, target, copy_function=link_or_copy, ignore=shutil.ignore_patterns("cache"))
    return target


def change_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.unlink()  # break the hard link: the original stays as it was
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("name", [ONNX_FILE, f"{SOURCE_DIR}/model.safetensors", f"{SOURCE_DIR}/tokenizer.json"])
def test_a_changed_byte_refuses_to_load_and_names_the_file(tmp_path, name):
    copy = copy_encoder(tmp_path / "encoder")
    assert verify(copy)  # the copy itself is good
    change_one_byte(copy / name)
    with pytest.raises(EncoderIntegrityError, match=Path(name).name):
        SentenceEncoder.load(copy)


def test_a_missing_or_unreadable_manifest_refuses_to_load(tmp_path):
    copy = copy_encoder(tmp_path / "encoder")
    (copy / MANIFEST).unlink()
    with pytest.raises(EncoderIntegrityError, match="make install"):
        SentenceEncoder.load(copy)
    (copy / MANIFEST).write_text("{not json")
    with pytest.raises(EncoderIntegrityError, match="unreadable"):
        SentenceEncoder.load(copy)


def test_a_manifest_naming_other_source_files_refuses_to_load(tmp_path):
    copy = copy_encoder(tmp_path / "encoder")
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["sha256"][f"{SOURCE_DIR}/model.safetensors"] = "0" * 64
    (copy / MANIFEST).unlink()
    (copy / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(EncoderIntegrityError, match="official model.safetensors"):
        SentenceEncoder.load(copy)


def test_the_build_finds_the_package_without_importing_it():
    """Importing all_minilm_l6_v2 prints; the build only reads its model.zip."""
    script = (
        "import sys; from footdrop.encoder_build import package_zip; "
        "path = package_zip(); assert path.name == 'model.zip' and path.is_file(); "
        "assert 'all_minilm_l6_v2' not in sys.modules"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""


def test_the_server_refuses_to_start_with_a_changed_model(tmp_path):
    """What the Rasa server does (footdrop_rasa/nlu/red_flags.py loads the detector through this):
    the detector is never built on a changed encoder, and the error names the file."""
    from footdrop.red_flags import shared_detector

    copy = copy_encoder(tmp_path / "encoder")
    change_one_byte(copy / ONNX_FILE)
    with pytest.raises(EncoderIntegrityError, match="model.onnx"):
        shared_detector(copy)
