"""Template filters for project pages."""

from django import template

from annotator import projects

register = template.Library()


@register.filter
def may_create_projects(user) -> bool:
    """``{% if user|may_create_projects %}``: the same rule the new-project page and API apply."""
    return projects.may_create_projects(user)
