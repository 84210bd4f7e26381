"""The connect-and-retry loop that camera and Sync Module firmware share.

A device that has booted tries to connect; an attempt takes a few seconds and succeeds only if its upstream
is there at the end. A failed attempt is retried after ``retry_s``, so after an outage a device comes back
within one retry period of its upstream returning, which is what gives the article's "wait a minute or 2".
"""

from __future__ import annotations

from collections.abc import Callable

from firmware_sim.clock import EventHandle, VirtualClock


class Link:
    """One device's connection to its upstream, driven by the virtual clock.

    ``on_result(online)`` is called after every attempt and whenever an online link is lost.
    """

    def __init__(
        self,
        clock: VirtualClock,
        can_connect: Callable[[], bool],
        on_result: Callable[[bool], None],
        connect_s: float,
        retry_s: float,
    ) -> None:
        self._clock = clock
        self._can_connect = can_connect
        self._on_result = on_result
        self.connect_s = connect_s
        self.retry_s = retry_s
        self.online = False
        self.attempting = False
        self.running = False
        self._handle: EventHandle | None = None

    def start(self, delay_s: float = 0.0) -> None:
        """Begin connecting (after boot, or once the firmware has what it needs)."""
        self.stop()
        self.running = True
        self._schedule_attempt(delay_s)

    def assume_online(self) -> None:
        """Start already connected (a bench that was settled before the simulation began)."""
        self.stop()
        self.running = self.online = True

    def stop(self) -> None:
        """Power lost or the firmware stopped trying: silently offline, nothing pending."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self.running = self.online = self.attempting = False

    def upstream_changed(self) -> None:
        """The path beyond the device changed; an online link notices a loss at once."""
        if self.online and not self._can_connect():
            self.online = False
            self._schedule_attempt(self.retry_s)
            self._on_result(False)

    def kick(self) -> None:
        """Try now instead of at the next retry (e.g. the app just fixed something)."""
        if self.running and not self.online and not self.attempting:
            self._schedule_attempt(0.0)

    def _schedule_attempt(self, delay_s: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = self._clock.call_later(delay_s, self._attempt)

    def _attempt(self) -> None:
        self.attempting = True
        self._handle = self._clock.call_later(self.connect_s, self._finish)

    def _finish(self) -> None:
        self.attempting = False
        self._handle = None
        if self._can_connect():
            self.online = True
        else:
            self._schedule_attempt(self.retry_s)
        self._on_result(self.online)
