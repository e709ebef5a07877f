"""``policywatch schemas``: the JSON Schemas of the wire models (articles, alerts, the webhook
body of a notification), rule files and the notifier section of the config file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from policywatch.engine.rule_language.spec import RuleFile
from policywatch.models import Alert, Article
from policywatch.notifier.notification import notification_json_schema
from policywatch.settings import Settings, notifier_json_schema

__all__ = ["generate_schemas", "register"]


def generate_schemas() -> dict[str, str]:
    """File name → schema text, exactly as written to ``schemas/``."""
    models: dict[str, Any] = {
        "article.schema.json": Article,
        "alert.schema.json": Alert,
        "rules.schema.json": RuleFile,
    }
    schemas = {
        name: json.dumps(model.model_json_schema(), indent=2, sort_keys=True) + "\n"
        for name, model in models.items()
    }
    # Written in the config file's key order, so the schema reads like docs/notifier.md.
    schemas["notifier.schema.json"] = (
        json.dumps(notifier_json_schema(), indent=2, ensure_ascii=False) + "\n"
    )
    schemas["notification.schema.json"] = (
        json.dumps(notification_json_schema(), indent=2, sort_keys=True) + "\n"
    )
    return schemas


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schemas",
        help="print, write or check the JSON Schemas (article, alert, rules, notifier, "
        "notification)",
        description="Without options, print the schemas as one JSON object.",
    )
    parser.add_argument("--write", metavar="DIR", type=Path, help="write the schema files")
    parser.add_argument(
        "--check", metavar="DIR", type=Path, help="exit 1 if the files in DIR differ"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    schemas = generate_schemas()
    if args.write is None and args.check is None:
        print(json.dumps({k: json.loads(v) for k, v in schemas.items()}, indent=2))
        return 0
    if args.write is not None:
        args.write.mkdir(parents=True, exist_ok=True)
        for name, text in schemas.items():
            (args.write / name).write_text(text, encoding="utf-8")
            print(f"wrote {args.write / name}")
    if args.check is not None:
        stale = []
        for name, text in schemas.items():
            path = args.check / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        for name in stale:
            print(
                f"{args.check / name}: out of date (run 'policywatch schemas --write')",
                file=sys.stderr,
            )
        return 1 if stale else 0
    return 0
