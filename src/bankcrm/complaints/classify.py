"""Suggest a complaint's product line and issue from its text (pure: no web, no database).

The features are character n-grams inside word boundaries, the way scikit-learn's
``TfidfVectorizer(analyzer="char_wb")`` makes them: every word is padded with a space on
each side and cut into its 2- to 4-character slices. They need no word segmentation, so
Chinese and English text work alike. The slices are weighted by TF-IDF (sublinear term
frequency, smoothed inverse document frequency, unit length per text), and each field
(product line, issue) has its own multinomial logistic regression on them.

The n-grams are counted here in NumPy rather than by ``TfidfVectorizer``: a stored model
must compute the same features after any scikit-learn upgrade, and slicing a few million
characters with array operations takes a fraction of the time of a Python loop.
``tests/complaints/test_classify.py`` checks that the features equal scikit-learn's.

A model is stored without pickle (``to_bytes``): a zip of ``.npy`` arrays (vocabulary,
IDF weights, coefficients, intercepts, class counts) and a JSON header (format version,
settings, class names), so no code is loaded when a model is read.
"""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Self

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

FIELDS: Final = ("product_line", "issue")
"""The fields a model suggests, in the order ``fit`` takes their labels."""

FORMAT: Final = "bankcrm.complaints.ComplaintClassifier"
FORMAT_VERSION: Final = 1

_SPACE: Final = ord(" ")
_ZIP_DATE: Final = (1980, 1, 1, 0, 0, 0)
"""Fixed member dates, so the same model always gives the same bytes."""
_BATCH_CHARACTERS: Final = 1_000_000
"""Texts are cut into n-grams in batches of about this many characters: the arrays take
some 200 bytes per character, so a batch needs about 200 MB however large the corpus."""


def normalise(text: str) -> str:
    """The form of a text the n-grams are cut from: Unicode NFKC (full-width letters, digits
    and punctuation become their ordinary forms) in lower case."""
    return unicodedata.normalize("NFKC", text).lower()


@dataclass(frozen=True)
class Suggestion:
    """The most probable product line and issue of one complaint, with their probabilities."""

    product_line: str
    product_line_confidence: float
    issue: str
    issue_confidence: float


# --- character n-grams -------------------------------------------------------------------


@dataclass(frozen=True)
class _Corpus:
    """The padded words of a batch of texts, concatenated: " w1  w2 " for each text."""

    codes: np.ndarray
    """Unicode code point of every position."""
    document: np.ndarray
    """The text each position belongs to."""
    segment: np.ndarray
    """The padded word each position belongs to (numbered across the batch)."""
    segment_start: np.ndarray
    """Position of each padded word's first character."""
    segment_length: np.ndarray
    documents: int


def _padded(texts: Sequence[str], max_chars: int | None) -> list[str]:
    """Each text's words, each padded with one space on each side: " w1  w2 "."""
    padded = []
    for text in texts:
        words = normalise(text)[:max_chars].split()
        padded.append(" " + "  ".join(words) + " " if words else "")
    return padded


def _batches(padded: list[str]) -> Iterator[list[str]]:
    """Consecutive texts of about ``_BATCH_CHARACTERS`` characters in all."""
    batch: list[str] = []
    size = 0
    for item in padded:
        batch.append(item)
        size += len(item)
        if size >= _BATCH_CHARACTERS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _corpus(padded: list[str]) -> _Corpus:
    joined = "".join(padded).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, dtype=np.uint32)
    lengths = np.fromiter((len(item) for item in padded), dtype=np.int64, count=len(padded))
    document = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)
    # A padded word starts at the text's first position and at the second of two spaces.
    starts = np.zeros(len(codes), dtype=bool)
    starts[:1] = True
    starts[1:] = (codes[1:] == _SPACE) & (codes[:-1] == _SPACE)
    segment_start = np.flatnonzero(starts)
    segment_length = np.diff(np.append(segment_start, len(codes)))
    return _Corpus(
        codes=codes,
        document=document,
        segment=np.cumsum(starts) - 1,
        segment_start=segment_start,
        segment_length=segment_length,
        documents=len(padded),
    )


