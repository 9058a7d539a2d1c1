"""Hypothesis profiles for the sync properties: a fast ``ci`` one (the default) and a ``long`` one.

``ci`` draws the same examples on every run (derandomized): a run decides whether a change
lands, so it must not pass or fail by the luck of the draw. ``long`` draws anew every run and
keeps what fails in ``.hypothesis/``: run it to look for new failures.

Choose with ``HYPOTHESIS_PROFILE=long``, or with ``--hypothesis-profile=long`` once this module
is imported by ``tests/conftest.py`` (pytest loads the profile named on the command line while it
configures itself, before any test module is imported, so the profile must exist by then).
"""

import os

from hypothesis import HealthCheck, settings

SLOW_ON_PURPOSE = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=50,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=SLOW_ON_PURPOSE,
    derandomize=True,
)
settings.register_profile(
    "long", max_examples=500, stateful_step_count=50, deadline=None, suppress_health_check=SLOW_ON_PURPOSE
)


def chosen():
    """The profile asked for (environment first, then the command line), else ``ci``."""
    name = os.environ.get("HYPOTHESIS_PROFILE") or settings.get_current_profile_name()
    return settings.get_profile("ci" if name == "default" else name)
