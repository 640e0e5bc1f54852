"""Register (or update) the client and the user of the test provider (README.md)."""

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--groups", default="", help="comma-separated group names")

    def handle(self, *args, **options):
        app = Application.objects.filter(client_id=options["client_id"]).first() or Application(
            client_id=options["client_id"]
        )
        app.name = "VMO"
        app.client_type = Application.CLIENT_CONFIDENTIAL
        app.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        app.redirect_uris = options["redirect_uri"]
        app.algorithm = Application.RS256_ALGORITHM
        app.skip_authorization = True
        app.client_secret = options["client_secret"]
        app.save()

        user, _ = User.objects.get_or_create(username=options["username"])
        user.email = options["email"]
        user.first_name = "Ada"
        user.set_password(options["password"])
        user.save()
        names = [name for name in options["groups"].split(",") if name]
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in names])
