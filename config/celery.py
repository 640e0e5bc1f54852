"""The Celery app: settings come from Django's, under the CELERY_ namespace."""

import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("vmo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class CatchUpOnReconnect(bootsteps.StartStopStep):
    """After the broker connection comes back, send vmo's catch-up tasks at once.

    The consumer restarts its steps on every reconnect; the first start is vmo's `worker_ready`
    handler's job, so this one acts on the later ones only.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.started_once = False

    def start(self, parent):
        if self.started_once:
            from vmo.tasks import catch_up

            catch_up(parent.app)
        self.started_once = True


app.steps["consumer"].add(CatchUpOnReconnect)


@app.task(name="config.ping")
def ping(value: int) -> int:
    """Round trip for health checks and the broker test: returns its argument plus one."""
    return value + 1
