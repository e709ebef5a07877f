"""The automaton against a naive oracle: whole-word ``re.finditer`` over the normalised text."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from policywatch.engine import Engine
from policywatch.engine.matching.scanner import Scanner, article_fields, collect_hits
from policywatch.engine.rule_language.spec import ListSpec, RuleFile
from policywatch.engine.text.normalize import normalize, words_of
from policywatch.models import Article

WORDS = ["arm", "arms", "ban", "bank", "lift", "lifted", "us", "use", "eu", "oil", "soil", "new"]
phrase = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join)
seps = st.sampled_from([" ", "  ", ", ", "-", ".", "\n", " É", "’s "])


@st.composite
def texts(draw: st.DrawFn) -> str:
    tokens = draw(
        st.lists(
            st.sampled_from([*WORDS, "Lift", "ARMS", "banks", "oils"]), min_size=1, max_size=30
        )
    )
    return "".join(t + draw(seps) for t in tokens)


@settings(max_examples=150, deadline=None)
@given(terms=st.lists(phrase, min_size=1, max_size=6, unique=True), text=texts())
def test_automaton_hits_equal_whole_word_regex_oracle(terms: list[str], text: str) -> None:
    files = [RuleFile(language="xx", lists={"t": ListSpec(terms=terms, inflect=False)})]
    engine = Engine.from_rules(files)
    article = Article(
        id="p", url=None, source="s", published_at=None, language="xx", title=None, body=text
    )
    ctx = collect_hits(engine.pack, article)
    got = {(h.start, h.end) for hs in ctx.hits.values() for h in hs if h.field == 1}

    norm = normalize(text)
    expected = set()
    for term in terms:
        pattern = r"(?<!\w)" + r" ".join(re.escape(w) for w in words_of(term)) + r"(?!\w)"
        for m in re.finditer(f"(?=({pattern}))", norm.text):
            s, e = m.start(1), m.end(1)
            expected.add((norm.to_original(s), norm.to_original(e)))
    assert got == expected
    for s, e in got:
        assert words_of(text[s:e]) in [words_of(t) for t in terms]


def test_case_sensitive_terms_skip_other_cases() -> None:
    files = [RuleFile(language="xx", lists={"t": ListSpec(terms=["=US"], inflect=False)})]
    engine = Engine.from_rules(files)
    article = Article(
        id="p",
        url=None,
        source="s",
        published_at=datetime(2024, 1, 1, tzinfo=UTC),
        language="xx",
        title=None,
        body="Tell us what the US did. Us too.",
    )
    hits = [h for hs in collect_hits(engine.pack, article).hits.values() for h in hs]
    assert [article.body[h.start : h.end] for h in hits] == ["US"]


def test_prefix_terms_match_any_word_with_that_start() -> None:
    files = [RuleFile(language="xx", lists={"t": ["permit*"]})]
    engine = Engine.from_rules(files)
    article = Article(
        id="p",
        url=None,
        source="s",
        published_at=None,
        language="xx",
        title=None,
        body="Permits, permitted and PERMITTING; but not impermissible.",
    )
    hits = sorted(h.start for hs in collect_hits(engine.pack, article).hits.values() for h in hs)
    assert [article.body[s:].split()[0].strip(",;") for s in hits] == [
        "Permits",
        "permitted",
        "PERMITTING",
    ]


def test_a_separable_verb_joins_its_particle_only_at_the_end_of_its_clause() -> None:
    engine = Engine.from_yaml(
        """\
language: de
lists:
  pause: [aussetzen]
rules: []
"""
    )
    scanner = Scanner(engine.pack)
    particles = frozenset({"aus"})

    def joined(body: str) -> list[str]:
        article = Article(
            id="a", url=None, source="t", published_at=None, language="de", title=None, body=body
        )
        found, _ = scanner.joined(article_fields(article), particles)
        return [body[start:end] for _, start, end in found[1]]

    assert joined("Die EU setzt die Zahlungen aus.") == ["setzt"]
    assert joined("Die EU setzt die Zahlungen aus, sagte sie.") == ["setzt"]
    # the particle opens a phrase ("aus Russland"), not the end of the clause
    assert joined("Die EU setzt die Zahlungen aus Russland fest.") == []
    # a capitalised word is a noun, not the verb
    assert joined("Das Setzt der Zahlungen aus.") == []
