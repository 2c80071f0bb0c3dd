import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lastmile.config.settings")
application = get_wsgi_application()

from lastmile.core.security import production_problems  # noqa: E402

if production_problems():  # issue 15: the same refusal as `lastmile serve`
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(" ".join(production_problems()))
