"""Choosing an external embedding keeps the project's loop options readable (they refuse unknown keys)."""

import pytest

from annotator.options import loop_options, parse_loop_options
from models_app import adapters
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_chosen_adapter_is_a_known_loop_option():
    project = f.make_project("p")
    adapters.choose(project, "band-stats")
    project.refresh_from_db()
    project.full_clean()  # the settings the choice saved pass the project's own validation
    assert loop_options(project)["embedding_adapter"] == "band-stats"
    adapters.choose(project, None)
    project.refresh_from_db()
    assert loop_options(project)["embedding_adapter"] is None


def test_a_malformed_adapter_name_is_refused():
    with pytest.raises(Exception, match="embedding_adapter"):
        parse_loop_options({"embedding_adapter": 3})
