"""Match a file's header cells to a contract's columns by meaning, not by an exact list.

Each header is read into words (folded, numbering and bracketed notes removed, abbreviations written
out, synonyms and droppable words applied: ``contracts/_header_words.yaml``) and scored against every
example of every column (its ``label_vi``, its aliases and the headers a data engineer confirmed with
``treem contract map``). The score is the F1 of the words both share, each word weighted by how well it
tells the contract's columns apart. A header goes to a column when that score is high and clearly above
its score for any other column; a column takes at most one header and a header at most one column.
What stays unsure is not guessed: the closest headers are named, for a person to confirm."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from ingestion.contract import CONTRACTS_DIR, Contract

WORDS_FILE = CONTRACTS_DIR / "_header_words.yaml"
CONFIDENT = 0.8  # a header scoring at least this for a column may be that column ...
EXPLAINED = 0.75  # ... if that much of its words' weight is found in the column's example ...
MARGIN = 0.15  # ... and no other column comes within this of it
SUGGESTED = 0.3  # below this a header is not worth naming as a candidate
SUGGESTIONS = 2

_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_NUMBERING = re.compile(r"^(?:cot\s*)?(?:\d{1,2}|[ivx]{1,4})\s+(?=[a-z])")


@dataclass(frozen=True)
class Words:
    abbreviations: dict[str, str]
    phrases: re.Pattern
    phrase_map: dict[str, str]
    synonyms: dict[str, str]
    drop: frozenset[str]
    ordinals: frozenset[str]
    distinct: frozenset[str]


@cache
def load_words(path: Path = WORDS_FILE) -> Words:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    phrase_map = {k: v or "" for k, v in spec["phrases"].items()}
    ordered = sorted(phrase_map, key=len, reverse=True)
    return Words(
        abbreviations=spec["abbreviations"],
        phrases=re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b"),
        phrase_map=phrase_map,
        synonyms=spec["synonyms"],
        drop=frozenset(spec["drop"]),
        ordinals=frozenset(spec["ordinals"]),
        distinct=frozenset(spec["distinct"]),
    )


NUMBER = "#"


def _telling(bracketed: str, words: Words) -> str:
    kept = [w for w in _NOT_WORD.sub(" ", bracketed).split() if w in words.distinct]
    return " " + " ".join(kept) + " "


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()


@lru_cache(maxsize=1 << 14)
def header_words(header: str) -> tuple[str, ...]:
    """The words of a header that carry its meaning, in order: 'Ngày tháng năm sinh (dd/mm/yyyy)' ->
    ('ngay', 'sinh'); '(3) Số CCCD/ĐDCN của trẻ' -> ('dinhdanh',)."""
    words = load_words()
    text = _plain(header)
    # a note in brackets is dropped, unless it says something of its own: '(nghìn đồng)', '(tháng)'
    unbracketed = _BRACKETED.sub(lambda m: _telling(m.group(0), words), text)
    text = unbracketed if _NOT_WORD.sub("", unbracketed) else text
    text = _NUMBERING.sub("", _NOT_WORD.sub(" ", text).strip())
    text = " ".join(words.abbreviations.get(w, w) for w in text.split())
    text = words.phrases.sub(lambda m: words.phrase_map[m.group(0)], text)
    tokens = [words.synonyms.get(w, w) for w in text.split()]
    kept = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else None
        if token in words.drop or (token.isdigit() and len(token) < 3):
            continue
        if token.isdigit():
            token = NUMBER  # 'Liều 100.000 IU' names one value, not the column
        if token in words.ordinals and (token == "so" or following is None or following.isdigit()):
            continue
        kept.append(token)
    return tuple(kept)


@dataclass(frozen=True)
class Score:
    """How well a header means a column: the F1 of the words it shares with the column's closest
    example, and the share of its own words' weight that example explains."""

    f1: float = 0.0
    explained: float = 0.0

    @property
    def confident(self) -> bool:
        return self.f1 >= CONFIDENT and self.explained >= EXPLAINED


EXACT = Score(1.0, 1.0)
NONE = Score()


def _similarity(header: tuple[str, ...], example: tuple[str, ...], weight: Callable[[str], float]) -> Score:
    if not header or not example:
        return NONE
    if "".join(header) == "".join(example) or set(header) == set(example):
        return EXACT  # 'ngaysinh' typed without its space is 'ngay sinh'
    shared = sum(map(weight, set(header) & set(example)))
    if not shared:
        return NONE
    precision = shared / sum(map(weight, set(header)))
    recall = shared / sum(map(weight, set(example)))
    return Score(2 * precision * recall / (precision + recall), precision)


