"""The bench's real-text engine row: what it writes, and that it steps aside without the corpus.

The shared corpus is never copied into the repository, so these articles are invented, and only
the row's shape is checked: its timings are the benchmark's business.
"""

from __future__ import annotations

import json
from pathlib import Path

from tools.bench.corpus import CorpusGenerator
from tools.bench.real_text import CORPUS_ENV, default_corpus_dir, real_text_row

_ARTICLES = {
    "real.jsonl": [
        {
            "id": "bench-1",
            "url": "https://example.org/a",
            "source": "Example Wire",
            "published_at": "2025-03-04",
            "language": "en",
            "title": "Ministry lifts ban on exports of grain to its neighbour",
            "body": "The trade ministry said on Monday it had lifted its ban on grain exports "
            "to the neighbouring republic, in force since last spring.",
            "labels": {"events": ["embargo_lifted"], "actor": "XX"},
        },
        {
            "id": "bench-2",
            "url": "https://example.org/b",
            "source": "Example Wire",
            "published_at": "2025-03-05",
            "language": "en",
            "title": None,
            "body": "Opposition deputies asked the government to consider new sanctions, "
            "but no decision was taken.",
            "labels": {"events": []},
        },
    ],
    "ordinary.jsonl": [
        {
            "id": "bench-3",
            "url": "https://example.org/c",
            "source": "Example Gazette",
            "published_at": "2025-03-06",
            "language": "en",
            "title": "Rain delays the harvest festival",
            "body": "Organisers moved the harvest festival to next weekend after a week of "
            "heavy rain left the fairground flooded.",
            "labels": {"events": []},
        },
    ],
}


def _corpus(directory: Path) -> Path:
    directory.mkdir()
    for name, rows in _ARTICLES.items():
        lines = [json.dumps(row) for row in rows]
        (directory / name).write_text("\n".join([*lines, "", "not json"]) + "\n", encoding="utf-8")
    return directory


def test_row_measures_every_article_of_both_files(tmp_path: Path) -> None:
    row = real_text_row(
        _corpus(tmp_path / "corpus"), CorpusGenerator(), synthetic_articles=5, rounds=1
    )
    assert "skipped" not in row
    assert row["articles"] == 3 and row["bad_lines"] == 2 and row["synthetic_articles"] == 5
    assert row["rounds"] == 1 and row["rules"] > 0 and row["phrases"] > 0
    assert 0 <= row["alerted"] <= 3
    assert all(isinstance(row[k], float) for k in ("real_us", "synthetic_us", "ratio"))
    json.dumps(row)  # results.json takes it as it is


def test_row_is_skipped_with_a_note_without_the_corpus(tmp_path: Path) -> None:
    absent = tmp_path / "no-corpus"
    row = real_text_row(absent, CorpusGenerator(), synthetic_articles=5, rounds=1)
    assert row == {"corpus": str(absent), "skipped": row["skipped"]}
    assert str(absent) in row["skipped"] and "\n" not in row["skipped"]


def test_row_is_skipped_when_a_file_is_missing(tmp_path: Path) -> None:
    directory = _corpus(tmp_path / "corpus")
    (directory / "ordinary.jsonl").unlink()
    row = real_text_row(directory, CorpusGenerator(), synthetic_articles=5, rounds=1)
    assert "ordinary.jsonl" in row["skipped"]


def test_corpus_directory_comes_from_the_environment() -> None:
    assert default_corpus_dir({CORPUS_ENV: "/some/where"}) == Path("/some/where")
    assert default_corpus_dir({}).parts[-2:] == ("shared", "corpus")
