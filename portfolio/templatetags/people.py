"""How a person is shown on every page: by full name, the username only when no name is set."""

from django import template

from portfolio.people import display_name

register = template.Library()


@register.filter
def person(user):
    """A user (or None) as 'Diana Reyes'; a dash for nobody."""
    return display_name(user)
