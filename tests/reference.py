"""Slack's reference files (real payloads, Web API examples, the manifest schema), which live in
the project's shared folder beside the repository: CI has it, a user's clone does not."""

import os
from pathlib import Path

import pytest

SLACK_REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "slack-reference"


def reference_file(*parts: str) -> Path:
    """The path of one reference file, or a skip that says why it is not there."""
    path = SLACK_REFERENCE.joinpath(*parts)
    if not path.is_file():
        if os.environ.get("CI"):  # CI has the shared folder: a missing file there is a failure
            pytest.fail(f"CI is missing Slack's reference file {path}")
        pytest.skip(
            "Slack's reference files (../shared/slack-reference) are not beside this clone; "
            "CI has them"
        )
    return path
