"""Imported by the drafting fork server (`runner`) before it forks any child: the drafter, its
sentence splitter and the gazetteer's index are read once there, not once a draft. An import that
fails here must not take the fork server down; the child then reads what it needs itself."""

import contextlib

with contextlib.suppress(Exception):
    from dashboard.drafting import runner

    runner.warm()
