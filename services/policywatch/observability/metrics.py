"""Every Prometheus metric policywatch exports, declared in one place against one registry.

Labels are low-cardinality (service, rule id, event type, receiver, reason); never article ids.
See docs/metrics.md for what each one means.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
)

from policywatch import __version__

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_PROCESSING_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1)
#: Publication → alert spans minutes to days (feeds lag; archives are replayed).
_AGE_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 86400, 7 * 86400)


@dataclass(frozen=True)
class Metrics:
    """Metrics of both services; each service only touches its own."""

    registry: CollectorRegistry
    messages_consumed: Counter
    messages_decoded: Counter
    messages_dead_lettered: Counter
    processing_seconds: Histogram
    alerts_produced: Counter
    rule_evaluations: Counter
    rule_hits: Counter
    consumer_lag: Gauge
    time_to_alert_seconds: Histogram
    article_age_at_alert_seconds: Histogram
    ready: Gauge
    rules_loaded: Gauge
    rules_reloads: Counter
    notifications_sent: Counter
    notifications_retried: Counter
    notifications_failed: Counter
    notifications_dead_lettered: Counter
    notifications_grouped: Counter
    delivery_seconds: Histogram
    time_to_notify_seconds: Histogram
    receivers_disabled: Gauge
    feed_polls: Counter
    feed_items_published: Counter
    feed_items_skipped: Counter
    feed_last_success: Gauge
    feed_poll_interval: Gauge
    feed_fetch_seconds: Histogram
    article_fetches: Counter
    notifications_silenced: Counter
    notifications_inhibited: Counter
    notifier_config_reloads: Counter
    receiver_queued: Gauge
    build_info: Info

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> Metrics:
        reg = registry if registry is not None else CollectorRegistry()
        _runtime_collectors(reg)
        svc = ("service",)
        return cls(
            registry=reg,
            messages_consumed=Counter(
                "policywatch_messages_consumed_total",
                "Kafka records read from the input topic",
                svc,
                registry=reg,
            ),
            messages_decoded=Counter(
                "policywatch_messages_decoded_total",
                "Records decoded and validated",
                svc,
                registry=reg,
            ),
            messages_dead_lettered=Counter(
                "policywatch_messages_dead_lettered_total",
                "Records sent to a dead-letter topic, by reason",
                (*svc, "reason"),
                registry=reg,
            ),
            processing_seconds=Histogram(
                "policywatch_processing_seconds",
                "Time to decode and run detection on one article",
                svc,
                buckets=_PROCESSING_BUCKETS,
                registry=reg,
            ),
            alerts_produced=Counter(
                "policywatch_alerts_produced_total",
                "Alerts produced, by event type, rule and severity",
                ("event_type", "rule", "severity"),
                registry=reg,
            ),
            rule_evaluations=Counter(
                "policywatch_rule_evaluations_total",
                "Rules evaluated because their required terms were hit",
                ("rule",),
                registry=reg,
            ),
            rule_hits=Counter(
                "policywatch_rule_hits_total",
                "Rule evaluations that produced an alert",
                ("rule",),
                registry=reg,
            ),
            consumer_lag=Gauge(
                "policywatch_consumer_lag",
                "Records behind the end of each assigned partition",
                (*svc, "topic", "partition"),
                registry=reg,
            ),
            time_to_alert_seconds=Histogram(
                "policywatch_time_to_alert_seconds",
                "Broker timestamp of the article record to alert acknowledged by the broker",
                buckets=_LATENCY_BUCKETS,
                registry=reg,
            ),
            article_age_at_alert_seconds=Histogram(
                "policywatch_article_age_at_alert_seconds",
                "Article published_at to alert produced",
                buckets=_AGE_BUCKETS,
                registry=reg,
            ),
            ready=Gauge(
                "policywatch_ready",
                "1 when connected to Kafka with partitions assigned (and rules loaded)",
                svc,
                registry=reg,
            ),
            rules_loaded=Gauge(
                "policywatch_rules_loaded", "Rules in the active rule set", registry=reg
            ),
            rules_reloads=Counter(
                "policywatch_rules_reloads_total",
                "Rule reload attempts, by result (ok, failed: the last good set stays)",
                ("result",),
                registry=reg,
            ),
            notifications_sent=Counter(
                "policywatch_notifications_sent_total",
                "Notifications accepted by a receiver",
                ("receiver",),
                registry=reg,
            ),
            notifications_retried=Counter(
                "policywatch_notifications_retried_total",
                "Notifications parked on the retry topic for a later attempt",
                ("receiver",),
                registry=reg,
            ),
            notifications_failed=Counter(
                "policywatch_notifications_failed_total",
                "Delivery attempts that failed",
                ("receiver", "reason"),
                registry=reg,
            ),
            notifications_dead_lettered=Counter(
                "policywatch_notifications_dead_lettered_total",
                "Notifications sent to the alerts dead-letter topic",
                ("receiver",),
                registry=reg,
            ),
            notifications_grouped=Counter(
                "policywatch_notifications_grouped_total",
                "Alerts folded into an existing story notification",
                registry=reg,
            ),
            delivery_seconds=Histogram(
                "policywatch_delivery_seconds",
                "Duration of one delivery attempt",
                ("receiver",),
                buckets=_LATENCY_BUCKETS,
                registry=reg,
            ),
            time_to_notify_seconds=Histogram(
                "policywatch_time_to_notify_seconds",
                "Alert detected_at to notification delivered",
                ("receiver",),
                buckets=_LATENCY_BUCKETS,
                registry=reg,
            ),
            receivers_disabled=Gauge(
                "policywatch_receiver_disabled",
                "1 when a receiver answered 410 Gone and was disabled",
                ("receiver",),
                registry=reg,
            ),
            feed_polls=Counter(
                "policywatch_ingest_polls_total",
                "Feed polls, by feed and outcome (ok, not_modified, or the error kind)",
                ("feed", "outcome"),
                registry=reg,
            ),
            feed_items_published=Counter(
                "policywatch_ingest_items_published_total",
                "Feed items published as articles (acknowledged by the broker)",
                ("feed",),
                registry=reg,
            ),
            feed_items_skipped=Counter(
                "policywatch_ingest_items_skipped_total",
                "Feed items not published, by reason (no_text, invalid)",
                ("feed", "reason"),
                registry=reg,
            ),
            feed_last_success=Gauge(
                "policywatch_ingest_last_success_timestamp_seconds",
                "Unix time of the feed's last successful poll (the service start until then)",
                ("feed",),
                registry=reg,
            ),
            feed_poll_interval=Gauge(
                "policywatch_ingest_poll_interval_seconds",
                "The feed's configured poll interval",
                ("feed",),
                registry=reg,
            ),
            feed_fetch_seconds=Histogram(
                "policywatch_ingest_fetch_seconds",
                "Duration of one HTTP fetch (feed document or linked article page)",
                ("feed", "kind"),
                buckets=_LATENCY_BUCKETS,
                registry=reg,
            ),
            article_fetches=Counter(
                "policywatch_ingest_article_fetches_total",
                "Linked pages fetched for fetch_article, by outcome (ok, no_text, error kind)",
                ("feed", "outcome"),
                registry=reg,
            ),
            notifications_silenced=Counter(
                "policywatch_notifications_silenced_total",
                "Notifications not sent because an active silence matched the story",
                ("receiver",),
                registry=reg,
            ),
            notifications_inhibited=Counter(
                "policywatch_notifications_inhibited_total",
                "Notifications not sent because an inhibit rule's source story was open",
                ("receiver",),
                registry=reg,
            ),
            notifier_config_reloads=Counter(
                "policywatch_notifier_config_reloads_total",
                "Notifier config reloads on SIGHUP, by result (ok, failed: the old config stays)",
                ("result",),
                registry=reg,
            ),
            receiver_queued=Gauge(
                "policywatch_receiver_queued",
                "Notifications held in memory for a receiver (bounded by delivery.queue_size)",
                ("receiver", "path"),
                registry=reg,
            ),
            build_info=_build_info(reg),
        )


def _runtime_collectors(registry: CollectorRegistry) -> None:
    """The client library's standard process and Python collectors (``process_resident_memory_
    bytes``, ``process_cpu_seconds_total``, ``process_open_fds``, ``python_gc_*``,
    ``python_info``) on our registry: the default one, where they live, is not the one served."""
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)


def _build_info(registry: CollectorRegistry) -> Info:
    """``policywatch_build_info{version=...} 1``: which release each scraped process runs."""
    info = Info("policywatch_build", "The policywatch release of this process", registry=registry)
    info.info({"version": __version__})
    return info
