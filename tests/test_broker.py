"""The Redis transport survives kombu using a channel whose connection is gone (issue 11: a
worker exited in 2 of 28 Redis restarts with "'NoneType' object has no attribute 'hostname'")."""

import contextlib
import logging

from django.conf import settings

from qdsasac.broker import QoS, Transport


class ChannelWithoutConnection:
    """What kombu's Redis channel does once its connection is gone: any client it makes fails."""

    do_restore = True
    unacked_key = "unacked"
    unacked_index_key = "unacked_index"
    unacked_mutex_key = "unacked_mutex"
    unacked_mutex_expire = 300
    visibility_timeout = 240
    unacked_restore_limit = None
    global_keyprefix = ""

    @contextlib.contextmanager
    def conn_or_acquire(self, client=None):
        raise AttributeError("'NoneType' object has no attribute 'hostname'")
        yield


def qos_with_two_unacked() -> QoS:
    qos = QoS(ChannelWithoutConnection(), prefetch_count=2)
    qos._on_collect.cancel()  # no give-back at interpreter exit for this stand-in
    qos._delivered["tag-1"] = object()
    qos._delivered["tag-2"] = object()
    return qos


def test_giving_back_messages_on_a_dead_channel_leaves_them_to_redis(caplog):
    qos = qos_with_two_unacked()
    with caplog.at_level(logging.WARNING, logger="qdsasac.broker"):
        qos.restore_unacked()
    assert not qos._delivered
    assert "could not give back 2 unacknowledged message(s)" in caplog.text


def test_acknowledging_on_a_dead_channel_does_not_stop_the_worker(caplog):
    qos = qos_with_two_unacked()
    with caplog.at_level(logging.WARNING, logger="qdsasac.broker"):
        qos.ack("tag-1")
        qos.reject("tag-2")
    assert caplog.text.count("on a channel that lost its connection") == 2


def test_the_worker_uses_this_transport_with_redis(settings):
    if not settings.REDIS_URL:
        return
    from qdsasac.celery import app

    with app.connection_for_write() as connection:
        assert connection.transport_cls == "qdsasac.broker:Transport"
        assert isinstance(connection.transport, Transport)


def test_the_transport_is_configured_whenever_redis_is():
    configured = getattr(settings, "CELERY_BROKER_TRANSPORT", None) == "qdsasac.broker:Transport"
    assert configured == bool(settings.REDIS_URL)
