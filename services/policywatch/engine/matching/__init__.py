"""Matching an article: one automaton pass, then each woken rule at each of its trigger hits.

``scanner`` runs the automaton and turns matches into hits; ``rule_match`` checks one rule at
one hit (scope, conditions, exceptions, cues) and reads its ``slots`` (actor, target).
"""