class _Scorer:
    """A contract's columns as examples of words, and each word's weight: a word found in the examples of
    one column only tells most (1 + ln n), one in every column almost nothing. A word in none of them but
    listed as distinct (it has a meaning of its own in these registers) counts as much as the most telling
    one: a header holding it says something else. Any other word weighs 1."""

    def __init__(self, columns: tuple[tuple[str, str, tuple[str, ...]], ...]) -> None:
        self.examples = {
            name: {header_words(e) for e in (label, *aliases)} - {()} for name, label, aliases in columns
        }
        spread = Counter(w for examples in self.examples.values() for w in set().union(*examples))
        n = len(self.examples)
        self.weights = {w: 1 + math.log(n / count) for w, count in spread.items()}
        self.distinct = 1 + math.log(n)
        self.known = load_words().distinct

    def weight(self, word: str) -> float:
        found = self.weights.get(word)
        if found is not None:
            return found
        return self.distinct if word in self.known or word == NUMBER else 1.0

    @lru_cache(maxsize=1 << 12)  # noqa: B019 - one scorer per contract, kept for the process
    def scores(self, header: str) -> dict[str, Score]:
        words = header_words(header)
        return {
            name: max((_similarity(words, e, self.weight) for e in examples), key=_rank, default=NONE)
            for name, examples in self.examples.items()
        }


def _rank(score: Score) -> tuple[bool, float]:
    return (score.confident, score.f1)


@lru_cache(maxsize=64)
def _scorer_for(signature: tuple) -> _Scorer:
    return _Scorer(signature)


def _scorer(contract: Contract) -> _Scorer:
    """The scorer of a contract's columns, shared by every contract with the same examples (a contract
    reaches a worker process as a copy)."""
    return _scorer_for(tuple((c.name, c.label_vi, c.aliases) for c in contract.columns))


def column_scores(contract: Contract, header: str) -> dict[str, Score]:
    """How well one header cell means each column of the contract, from 0 to 1."""
    return _scorer(contract).scores(header)


@dataclass(frozen=True)
class Candidate:
    index: int  # the cell
    header: str  # as written
    score: float


@dataclass(frozen=True)
class ColumnMatch:
    columns: dict[str, int]  # contract column name -> cell index
    headers: dict[int, str]  # cell index -> its header as written (two header rows joined by ' / ')
    closest: dict[str, tuple[Candidate, ...]]  # an unmatched column -> the unmatched cells nearest to it


def _cell_scores(scorer: _Scorer, labels: Sequence[str]) -> dict[str, Score]:
    """A cell's score per column: the best of its labels (the lower header cell, the upper one, both)."""
    best: dict[str, Score] = {}
    for label in labels:
        for name, score in scorer.scores(label).items():
            best[name] = max(best.get(name, NONE), score, key=_rank)
    return best


def _clear_choice(scores: dict[str, Score]) -> tuple[str, float] | None:
    """The column these scores point to, when confident and clearly ahead of any other."""
    ranked = sorted(scores.items(), key=lambda item: item[1].f1, reverse=True)
    if not ranked:
        return None
    (name, best), runner_up = ranked[0], (ranked[1][1].f1 if len(ranked) > 1 else 0.0)
    return (name, best.f1) if best.confident and best.f1 - runner_up >= MARGIN else None


def match_columns(contract: Contract, cells: Sequence[Sequence[str]]) -> ColumnMatch:
    """Assign header cells (each given as its candidate labels, most specific first) to columns.

    A cell's own header decides when it is clear on its own; the group heading above it (merged over
    several cells, so often close to more than one of them) and both joined only help when it is not."""
    scorer = _scorer(contract)
    scored = [_cell_scores(scorer, labels) if labels else {} for labels in cells]
    confident = []
    for index, labels in enumerate(cells):
        if not labels:
            continue
        choice = _clear_choice(scorer.scores(labels[0])) or _clear_choice(scored[index])
        if choice:
            confident.append((choice[1], -index, choice[0], index))
    columns: dict[str, int] = {}
    for _, _, name, index in sorted(confident, reverse=True):
        if name not in columns and index not in columns.values():
            columns[name] = index
    headers = {i: " / ".join(dict.fromkeys(reversed(labels[:2]))) for i, labels in enumerate(cells) if labels}
    taken = set(columns.values())
    closest = {}
    for column in contract.columns:
        if column.name in columns:
            continue
        near = sorted(
            (
                Candidate(i, headers[i], scored[i][column.name].f1)
                for i in headers
                if i not in taken and scored[i].get(column.name, NONE).f1 >= SUGGESTED
            ),
            key=lambda c: c.score,
            reverse=True,
        )
        closest[column.name] = tuple(near[:SUGGESTIONS])
    return ColumnMatch(columns, headers, closest)
