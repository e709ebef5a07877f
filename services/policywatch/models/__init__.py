"""Wire contracts: the messages policywatch reads and writes.

Every model is frozen and versioned with ``schema_version``. The JSON Schemas in
``schemas/`` are generated from these classes (``policywatch schemas --write``).
"""

from policywatch.models.alert import (
    ENTITY_CODE,
    Alert,
    AlertArticle,
    Entity,
    Evidence,
    RuleRef,
    Severity,
    make_alert_id,
    make_story_key,
)
from policywatch.models.article import Article, ArticleDecodeError, decode_article
from policywatch.models.events import EVENT_TYPES, MIRRORS, REVERSED, REVOKED, EventType

__all__ = [
    "ENTITY_CODE",
    "EVENT_TYPES",
    "MIRRORS",
    "REVERSED",
    "REVOKED",
    "Alert",
    "AlertArticle",
    "Article",
    "ArticleDecodeError",
    "Entity",
    "EventType",
    "Evidence",
    "RuleRef",
    "Severity",
    "decode_article",
    "make_alert_id",
    "make_story_key",
]