def _check_base(base: int, longest: int) -> None:
    if base**longest > 2**64:
        raise ValueError(
            f"the texts hold {base - 1:,} different characters, too many for keys of "
            f"{longest}-character n-grams: use a smaller ngram_range"
        )


def _slices(
    corpus: _Corpus, digits: np.ndarray, base: int, ngram_range: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Every n-gram of every padded word as an integer key, and the text it comes from.

    ``digits`` holds each position's character as 1 … base − 1, or 0 for a character no
    n-gram of interest contains; a key is the n-gram's digits read in base ``base`` (no digit
    is 0, so n-grams of different lengths never share a key). As in scikit-learn's
    ``char_wb``, a padded word shorter than the smallest n counts once, whole.
    """
    low, high = ngram_range
    size = len(digits)
    unknown = np.concatenate(([0], np.cumsum(digits == 0)))
    keys: list[np.ndarray] = []
    documents: list[np.ndarray] = []

    def add(start: np.ndarray, n: int) -> None:
        start = start[unknown[start + n] == unknown[start]]
        key = np.zeros(len(start), dtype=np.uint64)
        for offset in range(n):
            key = key * np.uint64(base) + digits[start + offset]
        keys.append(key)
        documents.append(corpus.document[start])

    for n in range(low, high + 1):
        if size < n:
            break
        count = size - n + 1
        add(np.flatnonzero(corpus.segment[:count] == corpus.segment[n - 1 :]), n)
    for length in np.unique(corpus.segment_length[corpus.segment_length < low]):
        add(corpus.segment_start[corpus.segment_length == length], int(length))
    if not keys:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate(keys), np.concatenate(documents)


def _sorted_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values in ascending order and how often each occurs (a sort, which is
    much faster than ``np.unique`` on millions of 64-bit keys)."""
    ordered = np.sort(values)
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(np.append(starts, len(ordered)))


