"""The rule language: the YAML rule-file spec, loading it with file and line, compiling it.

``spec`` is what a rule file may contain; ``loader`` reads files into a checked
:class:`~policywatch.engine.rule_language.loader.RuleSet`; ``conditions`` and ``compiler`` turn
a rule set into one automaton's patterns plus indexed rules.
"""
