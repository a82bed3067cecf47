"""Match an activity a person typed to the closest O*NET task statements.

The method, in plain words:

1. The phrase is split into words, British spellings become American, and workplace
   words O*NET doesn't use ("stand-up", "deck", "CVs") bring in the plain words O*NET
   uses for them (``workplace_words``, looked up by stem as well, so a typo or another
   ending finds the entry). Words are reduced to a light stem ("debugging", "debuging"
   and "debugs" all become "debug"); an unknown compound is read as the two known words
   it is made of ("copyediting": copy, edit).
2. Every task is scored by BM25 over its own words, its occupation's title (weakly) and
   the words that characterise its detailed work activities (DWAs: the words most
   typical of all tasks that share a DWA with it, so "confer with colleagues" also
   finds "meet with the team"). A stem that isn't in the vocabulary also matches
   vocabulary stems that begin like it (a typo or a different suffix).
3. The BM25 score is turned into a 0–1 word coverage: the share of the phrase's
   word weight that the task covers, where a word counts by how rare it is.
4. That coverage is blended with the cosine similarity of static word embeddings
   (WordLlama's, read from the files in its wheel by ``Embedder``) of the phrase and the
   task, which catches the same activity in other words.
5. With ``scope="all"`` every task is ranked, and tasks of the person's occupation get
   a boost (a prior: four times the similarity, because a person who chose their
   occupation most likely does its tasks; a clearly closer task elsewhere still wins).
   With ``scope="occupation"`` only that occupation's tasks are.
6. When the best similarity is under a threshold the result says ``no_match``; its
   ``matches`` then still hold the weak candidates, best first, for a caller who
   wants to show "nothing close; the nearest were…".

The index lives in memory, one per process: ``index_for(folder)`` builds it from the
reference files on first use (about 5 s, about 110 MB) and returns the same one after.
Everything here is deterministic and imports neither Django nor Celery.
"""

from __future__ import annotations

import bisect
import csv
import functools
import gzip
import math
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ladder.method.workplace_words import EXPANSIONS, SPELLINGS

MAX_PHRASE = 200  # characters; longer input is cut there, not refused
_EMPTY: tuple[array[int], array[float]] = (array("i"), array("f"))


@dataclass(frozen=True)
class Match:
    onet_soc_code: str
    task_id: int
    similarity: float  # 0..1, higher is closer


@dataclass(frozen=True)
class Result:
    phrase: str
    no_match: bool
    matches: list[Match]  # best first


@dataclass(frozen=True)
class Tuning:
    """The method's weights, chosen on the development set (see tests/bench)."""

    k1: float = 1.2
    b: float = 0.5
    title_weight: float = 0.3  # occupation title words, as a share of a task word
    dwa_weight: float = 0.3  # words typical of the task's DWAs
    dwa_terms: int = 8  # how many words characterise one DWA
    expansion_weight: float = 0.6  # a word a workplace-word expansion brought in
    variant_weight: float = 0.6  # a vocabulary stem that begins like an unknown stem
    unknown_weight: float = 0.3  # an unknown word, as a share of the mean word weight
    embedding_weight: float = 0.4  # share of the embedding cosine in the blend
    embedding_floor: float = 0.1  # cosine at or below this counts as 0
    own_occupation_boost: float = 3.0  # scope="all": x(1 + this) for the chosen one
    no_match_below: float = 0.10  # best similarity under this: "no close task"
    use_embeddings: bool = True
    known_variants: bool = False
    shortlist: int = 400  # blended scores kept before the occupation prior


STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been
    before being below between both but by can did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with you your yours
    yourself yourselves etc e g ie eg lot lots stuff thing things really get getting got
    make making sure also every week weekly daily day days often usually sometimes""".split()  # noqa: SIM905
)

_WORD = re.compile(r"[a-z0-9]+(?:[&:][a-z0-9]+)*")
_SPLIT = re.compile(r"[a-z0-9]+")
_SUFFIXES = (("isation", "iz"), ("ization", "iz"), ("ation", "at"), ("ing", ""), ("ed", ""))


def _ascii_lower(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return folded.lower().replace("'", "").replace("’", "")


def words(text: str) -> list[str]:
    """Lower-case words of ``text``, American spelling; "1:1s" and "p&l" stay whole."""
    return [SPELLINGS.get(w, w) for w in _WORD.findall(_ascii_lower(text))]


def stem(word: str) -> str:
    """A light English stemmer: plurals, -ing, -ed, -ation, -ise/-ize, final e and y."""
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if w.endswith("ription"):  # prescription, prescribe
        w = w[:-7] + "ribe"
    elif w.endswith("ification"):  # verification, verify
        w = w[:-9] + "ify"
    elif w.endswith("iliation"):  # reconciliation, reconcile
        w = w[:-8] + "ile"
    elif w.endswith(("ysis", "yse")):  # analysis, analyse, analyze
        w = w[: -4 if w.endswith("ysis") else -3] + "yze"
    for suffix, replacement in _SUFFIXES:
        base = w[: -len(suffix)]
        if w.endswith(suffix) and len(base) >= 3 and any(c in "aeiouy" for c in base):
            w = base + replacement
            if suffix in ("ing", "ed") and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            if suffix in ("ing", "ed") and w.endswith("is") and len(w) > 5:
                w = w[:-2] + "iz"
            break
    if w.endswith(("ise", "ize")) and len(w) > 5:
        w = w[:-3] + "iz"
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w.endswith("y"):
        w = w[:-1] + "i"
    return w


def terms(text: str) -> list[str]:
    """The stems BM25 compares: words without stop words, each part of "p&l" apart."""
    return [
        stem(part) for word in words(text) for part in _SPLIT.findall(word) if part not in STOPWORDS
    ]


def _stems_of(text: str) -> str:
    return " ".join(stem(w) for w in text.split())


@functools.cache
def _stemmed_expansions(keys: frozenset[str]) -> dict[str, str]:
    """The workplace-word table keyed by stems too, so "debuging" and "rebalanced" find
    the entries for "debugging" and "rebalance" (the first key of a stem wins)."""
    table: dict[str, str] = {}
    for key in sorted(keys):
        table.setdefault(_stems_of(key), EXPANSIONS[key])
    return table


def expansions(phrase_words: list[str]) -> list[str]:
    """The O*NET words that workplace words in the phrase stand for (one, two or three
    word keys; a key also matches its plural and any word with the same stem)."""
    found: list[str] = []
    stemmed = _stemmed_expansions(frozenset(EXPANSIONS))
    n = len(phrase_words)
    for size in (3, 2, 1):
        for start in range(n - size + 1):
            key = " ".join(phrase_words[start : start + size])
            value = EXPANSIONS.get(key)
            if value is None and key.endswith("s"):
                value = EXPANSIONS.get(key[:-1])
            if value is None:
                value = stemmed.get(_stems_of(key))
            if value is not None:
                found.append(value)
    return found


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@dataclass
class _Query:
    weights: dict[str, float]  # stem → weight (its idf times the kind of word it is)
    total: float  # the phrase's whole word weight: what a perfect task covers
    text: str  # what the embedding sees


@dataclass
class Index:
    """All O*NET tasks, ready to be matched (built by ``from_reference``)."""

    codes: list[str]
    task_ids: list[int]
    texts: list[str]
    by_occupation: dict[str, list[int]]
    postings: dict[str, tuple[array[int], array[float]]]  # stem → tasks, weighted counts
    idf: dict[str, float]
    lengths: list[float]
    tuning: Tuning = field(default_factory=Tuning)
    vocabulary: list[str] = field(default_factory=list)  # sorted stems
    embeddings: Any = None  # numpy array (tasks × dim), unit rows; None without them
    embedder: Any = None
    mean_idf: float = 1.0
    average_length: float = 1.0

    @classmethod
    def from_reference(cls, folder: Path, tuning: Tuning | None = None) -> Index:
        tuning = tuning or Tuning()
        codes: list[str] = []
        task_ids: list[int] = []
        texts: list[str] = []
        titles: list[str] = []
        for row in _read_csv(folder / "tasks.csv.gz"):
            codes.append(row["onet_soc_code"])
            task_ids.append(int(row["task_id"]))
            texts.append(row["task"])
            titles.append(row["title"])
        position = {(c, t): i for i, (c, t) in enumerate(zip(codes, task_ids, strict=True))}
        dwas: list[list[str]] = [[] for _ in codes]
        for row in _read_csv(folder / "task_evidence.csv.gz"):
            i = position.get((row["onet_soc_code"], int(row["task_id"])))
            if i is not None and row["onet301_dwa_ids"]:
                dwas[i] = row["onet301_dwa_ids"].split(";")

        task_terms = [terms(text) for text in texts]
        title_terms = {title: terms(title) for title in set(titles)}
        document_frequency = Counter(t for ts in task_terms for t in set(ts))
        n = len(texts)

        def idf(term: str) -> float:
            df = document_frequency.get(term, 0)
            return math.log(1 + (n - df + 0.5) / (df + 0.5))

        dwa_words = _dwa_words(dwas, task_terms, idf, tuning.dwa_terms)

        counts: list[defaultdict[str, float]] = []
        for i, own in enumerate(task_terms):
            count: defaultdict[str, float] = defaultdict(float)
            for t in own:
                count[t] += 1.0
            for t in set(title_terms[titles[i]]):
                count[t] += tuning.title_weight
            for t in {w for d in dwas[i] for w in dwa_words.get(d, ())} - set(own):
                count[t] += tuning.dwa_weight
            counts.append(count)
        postings: dict[str, tuple[array[int], array[float]]] = {}
        for i, count in enumerate(counts):
            for t, c in sorted(count.items()):
                tasks, weights = postings.setdefault(t, (array("i"), array("f")))
                tasks.append(i)
                weights.append(c)
        all_df = {t: len(p[0]) for t, p in postings.items()}
        idfs = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in all_df.items()}
        lengths = [float(len(ts)) for ts in task_terms]
        by_occupation: dict[str, list[int]] = defaultdict(list)
        for i, code in enumerate(codes):
            by_occupation[code].append(i)
        index = cls(
            codes=codes,
            task_ids=task_ids,
            texts=texts,
            by_occupation=dict(by_occupation),
            postings=postings,
            idf=idfs,
            lengths=lengths,
            tuning=tuning,
            vocabulary=sorted(postings),
            mean_idf=sum(idfs.values()) / len(idfs),
            average_length=sum(lengths) / n,
        )
        if tuning.use_embeddings:
            index.embedder = _load_embedder()
            index.embeddings = index.embedder.embed(texts)
        return index

    def match(
        self, phrase: str, *, occupation: str | None = None, scope: str = "all", top: int = 10
    ) -> Result:
        """The ``top`` closest tasks to ``phrase``, best first (see the module docstring)."""
        text = phrase[:MAX_PHRASE] if isinstance(phrase, str) else ""
        query = self._query(text)
        if occupation not in self.by_occupation:
            occupation = None
        if scope == "occupation" and occupation is not None:
            candidates: list[int] | None = self.by_occupation[occupation]
        else:
            candidates = None
        if query.total <= 0:
            return Result(phrase=text, no_match=True, matches=[])
        own = self.by_occupation[occupation] if candidates is None and occupation else []
        scores = self._similarities(query, candidates, own)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[: max(top, 1)]
        matches = [
            Match(self.codes[i], self.task_ids[i], round(min(1.0, max(0.0, s)), 4))
            for i, s in ranked
            if s > 0
        ][:top]
        best = matches[0].similarity if matches else 0.0
        return Result(phrase=text, no_match=best < self.tuning.no_match_below, matches=matches)

    def _query(self, text: str) -> _Query:
        tuning = self.tuning
        phrase_words = words(text)
        weights: dict[str, float] = {}
        total = 0.0
        extra = expansions(phrase_words)
        known = _stemmed_expansions(frozenset(EXPANSIONS))
        for t in terms(" ".join(phrase_words)):
            if t in weights:
                continue
            if t in self.idf:
                weights[t] = self.idf[t]
                total += self.idf[t]
                if tuning.known_variants:
                    for v in self._variants(t):
                        weights.setdefault(v, self.idf[v] * tuning.variant_weight)
                continue
            variants = self._variants(t) or ([] if t in known else self._parts(t))
            for v in variants:
                weights.setdefault(v, self.idf[v] * tuning.variant_weight)
            if variants:
                total += max(self.idf[v] for v in variants) * tuning.variant_weight
            elif not extra:
                total += self.mean_idf * tuning.unknown_weight
        for t in terms(" ".join(extra)):
            if t in self.idf and t not in weights:
                weights[t] = self.idf[t] * tuning.expansion_weight
                total += weights[t]
        embedded = " ".join([text, *extra])
        return _Query(weights=weights, total=total, text=embedded)

    def _parts(self, term: str) -> list[str]:
        """The two known stems an unknown compound is made of ("copyedit": copy, edit;
        "timesheet": time, sheet), the split with the longest first part that works."""
        if len(term) < 7 or not term.isalpha():
            return []
        for cut in range(len(term) - 3, 2, -1):
            head, tail = stem(term[:cut]), stem(term[cut:])
            if head in self.idf and tail in self.idf:
                return [head, tail]
        return []

    def _variants(self, term: str) -> list[str]:
        """Vocabulary stems that begin like an unknown stem (a typo, another suffix)."""
        if len(term) < 5 or not term.isalpha():
            return []
        prefix = term[: max(5, len(term) - 2)]
        start = bisect.bisect_left(self.vocabulary, prefix)
        found: list[str] = []
        for v in self.vocabulary[start : start + 50]:
            if not v.startswith(prefix):
                break
            if abs(len(v) - len(term)) <= 3:
                found.append(v)
        return found

    def _similarities(
        self, query: _Query, candidates: list[int] | None, own: list[int]
    ) -> dict[int, float]:
        """Similarity of each task (of ``candidates``, or all) with some word or meaning
        in common; the tasks of ``own`` get the occupation prior."""
        tuning = self.tuning
        k1, b = tuning.k1, tuning.b
        allowed = set(candidates) if candidates is not None else None
        coverage: dict[int, float] = defaultdict(float)
        for t, weight in query.weights.items():
            tasks, counts = self.postings.get(t, _EMPTY)
            for i, c in zip(tasks, counts, strict=True):
                if allowed is not None and i not in allowed:
                    continue
                norm = k1 * (1 - b + b * self.lengths[i] / self.average_length)
                coverage[i] += weight * c * (k1 + 1) / (c + norm) / (k1 + 1)
        lexical = {i: min(1.0, s / query.total) for i, s in coverage.items()}
        boost = 1 + tuning.own_occupation_boost
        if self.embeddings is None or not tuning.use_embeddings:
            for i in own:
                if i in lexical:
                    lexical[i] *= boost
            return lexical
        vector = self.embedder.embed([query.text])[0]
        rows = candidates if candidates is not None else slice(None)
        floor, a = tuning.embedding_floor, tuning.embedding_weight
        semantic = ((self.embeddings[rows] @ vector - floor) / (1 - floor)).clip(0, 1) * a
        offset = {i: k for k, i in enumerate(candidates)} if candidates is not None else None
        for i, s in lexical.items():
            semantic[offset[i] if offset is not None else i] += (1 - a) * s
        semantic[own] *= boost
        keep = (-semantic).argsort(kind="stable")[: self.tuning.shortlist]
        ids = [candidates[k] for k in keep] if candidates is not None else keep.tolist()
        return dict(zip(ids, semantic[keep].tolist(), strict=True))


def _dwa_words(
    dwas: list[list[str]], task_terms: list[list[str]], idf: Any, size: int
) -> dict[str, tuple[str, ...]]:
    """The ``size`` words most typical of each DWA: frequent among its tasks, rare
    elsewhere (a stand-in for the DWA's title, which the reference files don't hold)."""
    pooled: dict[str, Counter[str]] = defaultdict(Counter)
    for ids, ts in zip(dwas, task_terms, strict=True):
        for d in ids:
            pooled[d].update(set(ts))
    chosen: dict[str, tuple[str, ...]] = {}
    for d, count in pooled.items():
        ranked = sorted(count.items(), key=lambda item: (-item[1] * idf(item[0]), item[0]))
        chosen[d] = tuple(t for t, c in ranked[:size] if c >= 2)
    return chosen


WORDLLAMA_WEIGHTS = "weights/l2_supercat_256.safetensors"
WORDLLAMA_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


class Embedder:
    """WordLlama's static word vectors, averaged over a text's tokens (what its
    ``embed`` does), read straight from the files in its wheel: nothing is downloaded,
    and the 16 MB of vectors stay half-precision instead of being copied to single."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.vectors = load_file(folder / WORDLLAMA_WEIGHTS)["embedding.weight"]
        self.tokenizer = Tokenizer.from_file(str(folder / WORDLLAMA_TOKENIZER))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        # The BPE model remembers every word it has seen (35 MB after all the tasks);
        # a small cache is as fast for short phrases. Older tokenizers lack the call.
        resize = getattr(self.tokenizer.model, "_resize_cache", None)
        if resize is not None:
            resize(1000)

    def embed(self, texts: list[str]) -> Any:
        """One unit-length row (float32) per text; a text without tokens gets zeros."""
        import numpy as np

        rows = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        last = self.vectors.shape[0] - 1
        for k, text in enumerate(texts):  # one at a time: a batch spawns a thread pool
            ids = self.tokenizer.encode(text, add_special_tokens=False).ids
            if ids:
                chosen = np.minimum(np.asarray(ids, dtype=np.int64), last)
                rows[k] = self.vectors[chosen].mean(axis=0, dtype=np.float32)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.where(norms > 0, norms, 1.0)


def _load_embedder() -> Embedder:
    """The embedder over the installed WordLlama package's files (found, not imported:
    its package pulls in more than these two files need)."""
    import importlib.util

    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("wordllama")
    return Embedder(Path(next(iter(spec.submodule_search_locations))))


@functools.cache
def index_for(folder: Path) -> Index:
    """The index of ``folder``'s reference files, built once per process."""
    return Index.from_reference(Path(folder))
