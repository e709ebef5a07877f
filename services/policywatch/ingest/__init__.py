"""The ingest service: RSS and Atom feeds → :class:`~policywatch.models.Article` records.

client   the polite HTTP client (conditional GET, one request per host, size and time limits)
guard    keeps linked-page fetches off private, loopback and link-local addresses
parse    feed documents → items, through feedparser
articles an item → an Article (pure: ids, HTML to text, language)
extract  the main text of a linked page (trafilatura)
state    the seen-state: a compacted Kafka topic, and its in-memory double
service  the poll loop
"""

from policywatch.ingest.client import Fetched, PoliteClient, Validators
from policywatch.ingest.guard import AddressGuard
from policywatch.ingest.parse import FeedItem, ParsedFeed, parse_feed
from policywatch.ingest.service import IngestService
from policywatch.ingest.state import KafkaSeenStore, MemorySeenStore, Seen, SeenStore

__all__ = [
    "AddressGuard",
    "FeedItem",
    "Fetched",
    "IngestService",
    "KafkaSeenStore",
    "MemorySeenStore",
    "ParsedFeed",
    "PoliteClient",
    "Seen",
    "SeenStore",
    "Validators",
    "parse_feed",
]
