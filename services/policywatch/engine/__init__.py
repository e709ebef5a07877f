"""The pure detection engine: YAML rule packs compiled into one automaton, articles in, alerts out.

No I/O beyond reading rule files, no Kafka, no metrics: ``policywatch scan``/``eval`` and the
detector service all call :meth:`Engine.scan`, so what ``eval`` measures is what runs.

Subpackages, by job: ``rule_language`` (the rule-file spec, loader, conditions, compiler),
``text`` (normalisation, word forms, sentences, language identification) and ``matching`` (the
automaton scanner, one rule at one hit, slots). :class:`Engine` is the entry point.
"""

from policywatch.engine.engine import DEFAULT_MIN_CONFIDENCE, Engine, ScanResult
from policywatch.engine.matching.rule_match import Candidate
from policywatch.engine.rule_language.loader import (
    RuleSet,
    builtin_rules_dir,
    load_rules,
    load_rules_text,
)
from policywatch.engine.rule_language.spec import RuleFile, RuleSpec

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "Candidate",
    "Engine",
    "RuleFile",
    "RuleSet",
    "RuleSpec",
    "ScanResult",
    "builtin_rules_dir",
    "load_rules",
    "load_rules_text",
]
