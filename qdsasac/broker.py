"""The Redis transport, with one fault of kombu's taken out.

When a worker loses Redis, Celery closes the consumer's channel and reconnects. kombu 5.x may
then use that closed channel again: to give the unacknowledged messages back, or to acknowledge a
task that finished meanwhile. The channel has lost its connection, and kombu fails with
``AttributeError: 'NoneType' object has no attribute 'hostname'`` (or ``'client'``) in
``Channel._connparams``, which Celery reports as "Unrecoverable error": the worker exits (the
fault drill met it within a dozen Redis restarts, as issue 11 had).

The messages are safe in Redis's own unacked index whatever happens on a dead channel: a consumer
gives them back once the visibility timeout has passed, and a task that runs again finds its
delivery claimed or sent. So on a channel without a connection these steps are logged and left
to Redis, and the worker carries on. (On a live channel with Redis down kombu raises a connection
error, which Celery already handles.)
"""

import logging

from kombu.transport import redis

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def _lost(self, what: str, error: AttributeError) -> None:
        logger.warning("%s on a channel that lost its connection (%s); Redis gives the message back later", what, error)

    def restore_unacked(self, client=None):
        try:
            return super().restore_unacked(client)
        except AttributeError as error:
            self._lost(f"could not give back {len(self._delivered)} unacknowledged message(s)", error)
            self._delivered.clear()
            return None

    def ack(self, delivery_tag):
        try:
            super().ack(delivery_tag)
        except AttributeError as error:
            self._lost("could not acknowledge a message", error)

    def reject(self, delivery_tag, requeue=False):
        try:
            super().reject(delivery_tag, requeue=requeue)
        except AttributeError as error:
            self._lost("could not reject a message", error)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
