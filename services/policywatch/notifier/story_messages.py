"""Where each story's message was posted, for receivers that edit it rather than post anew.

The ``slack_bot`` receiver records the channel and ``ts`` of a story's first message here and
looks them up for each update; the pipeline copies the entry into the story's state (the
compacted changelog) after each notification, and back from the changelog when it restores a
partition, so a restart keeps editing the same message and replying in the same thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from policywatch.notifier.grouping import MessageRef

#: Stories remembered; the oldest are forgotten first (their state still holds the reference).
MAX_STORIES = 100_000


class StoryMessages:
    """``story_id`` → :class:`MessageRef`; thread-safe (receiver workers write, the loop reads)."""

    def __init__(self, max_stories: int = MAX_STORIES) -> None:
        self._lock = threading.Lock()
        self._refs: OrderedDict[str, MessageRef] = OrderedDict()
        self._max = max_stories

    def remember(self, story_id: str, ref: MessageRef) -> None:
        with self._lock:
            self._refs[story_id] = ref
            self._refs.move_to_end(story_id)
            while len(self._refs) > self._max:
                self._refs.popitem(last=False)

    def get(self, story_id: str) -> MessageRef | None:
        with self._lock:
            return self._refs.get(story_id)


__all__ = ["StoryMessages"]