def _count_matrix(documents: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> Any:
    """How often each (text, column) pair occurs, as a CSR matrix."""
    pairs, counts = _sorted_unique(documents * shape[1] + columns)
    rows = pairs // shape[1]
    indptr = np.searchsorted(rows, np.arange(shape[0] + 1))
    return sparse.csr_matrix((counts.astype(np.float64), pairs % shape[1], indptr), shape=shape)


def _merge_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their counts from several (distinct values, counts) pairs."""
    if not parts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    values = np.concatenate([part[0] for part in parts])
    counts = np.concatenate([part[1] for part in parts])
    order = np.argsort(values, kind="stable")
    values, counts = values[order], counts[order]
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    starts = np.flatnonzero(first)
    return values[starts], np.add.reduceat(counts, starts) if len(starts) else counts


def _stack(matrices: list[Any], columns: int) -> Any:
    """Batches' CSR matrices one below the other (none: no rows)."""
    if not matrices:
        return sparse.csr_matrix((0, columns), dtype=np.float64)
    return sparse.vstack(matrices, format="csr") if len(matrices) > 1 else matrices[0]


def _find(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which ``keys`` are in ``sorted_keys`` (a mask) and, for those, where."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool), np.zeros(0, dtype=np.int64)
    position = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    hit = sorted_keys[position] == keys
    return hit, position[hit]


class _Lookup:
    """From text to n-gram counts over a fixed vocabulary."""

    def __init__(self, vocabulary: Sequence[str], ngram_range: tuple[int, int]) -> None:
        alphabet = sorted({char for term in vocabulary for char in term})
        self.alphabet = np.array([ord(char) for char in alphabet], dtype=np.uint32)
        self.base = len(alphabet) + 1
        longest = max((len(term) for term in vocabulary), default=1)
        _check_base(self.base, max(longest, ngram_range[1]))
        digit = {char: index + 1 for index, char in enumerate(alphabet)}
        keys = []
        for term in vocabulary:
            key = 0
            for char in term:
                key = key * self.base + digit[char]
            keys.append(key)
        term_keys = np.array(keys, dtype=np.uint64)
        self.order = np.argsort(term_keys, kind="stable")
        self.sorted_keys = term_keys[self.order]
        self.features = len(vocabulary)
        self.ngram_range = ngram_range

    def counts(self, corpus: _Corpus) -> Any:
        index = np.searchsorted(self.alphabet, corpus.codes)
        index = np.minimum(index, len(self.alphabet) - 1)
        known = self.alphabet[index] == corpus.codes
        digits = np.where(known, index + 1, 0).astype(np.uint64)
        keys, documents = _slices(corpus, digits, self.base, self.ngram_range)
        hit, position = _find(self.sorted_keys, keys)
        return _count_matrix(
            documents[hit], self.order[position], (corpus.documents, self.features)
        )


def _tfidf(counts: Any, idf: np.ndarray) -> Any:
    """Sublinear term frequency (1 + ln count) × IDF, each row scaled to unit length."""
    weights = counts.astype(np.float64)
    weights.sort_indices()
    np.log(weights.data, out=weights.data)
    weights.data += 1.0
    weights.data *= idf[weights.indices]
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    norms = np.sqrt(np.bincount(rows, weights=weights.data**2, minlength=weights.shape[0]))
    scale = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
    weights.data *= np.repeat(scale, np.diff(weights.indptr))
    return weights


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return np.asarray(exponentials / exponentials.sum(axis=1, keepdims=True))


# --- the model ---------------------------------------------------------------------------


class ComplaintClassifier:
    """Character n-gram TF-IDF and one logistic regression per field.

    Parameters
    ----------
    ngram_range : tuple of int
        Smallest and largest n-gram length (characters, counting a word's padding space).
    min_df : int
        An n-gram enters the vocabulary if at least this many training texts contain it.
    max_df : float
        … and if at most this share of them do: n-grams nearly every text has ("the ",
        "ed ") say nothing about the complaint but make up a third of the nonzero features
        of English text, and so of the fitting time.
    max_features : int or None
        Keep only the n-grams most frequent over the training texts (of equally frequent
        ones, the shorter, then the one with lower character codes); this bounds the stored
        model's size.
    max_chars : int or None
        Read only the first characters of each text: a complaint says what it is about at
        the start, and long narratives cost time without adding much.
    C : float
        Inverse strength of the L2 penalty of the logistic regressions.
    class_weight : "balanced" or None
        "balanced" weights each case by the inverse of its class's frequency, so a rare
        product line counts as much as a common one; the probabilities then describe a
        world of equally common classes, not the training shares.
    tol : float
        Stopping tolerance of the L-BFGS solver (scikit-learn's default is 1e-4; 1e-3 halves
        the iterations and changes the macro-F1 of CFPB narratives by less than 0.01).
    max_iter : int
        Iterations of the L-BFGS solver.

    Attributes
    ----------
    vocabulary_ : tuple of str
        The n-grams, in feature order.
    idf_ : ndarray of float32
        Inverse document frequency of each n-gram, ln((1 + n) / (1 + df)) + 1.
    classes_ : dict of str to tuple of str
        Per field, the labels seen in training (sorted); probabilities come in this order.
    class_counts_ : dict of str to ndarray of int64
        Per field, how many training texts had each label.
    coef_ : dict of str to ndarray of float32
        Per field, classes × features weights of the softmax.
    intercept_ : dict of str to ndarray of float32
        Per field, one intercept per class.
    """

    vocabulary_: tuple[str, ...]
    idf_: np.ndarray
    classes_: dict[str, tuple[str, ...]]
    class_counts_: dict[str, np.ndarray]
    coef_: dict[str, np.ndarray]
    intercept_: dict[str, np.ndarray]
    _lookup: _Lookup

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (2, 4),
        min_df: int = 2,
        max_df: float = 0.5,
        max_features: int | None = 20_000,
        max_chars: int | None = 2_000,
        C: float = 3.0,
        class_weight: str | None = "balanced",
        tol: float = 1e-3,
        max_iter: int = 1_000,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.max_chars = max_chars
        self.C = C
        self.class_weight = class_weight
        self.tol = tol
        self.max_iter = max_iter

    def _settings(self) -> dict[str, Any]:
        return {
            "ngram_range": list(self.ngram_range),
            "min_df": self.min_df,
            "max_df": self.max_df,
            "max_features": self.max_features,
            "max_chars": self.max_chars,
            "C": self.C,
            "class_weight": self.class_weight,
            "tol": self.tol,
            "max_iter": self.max_iter,
        }

    def _check_settings(self) -> None:
        low, high = self.ngram_range
        if not 1 <= low <= high:
            raise ValueError(f"ngram_range must be 1 ≤ low ≤ high, not {self.ngram_range}")
        if self.min_df < 1:
            raise ValueError("min_df must be at least 1")
        if not 0 < self.max_df <= 1:
            raise ValueError("max_df must be a share of the texts, above 0 and at most 1")
        if self.max_features is not None and self.max_features < 1:
            raise ValueError("max_features must be at least 1 (or None)")
        if self.max_chars is not None and self.max_chars < 1:
            raise ValueError("max_chars must be at least 1 (or None)")
        if self.class_weight not in (None, "balanced"):
            raise ValueError('class_weight must be "balanced" or None')

    def fit(
        self, texts: Sequence[str], product_lines: Sequence[str], issues: Sequence[str]
    ) -> Self:
        """Learn the vocabulary and one model per field.

        Parameters
        ----------
        texts : sequence of str
            The complaints' words, any language.
        product_lines, issues : sequence of str
            Each text's labels (taxonomy codes); each field needs two labels at least.

        Returns
        -------
        self
        """
        self._check_settings()
        labels = {"product_line": list(product_lines), "issue": list(issues)}
        for field, values in labels.items():
            if len(values) != len(texts):
                raise ValueError(
                    f"{len(texts)} texts but {len(values)} {field} labels: one label per text"
                )
            if not all(isinstance(value, str) and value for value in values):
                raise ValueError(f"every {field} label must be a non-empty string")
            if len(set(values)) < 2:
                raise ValueError(f"{field} needs at least two different labels to learn from")
        if not all(isinstance(text, str) for text in texts):
            raise ValueError("every text must be a string")

        counts, vocabulary, document_frequency = self._learn_vocabulary(texts)
        documents = len(texts)
        self.vocabulary_ = vocabulary
        idf = np.log((1.0 + documents) / (1.0 + document_frequency)) + 1.0
        self.idf_ = idf.astype(np.float32)
        features = _tfidf(counts, self.idf_)

        self.classes_ = {}
        self.class_counts_ = {}
        self.coef_ = {}
        self.intercept_ = {}
        for field in FIELDS:
            classes, per_class = np.unique(np.array(labels[field]), return_counts=True)
            regression = LogisticRegression(
                C=self.C, class_weight=self.class_weight, tol=self.tol, max_iter=self.max_iter
            )
            regression.fit(features, labels[field])
            coef = np.asarray(regression.coef_, dtype=np.float64)
            intercept = np.asarray(regression.intercept_, dtype=np.float64)
            if len(classes) == 2:
                # Two classes: one logit; as a softmax over two rows it is ∓ half of it.
                coef = np.vstack([-coef[0] / 2, coef[0] / 2])
                intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
            self.classes_[field] = tuple(str(name) for name in regression.classes_)
            self.class_counts_[field] = per_class.astype(np.int64)
            self.coef_[field] = coef.astype(np.float32)
            self.intercept_[field] = intercept.astype(np.float32)
        self._lookup = _Lookup(self.vocabulary_, self.ngram_range)
        return self

    def _learn_vocabulary(self, texts: Sequence[str]) -> tuple[Any, tuple[str, ...], np.ndarray]:
        padded = _padded(texts, self.max_chars)
        characters = set().union(*padded)
        alphabet = np.array(sorted(ord(char) for char in characters), dtype=np.uint32)
        base = len(alphabet) + 1
        _check_base(base, self.ngram_range[1])

        def slices(batch: list[str]) -> tuple[np.ndarray, np.ndarray]:
            corpus = _corpus(batch)
            digits = (np.searchsorted(alphabet, corpus.codes) + 1).astype(np.uint64)
            return _slices(corpus, digits, base, self.ngram_range)

        # First pass: how often each n-gram occurs. Only one occurring min_df times or more
        # can be in min_df texts; the second pass counts those per text.
        found: list[tuple[np.ndarray, np.ndarray]] = []
        for batch in _batches(padded):
            found.append(_sorted_unique(slices(batch)[0]))
        terms, occurrences = _merge_counts(found)
        terms = terms[occurrences >= self.min_df]
        matrices = []
        for batch in _batches(padded):
            keys, documents = slices(batch)
            hit, column = _find(terms, keys)
            matrices.append(_count_matrix(documents[hit], column, (len(batch), len(terms))))
        counts = _stack(matrices, len(terms))
        document_frequency = np.bincount(counts.indices, minlength=len(terms))
        total = np.bincount(counts.indices, weights=counts.data, minlength=len(terms))
        keep = np.flatnonzero(
            (document_frequency >= self.min_df) & (document_frequency <= self.max_df * len(texts))
        )
        if self.max_features is not None and len(keep) > self.max_features:
            most_frequent = np.lexsort((terms[keep], -total[keep]))[: self.max_features]
            keep = np.sort(keep[most_frequent])
        if len(keep) == 0:
            raise ValueError(
                f"no n-gram occurs in at least {self.min_df} and at most {self.max_df:.0%} of "
                "the texts: too few or too short texts"
            )
        vocabulary = tuple(_decode(int(key), alphabet, base) for key in terms[keep])
        return counts[:, keep], vocabulary, document_frequency[keep]

    # --- prediction ----------------------------------------------------------------------

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise ValueError("the classifier is not fitted: call fit or from_bytes first")

    def transform(self, texts: Sequence[str]) -> Any:
        """The TF-IDF features (a SciPy CSR matrix, texts × ``vocabulary_``)."""
        self._check_fitted()
        batches = _batches(_padded(texts, self.max_chars))
        counts = [self._lookup.counts(_corpus(batch)) for batch in batches]
        return _tfidf(_stack(counts, len(self.vocabulary_)), self.idf_)

    def _probabilities(self, features: Any, field: str) -> np.ndarray:
        scores = np.asarray(features @ self.coef_[field].T.astype(np.float64))
        return _softmax(scores + self.intercept_[field].astype(np.float64))

    def predict_proba(self, texts: Sequence[str], field: str) -> np.ndarray:
        """Each text's probability of each of ``classes_[field]``.

        Returns
        -------
        ndarray of shape (len(texts), len(classes_[field]))
        """
        self._check_fitted()
        if field not in FIELDS:
            raise ValueError(f"field must be one of {FIELDS}, not {field!r}")
        return self._probabilities(self.transform(texts), field)

    def predict(self, texts: Sequence[str]) -> list[Suggestion]:
        """The most probable product line and issue of each text."""
        self._check_fitted()
        features = self.transform(texts)
        best: dict[str, tuple[list[str], list[float]]] = {}
        for field in FIELDS:
            probabilities = self._probabilities(features, field)
            index = probabilities.argmax(axis=1)
            names = [self.classes_[field][i] for i in index]
            confidence = probabilities[np.arange(len(index)), index]
            best[field] = (names, [float(value) for value in confidence])
        return [
            Suggestion(
                product_line=best["product_line"][0][row],
                product_line_confidence=best["product_line"][1][row],
                issue=best["issue"][0][row],
                issue_confidence=best["issue"][1][row],
            )
            for row in range(len(texts))
        ]

    # --- storage -------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The fitted model as a zip of ``.npy`` arrays with a JSON header (no pickle);
        the same model always gives the same bytes."""
        self._check_fitted()
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "settings": self._settings(),
            "fields": list(FIELDS),
            "classes": {field: list(self.classes_[field]) for field in FIELDS},
        }
        arrays = {
            "header": np.frombuffer(json.dumps(header, ensure_ascii=False).encode(), np.uint8),
            "vocabulary": np.frombuffer("\n".join(self.vocabulary_).encode(), np.uint8),
            "idf": self.idf_.astype(np.float32),
        }
        for field in FIELDS:
            arrays[f"{field}_coef"] = self.coef_[field].astype(np.float32)
            arrays[f"{field}_intercept"] = self.intercept_[field].astype(np.float32)
            arrays[f"{field}_counts"] = self.class_counts_[field].astype(np.int64)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, array in arrays.items():
                member = io.BytesIO()
                np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, member.getvalue(), compresslevel=9)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> ComplaintClassifier:
        """A model written by ``to_bytes``; it predicts exactly what the written one did."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as stored:
                arrays = {name: stored[name] for name in stored.files}
        except (ValueError, OSError, zipfile.BadZipFile) as error:
            raise ValueError(f"not a stored complaint classifier: {error}") from None
        try:
            return cls._from_arrays(arrays)
        except (KeyError, IndexError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"stored model is damaged: {error!r}") from None

    @classmethod
    def _from_arrays(cls, arrays: dict[str, np.ndarray]) -> ComplaintClassifier:
        if "header" not in arrays:
            raise ValueError("not a stored complaint classifier: no header")
        header = json.loads(arrays["header"].tobytes().decode())
        if header.get("format") != FORMAT:
            raise ValueError(f"not a stored complaint classifier: format {header.get('format')!r}")
        if header.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"stored model format version {header.get('version')} is not the version "
                f"{FORMAT_VERSION} this code reads"
            )
        settings = header["settings"]
        model = cls(
            ngram_range=(int(settings["ngram_range"][0]), int(settings["ngram_range"][1])),
            min_df=settings["min_df"],
            max_df=settings["max_df"],
            max_features=settings["max_features"],
            max_chars=settings["max_chars"],
            C=settings["C"],
            class_weight=settings["class_weight"],
            tol=settings["tol"],
            max_iter=settings["max_iter"],
        )
        model.vocabulary_ = tuple(arrays["vocabulary"].tobytes().decode().split("\n"))
        model.idf_ = arrays["idf"].astype(np.float32)
        if len(model.idf_) != len(model.vocabulary_):
            raise ValueError("stored model is damaged: vocabulary and IDF weights differ")
        model.classes_ = {}
        model.class_counts_ = {}
        model.coef_ = {}
        model.intercept_ = {}
        for field in FIELDS:
            classes = tuple(header["classes"][field])
            coef = arrays[f"{field}_coef"].astype(np.float32)
            intercept = arrays[f"{field}_intercept"].astype(np.float32)
            counts = arrays[f"{field}_counts"].astype(np.int64)
            if coef.shape != (len(classes), len(model.vocabulary_)) or not (
                len(intercept) == len(counts) == len(classes)
            ):
                raise ValueError(f"stored model is damaged: the {field} arrays do not fit")
            model.classes_[field] = classes
            model.coef_[field] = coef
            model.intercept_[field] = intercept
            model.class_counts_[field] = counts
        model._lookup = _Lookup(model.vocabulary_, model.ngram_range)
        return model


def _decode(key: int, alphabet: np.ndarray, base: int) -> str:
    chars = []
    while key:
        key, digit = divmod(key, base)
        chars.append(chr(int(alphabet[digit - 1])))
    return "".join(reversed(chars))


HELD_OUT_SHARE: Final = 0.2
SPLIT_SEED: Final = 20_231
"""Seed of the held-out split (NumPy's legacy ``RandomState``, whose stream never changes)."""


def held_out_split(
    labels: Sequence[str], *, share: float = HELD_OUT_SHARE, seed: int = SPLIT_SEED
) -> tuple[np.ndarray, np.ndarray]:
    """Rows to learn from and rows held out, stratified by ``labels``.

    Within each label (in sorted order) the rows are shuffled by one seeded generator and
    the first ``share`` of them (rounded half up, at least one of a label with two rows or
    more) are held out. NumPy's legacy ``RandomState`` is used because its stream is frozen:
    the split stays the same on every NumPy version.

    Returns
    -------
    training, held_out : ndarray of int
        Row numbers in ascending order.
    """
    if not 0 < share < 1:
        raise ValueError("share must be between 0 and 1")
    values = np.array(labels)
    generator = np.random.RandomState(seed)
    held_out: list[np.ndarray] = []
    for label in sorted(set(labels)):
        rows = generator.permutation(np.flatnonzero(values == label))
        count = int(np.floor(share * len(rows) + 0.5))
        if len(rows) >= 2:
            count = min(max(count, 1), len(rows) - 1)
        held_out.append(rows[:count])
    test = np.sort(np.concatenate(held_out)) if held_out else np.zeros(0, dtype=np.int64)
    train = np.setdiff1d(np.arange(len(values)), test)
    return train, test


# --- evaluation --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldEvaluation:
    """How well one field is suggested on held-out cases, against always suggesting the
    training data's most common label (the majority baseline).

    Macro-F1 averages the F1 of the labels present among the held-out cases, each label
    counting the same however rare it is.
    """

    field: str
    cases: int
    classes: int
    """Labels present among the held-out cases."""
    macro_f1: float
    baseline_macro_f1: float
    accuracy: float
    baseline_accuracy: float
    baseline_label: str
    support: dict[str, int]
    """Held-out cases per label."""
    f1: dict[str, float]
    """The model's F1 per label."""


@dataclass(frozen=True)
class Evaluation:
    product_line: FieldEvaluation
    issue: FieldEvaluation

    @property
    def fields(self) -> tuple[FieldEvaluation, FieldEvaluation]:
        return (self.product_line, self.issue)


def _evaluate_field(
    field: str, truth: Sequence[str], predicted: Sequence[str], baseline_label: str
) -> FieldEvaluation:
    labels, support = np.unique(np.array(truth), return_counts=True)
    label_list = [str(label) for label in labels]
    per_label = f1_score(truth, predicted, labels=label_list, average=None, zero_division=0)
    baseline = [baseline_label] * len(truth)
    truth_array = np.array(truth)
    return FieldEvaluation(
        field=field,
        cases=len(truth),
        classes=len(label_list),
        macro_f1=round(
            float(f1_score(truth, predicted, labels=label_list, average="macro", zero_division=0)),
            4,
        ),
        baseline_macro_f1=round(
            float(f1_score(truth, baseline, labels=label_list, average="macro", zero_division=0)),
            4,
        ),
        accuracy=round(float(np.mean(truth_array == np.array(predicted))), 4),
        baseline_accuracy=round(float(np.mean(truth_array == baseline_label)), 4),
        baseline_label=baseline_label,
        support={label: int(count) for label, count in zip(label_list, support, strict=True)},
        f1={
            label: round(float(value), 4)
            for label, value in zip(label_list, per_label, strict=True)
        },
    )


def evaluate(
    model: ComplaintClassifier,
    texts: Sequence[str],
    product_lines: Sequence[str],
    issues: Sequence[str],
) -> Evaluation:
    """Macro-F1 and accuracy of ``model`` on held-out labelled texts, per field, and of the
    majority baseline (the most common label of the model's training data).

    ``sklearn.metrics.f1_score(average="macro")`` over the labels present in the held-out
    truth: a label the model predicts but no held-out case has lowers only the F1 of the
    labels it was wrongly given for.
    """
    if not len(texts) == len(product_lines) == len(issues):
        raise ValueError("one product line and one issue per text are needed")
    if not texts:
        raise ValueError("evaluation needs at least one held-out text")
    suggestions = model.predict(texts)
    truth = {"product_line": product_lines, "issue": issues}
    results = {}
    for field in FIELDS:
        counts = model.class_counts_[field]
        majority = model.classes_[field][int(np.argmax(counts))]
        predicted = [getattr(suggestion, field) for suggestion in suggestions]
        results[field] = _evaluate_field(field, truth[field], predicted, majority)
    return Evaluation(product_line=results["product_line"], issue=results["issue"])
