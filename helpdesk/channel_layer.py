"""The channel layer of long-lived sockets: Redis pub/sub as a doorbell, the database as the truth.

Why pub/sub and not the core ``RedisChannelLayer``:

- The database holds every message with its ``seq``; an event only tells a socket to look. Pub/sub keeps
  no per-channel queue in Redis, so nothing overflows, nothing expires after 60 s and nothing piles up.
- Group memberships live in the memory of the process that holds the sockets. A consumer that crashed
  without running ``disconnect`` leaves nothing behind in Redis; a Redis restart (no persistence) loses
  nothing either: on reconnection the client subscribes again to what its process still needs.
- Whatever was published while the connection was down is gone, so on every reconnection each local
  consumer receives ``{"type": "helpdesk.resync"}`` and re-reads from the database what its client
  missed after the last ``seq`` it sent (the inbox also tells the page to refresh its lists).

The Redis client is set up for connections that live for hours: a socket timeout well above the
layer's longest blocking read (0.1 s polls), connect timeouts, TCP keepalive, a PING health check,
retries with backoff on connection errors, and a pool large enough for a reconnect storm.

Sync code (services after commit, Celery workers) publishes through :func:`group_publish_many_sync`: one
process-wide sync client per host, the same channel names and serializer, never raising into the caller.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _consistent_hash, decode_hosts
from redis import asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.client import PubSub
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# The local message every consumer gets after the layer reconnected; consumers implement
# ``helpdesk_resync``.
RESYNC_MESSAGE = {"type": "helpdesk.resync"}

CONNECTION_ERRORS = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)

# Connection settings of the async client that serves the sockets. ``socket_timeout`` bounds any one
# read or write; the layer's reads poll every 0.1 s, so 30 s never races them.
ASYNC_CLIENT_OPTIONS: dict[str, Any] = {
    "socket_timeout": 30.0,
    "socket_connect_timeout": 5.0,
    "socket_keepalive": True,
    "health_check_interval": 15,
    "max_connections": 2000,
}

# The sync publisher runs inside request handlers and Celery tasks: it must fail fast, not hang them.
SYNC_CLIENT_OPTIONS: dict[str, Any] = {
    "socket_timeout": 2.0,
    "socket_connect_timeout": 1.0,
    "socket_keepalive": True,
    "health_check_interval": 15,
    "max_connections": 200,
}


def _retry(attempts: int) -> Retry:
    return Retry(ExponentialBackoff(cap=2.0, base=0.05), attempts, supported_errors=CONNECTION_ERRORS)


def _host_options(host: dict[str, Any], defaults: dict[str, Any], attempts: int) -> dict[str, Any]:
    options = {**defaults, **host}
    options.setdefault("retry", _retry(attempts))
    options.setdefault("retry_on_error", list(CONNECTION_ERRORS))
    return options


def _pool(host: dict[str, Any], module) -> Any:
    host = dict(host)
    address = host.pop("address", None)
    if address is not None:
        return module.ConnectionPool.from_url(address, **host)
    return module.ConnectionPool(**host)


class _ReconnectAwarePubSub(PubSub):
    """A PubSub that tells its shard each time its connection is made again."""

    def __init__(self, *args: Any, shard: HelpdeskShardConnection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shard = shard
        self.connects = 0

    async def on_connect(self, connection) -> None:
        await super().on_connect(connection)
        self.connects += 1
        if self.connects > 1 or self._shard.had_outage:
            self._shard.reconnected()


class HelpdeskShardConnection(RedisSingleShardConnection):
    """One Redis host: the client options above, tolerant subscribes, and a resync after reconnection."""

    def __init__(self, host: dict[str, Any], channel_layer: HelpdeskPubSubLoopLayer) -> None:
        super().__init__(host, channel_layer)
        self.had_outage = False
        self._resync_task: asyncio.Future | None = None

    def _ensure_redis(self) -> None:
        if self._redis is None:
            pool = _pool(_host_options(self.host, ASYNC_CLIENT_OPTIONS, attempts=3), aioredis)
            self._redis = aioredis.Redis(connection_pool=pool)
            self._pubsub = _ReconnectAwarePubSub(connection_pool=pool, shard=self)

    async def subscribe(self, channel: str) -> None:
        """Subscribe, or remember that we could not: the next reconnection subscribes and resyncs."""
        try:
            await super().subscribe(channel)
        except CONNECTION_ERRORS:
            self.had_outage = True
            logger.warning("Redis is unreachable; %s will be subscribed on reconnection", channel)

    async def unsubscribe(self, channel: str) -> None:
        try:
            await super().unsubscribe(channel)
        except CONNECTION_ERRORS:
            # The lost connection unsubscribed it anyway; forget it so a reconnection does not restore it.
            self._subscribed_to.discard(channel)
            if self._pubsub is not None:
                self._pubsub.channels.pop(channel.encode(), None)
                self._pubsub.channels.pop(channel, None)

    async def _do_receiving(self) -> None:
        failing = False
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
                failing = False
            except (asyncio.CancelledError, GeneratorExit):
                raise
            except Exception as exc:
                self.had_outage = True
                if not failing:
                    logger.warning("Redis pub/sub connection lost (%s); retrying", exc)
                failing = True
                # The client reads pub/sub messages without dropping a connection that failed, so it would
                # keep reading the dead one until its next health check (15 s). Drop it: the next read
                # connects again, and the new connection subscribes again and resyncs (``reconnected``).
                await self._connection_drop()
                await asyncio.sleep(0.5)

    async def _connection_drop(self) -> None:
        connection = self._pubsub.connection if self._pubsub is not None else None
        if connection is not None:
            try:
                await connection.disconnect()
            except Exception:
                logger.debug("Dropping the failed pub/sub connection failed", exc_info=True)

    def reconnected(self) -> None:
        """Called by the PubSub on a new connection: restore subscriptions, then resync every consumer."""
        if self._resync_task is None or self._resync_task.done():
            self._resync_task = asyncio.ensure_future(self._resync())

    async def _resync(self) -> None:
        layer = self.channel_layer
        wanted = [
            name
            for name in [*layer.groups, *layer.channels]
            if layer._get_shard(name) is self and name not in self._subscribed_to
        ]
        for name in wanted:
            await self.subscribe(name)
        self.had_outage = False
        layer.resync_local()


class HelpdeskPubSubLoopLayer(RedisPubSubLoopLayer):
    """The per-event-loop layer: our shards, and channel creation that survives a Redis outage."""

    def __init__(self, hosts=None, prefix: str = "asgi", channel_layer=None, **kwargs: Any) -> None:
        super().__init__(hosts=hosts, prefix=prefix, channel_layer=channel_layer, **kwargs)
        self._shards = [HelpdeskShardConnection(host, self) for host in decode_hosts(hosts)]

    def resync_local(self) -> None:
        """Tell every consumer of this process to re-read what it may have missed."""
        data = self.channel_layer.serialize(RESYNC_MESSAGE)
        for queue in self.channels.values():
            queue.put_nowait(data)


class HelpdeskChannelLayer(RedisPubSubChannelLayer):
    """The layer named in ``CHANNEL_LAYERS`` when ``REDIS_URL`` is set. See the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prefix: str = kwargs.get("prefix", "asgi")
        self.hosts = decode_hosts(kwargs.get("hosts"))
        self._sync_clients: list[Any] = []
        self._sync_lock = threading.Lock()

    def _get_layer(self) -> HelpdeskPubSubLoopLayer:
        loop = asyncio.get_running_loop()
        layer = self._layers.get(loop)
        if layer is None:
            from channels_redis.utils import _wrap_close

            layer = HelpdeskPubSubLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
        return layer

    def group_channel_name(self, group: str) -> str:
        return f"{self.prefix}__group__{group}"

    def _sync_client(self, name: str):
        import redis

        with self._sync_lock:
            if not self._sync_clients:
                self._sync_clients = [
                    redis.Redis(connection_pool=_pool(_host_options(h, SYNC_CLIENT_OPTIONS, 1), redis))
                    for h in self.hosts
                ]
        return self._sync_clients[_consistent_hash(name, len(self._sync_clients))]

    def group_send_many_sync(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        """Publish each ``(group, message)`` in order, one pipeline (one round trip) per Redis shard."""
        pipelines: dict[int, Any] = {}
        for group, message in messages:
            name = self.group_channel_name(group)
            client = self._sync_client(name)
            pipeline = pipelines.get(id(client))
            if pipeline is None:
                pipeline = pipelines[id(client)] = client.pipeline(transaction=False)
            pipeline.publish(name, self.serialize(message))
        for pipeline in pipelines.values():
            pipeline.execute()


def group_publish_many_sync(layer: Any, messages: list[tuple[str, dict[str, Any]]]) -> bool:
    """Publish several ``(group, message)`` in order, in one round trip with our layer; False (logged) if
    they could not all be published."""
    if not messages:
        return True
    try:
        if isinstance(layer, HelpdeskChannelLayer):
            layer.group_send_many_sync(messages)
        else:
            from asgiref.sync import async_to_sync

            async def send_all() -> None:
                for group, message in messages:
                    await layer.group_send(group, message)

            async_to_sync(send_all)()
        return True
    except Exception:
        logger.warning(
            "Could not publish %s to %s",
            ", ".join(str(m.get("type")) for _, m in messages),
            ", ".join(sorted({g for g, _ in messages})),
            exc_info=True,
        )
        return False
